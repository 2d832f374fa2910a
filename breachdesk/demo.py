"""Demo users for trying BreachDesk locally; never loaded with DEBUG off."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from breachdesk.models import User

DEMO_PASSWORD = "breachdesk"  # noqa: S105 - published on purpose, DEBUG only

# username → (role group, full name, staff)
DEMO_USERS = {
    "commander": ("Commander", "Casey Commander", False),
    "responder": ("Responder", "Riley Responder", False),
    "legal": ("Legal", "Lee Legal", False),
    "viewer": ("Viewer", "Vic Viewer", False),
    "admin": (None, "Avery Admin", True),
}


def seed_demo_users() -> list[User]:
    # One hash for the one published password: hashing is slow by design
    # (about a second each), and a fresh salt per demo account protects nothing.
    password = make_password(DEMO_PASSWORD)
    users = []
    for username, (role, full_name, staff) in DEMO_USERS.items():
        first_name, last_name = full_name.split(" ", 1)
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@breachdesk.example",
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created:
            user.password = password
            user.save(update_fields=["password"])
        if role:
            user.groups.add(Group.objects.get(name=role))
        users.append(user)
    return users
