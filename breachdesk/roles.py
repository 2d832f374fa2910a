"""The four roles of DESIGN.md, what each may do, in one place.

A role is a Django group. What a role may do is written here once:

- ``ROLE_PERMISSIONS``: the permissions each group holds. The data migrations
  create them on a new database (each keeps its own frozen copy, as migrations
  must); ``ensure_roles`` restores them on a database that lost them, such as
  one emptied by a test, and a test checks that the two agree.
- ``INCIDENT_ROLES``: which roles on an incident's team a person of each role
  may hold. A team role never gives more than the person's own role allows.
- The vendor inventory, per role:

  ========== ==== ====== ======
  role       read export change
  ========== ==== ====== ======
  Commander  yes  yes    yes
  Legal      yes  yes    no
  Responder  yes  no     no
  Viewer     no   no     no
  staff      yes  yes    yes
  no role    no   no     no
  ========== ==== ====== ======

  Responders read it to do the scope review; Legal exports it for counsel and
  regulators; Viewers follow incidents they are members of and need no list of
  every vendor, security contact and special-category data asset.

A signed-in user in no role (and not staff) sees only a page asking them to
get a role from an administrator, and their preferences: no incident, no
inventory, no export, no feed.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from breachdesk.grants import group_names

COMMANDER = "Commander"
RESPONDER = "Responder"
LEGAL = "Legal"
VIEWER = "Viewer"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    COMMANDER: (
        "incidents.view_all_incidents",
        "incidents.add_incident",
        "vendors.view_inventory",
        "vendors.export_inventory",
        "vendors.manage_inventory",
    ),
    RESPONDER: ("vendors.view_inventory",),
    LEGAL: (
        "incidents.view_all_incidents",
        "incidents.legal_review",
        "vendors.view_inventory",
        "vendors.export_inventory",
    ),
    VIEWER: (),
}

# Team roles (IncidentMember.Role values) each role may hold on an incident.
INCIDENT_ROLES: dict[str, frozenset[str]] = {
    COMMANDER: frozenset({"commander", "responder", "viewer"}),
    RESPONDER: frozenset({"responder", "viewer"}),
    LEGAL: frozenset({"legal", "viewer"}),
    VIEWER: frozenset({"viewer"}),
}
STAFF_INCIDENT_ROLES = frozenset({"commander", "responder", "viewer"})

NO_ROLE = (
    "Your account has no role in BreachDesk yet, so there is nothing here you may see. "
    "Ask an administrator to give you one."
)

ROLE_NAMES = frozenset(ROLE_PERMISSIONS)
_LEGAL_CACHE = "_breachdesk_is_legal"


def roles_of(user) -> frozenset[str]:
    """The role names (groups of ``ROLE_PERMISSIONS``) of an active user (breachdesk/grants.py)."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    return group_names(user) & ROLE_NAMES


def has_role(user) -> bool:
    """Staff, or in at least one of the four roles: anyone else sees nothing."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or roles_of(user)))


def may_command(user) -> bool:
    """Commanders (who open incidents) and staff may command an incident."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_staff or COMMANDER in roles_of(user))
    )


def is_legal(user) -> bool:
    """Holds the Legal ability (``incidents.legal_review``) as a grant, not by superuser status.

    Privileged legal advice is for the people Legal works with, so the blanket
    "every permission" of a superuser does not include it: only the
    permission given to the user or to one of their groups counts.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if not hasattr(user, _LEGAL_CACHE):
        if user.is_superuser:
            # Django grants a superuser every permission; ask for the real grants.
            held = (
                Permission.objects.filter(
                    content_type__app_label="incidents", codename="legal_review"
                )
                .filter(Q(group__user=user) | Q(user=user))
                .exists()
            )
        else:
            held = "incidents.legal_review" in user.get_all_permissions()
        setattr(user, _LEGAL_CACHE, held)
    return getattr(user, _LEGAL_CACHE)


def incident_roles_allowed(user) -> frozenset[str]:
    """The team roles this user may hold on an incident (empty: none)."""
    allowed: set[str] = set()
    for role in roles_of(user):
        allowed |= INCIDENT_ROLES[role]
    if user.is_authenticated and user.is_active and user.is_staff:
        allowed |= STAFF_INCIDENT_ROLES
    return frozenset(allowed)


def may_read_inventory(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm("vendors.view_inventory"))
    )


def may_export_inventory(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm("vendors.export_inventory"))
    )


def may_change_inventory(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm("vendors.manage_inventory"))
    )


def ensure_roles() -> None:
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def role_not_required(view):
    """Mark a view that a signed-in user with no role may still use (their preferences)."""
    view.role_not_required = True
    return view


def users_who_may_command():
    """Active Commander-role users and staff: whom command can be handed to."""
    from breachdesk.models import User

    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(groups__name=COMMANDER))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def users_with_a_role():
    """Active users in a role (or staff): whom a team may include."""
    from breachdesk.models import User

    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(groups__name__in=ROLE_PERMISSIONS))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
