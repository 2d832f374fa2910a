"""Demo users for trying BreachDesk locally; never loaded with DEBUG off."""

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
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if role:
            user.groups.add(Group.objects.get(name=role))
        users.append(user)
    return users
