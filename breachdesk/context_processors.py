"""What the top bar may offer the signed-in user (breachdesk/roles.py decides)."""

from django.utils.functional import SimpleLazyObject

from breachdesk.roles import has_role, may_read_inventory


def access(request) -> dict:
    user = request.user
    return {
        "user_has_role": SimpleLazyObject(lambda: has_role(user)),
        "user_reads_inventory": SimpleLazyObject(lambda: may_read_inventory(user)),
    }
