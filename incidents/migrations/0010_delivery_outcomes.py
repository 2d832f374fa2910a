"""Which attempt the mail server accepted, and whether the broker took a queued send.

Sent rows take their last attempt as the accepted one; rows past ``queued``
were published. Queued rows stay unpublished, so the next outbox sweep
publishes them (the claim keeps a second publication from sending twice).
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    Notification = apps.get_model("incidents", "Notification")
    Notification.objects.filter(status="sent").update(accepted_attempt=models.F("attempts"))
    Notification.objects.filter(status__in=["sending", "sent", "failed"]).update(
        published_at=models.F("queued_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0009_reminders_keyed_on_due_time"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="accepted_attempt",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
