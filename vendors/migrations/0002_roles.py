"""Commanders (and staff, by rule) keep the vendor inventory."""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    vendor_type, _ = ContentType.objects.get_or_create(app_label="vendors", model="vendor")
    manage, _ = Permission.objects.get_or_create(
        content_type=vendor_type,
        codename="manage_inventory",
        defaults={"name": "Can change the vendor inventory"},
    )
    Group.objects.get(name="Commander").permissions.add(manage)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="vendors", codename="manage_inventory").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("vendors", "0001_initial"),
        ("incidents", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
