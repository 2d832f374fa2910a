"""The vendor-breach playbook every new incident starts from (admin-editable),
and the incident permissions the roles hold."""

from django.db import migrations


def create_playbook(apps, schema_editor):
    # Initial content, read from incidents.playbooks: a new database starts
    # with the playbook as it is defined today.
    from incidents import playbooks

    Playbook = apps.get_model("incidents", "Playbook")
    PlaybookStep = apps.get_model("incidents", "PlaybookStep")
    playbook, created = Playbook.objects.get_or_create(
        name=playbooks.NAME,
        defaults={"description": playbooks.DESCRIPTION, "is_default": True},
    )
    if created:
        for step in playbooks.step_fields():
            PlaybookStep.objects.create(playbook=playbook, **step)


# (group, codename, name): commanders open incidents; Legal acts as Legal.
GRANTS = [
    ("Commander", "add_incident", "Can add incident"),
    (
        "Legal",
        "legal_review",
        "Can act as Legal on incidents: privileged notes, legal hold, approvals",
    ),
]


def grant_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    incident_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="incident")
    for group, codename, name in GRANTS:
        permission, _ = Permission.objects.get_or_create(
            content_type=incident_type, codename=codename, defaults={"name": name}
        )
        Group.objects.get(name=group).permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_incidents")]

    operations = [
        migrations.RunPython(create_playbook, migrations.RunPython.noop),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
