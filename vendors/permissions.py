"""Who may read, export and change the inventory; the rule itself is in breachdesk/roles.py."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from breachdesk.roles import may_change_inventory, may_export_inventory, may_read_inventory

CANNOT_READ = _(
    "The vendor inventory is for commanders, responders and Legal. "
    "Ask an administrator if you need it."
)
CANNOT_EXPORT = _("Only commanders, Legal and administrators export the vendor inventory.")
CANNOT_EDIT = _(
    "You can read the vendor inventory but not change it. Commanders and administrators can."
)


def can_manage_inventory(user) -> bool:
    return may_change_inventory(user)


def _guard(allowed, message):
    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return guarded

    return decorator


inventory_reader_required = _guard(may_read_inventory, CANNOT_READ)
inventory_exporter_required = _guard(may_export_inventory, CANNOT_EXPORT)
inventory_editor_required = _guard(may_change_inventory, CANNOT_EDIT)
