from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

CANNOT_EDIT = _(
    "You can read the vendor inventory but not change it. Commanders and administrators can."
)


def can_manage_inventory(user) -> bool:
    """Commanders (through their group's permission) and staff keep the inventory."""
    return user.is_active and (user.is_staff or user.has_perm("vendors.manage_inventory"))


def inventory_editor_required(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not can_manage_inventory(request.user):
            raise PermissionDenied(CANNOT_EDIT)
        return view(request, *args, **kwargs)

    return guarded
