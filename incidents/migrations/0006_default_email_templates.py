"""The wording each kind of email starts with (admin-editable afterwards)."""

from django.db import migrations


def create_templates(apps, schema_editor):
    # Initial content, read from incidents.email_templates.
    from incidents.email_templates import DEFAULTS

    EmailTemplate = apps.get_model("incidents", "EmailTemplate")
    for kind, (subject, body) in DEFAULTS.items():
        EmailTemplate.objects.get_or_create(kind=kind, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_notifications")]

    operations = [migrations.RunPython(create_templates, migrations.RunPython.noop)]
