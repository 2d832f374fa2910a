"""Who reads and who exports the inventory, per role (see breachdesk/roles.py).

Commanders, Legal and Responders read it; Commanders and Legal export it.
The grants are copied here, frozen, as migrations must not import live code.
"""

import django.db.models.functions.text
from django.db import migrations

GRANTS = {
    "view_inventory": ("Can read the vendor inventory", ("Commander", "Responder", "Legal")),
    "export_inventory": ("Can export the vendor inventory", ("Commander", "Legal")),
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    vendor_type, _ = ContentType.objects.get_or_create(app_label="vendors", model="vendor")
    for codename, (name, roles) in GRANTS.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=vendor_type, codename=codename, defaults={"name": name}
        )
        for role in roles:
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="vendors", codename__in=GRANTS).delete()


class Migration(migrations.Migration):
    dependencies = [("vendors", "0002_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="vendor",
            options={
                "ordering": [django.db.models.functions.text.Lower("name")],
                "permissions": [
                    ("view_inventory", "Can read the vendor inventory"),
                    ("export_inventory", "Can export the vendor inventory"),
                    ("manage_inventory", "Can change the vendor inventory"),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
