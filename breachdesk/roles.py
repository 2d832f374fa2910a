"""The four roles of DESIGN.md and the permissions each holds, in one place.

The data migrations create these on a new database (each keeps its own frozen
copy, as migrations must); ``ensure_roles`` restores them on a database that
lost them, such as one emptied by a test, and a test checks that the two agree.
"""

from django.contrib.auth.models import Group, Permission

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "Commander": (
        "incidents.view_all_incidents",
        "incidents.add_incident",
        "vendors.manage_inventory",
    ),
    "Responder": (),
    "Legal": (
        "incidents.view_all_incidents",
        "incidents.legal_review",
    ),
    "Viewer": (),
}


def ensure_roles() -> None:
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
