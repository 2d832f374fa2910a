"""The four roles of DESIGN.md as groups, and the need-to-know permission.

`incidents.view_all_incidents` is created here, before the Incident model
exists, so that roles work from the first deploy; when the model arrives its
Meta.permissions names the same codename on the same content type, and Django
reuses this row.
"""

from django.db import migrations

ROLES = ("Commander", "Responder", "Legal", "Viewer")
VIEW_ALL_HOLDERS = ("Commander", "Legal")


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    incident_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="incident")
    view_all, _ = Permission.objects.get_or_create(
        content_type=incident_type,
        codename="view_all_incidents",
        defaults={"name": "Can view every incident that is not restricted"},
    )
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        if name in VIEW_ALL_HOLDERS:
            group.permissions.add(view_all)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=ROLES).delete()
    Permission.objects.filter(
        content_type__app_label="incidents", codename="view_all_incidents"
    ).delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
