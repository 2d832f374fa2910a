"""A per-user secret for calendar feed links (each existing user gets their own)."""

import uuid

from django.db import migrations, models


def give_each_user_a_token(apps, schema_editor):
    User = apps.get_model("breachdesk", "User")
    for user in User.objects.filter(calendar_token__isnull=True):
        user.calendar_token = uuid.uuid4()
        user.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [("breachdesk", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="calendar_token",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_user_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="calendar_token",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="The secret in your calendar feed links; change it to revoke them.",
                unique=True,
                verbose_name="calendar feed key",
            ),
        ),
    ]
