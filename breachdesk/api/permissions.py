"""What every API call needs before its own checks: a role, and a token that may write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from breachdesk.models import ApiToken
from breachdesk.roles import NO_ROLE, has_role

READ_ONLY_TOKEN = _("This API token is read-only; create one without that option to make changes.")


class HasRole(permissions.BasePermission):
    """Signed in (or a token) and in a role: the pages' door (``RoleRequiredMiddleware``)."""

    message = NO_ROLE

    def has_permission(self, request, view) -> bool:
        return has_role(request.user)


class TokenMayWrite(permissions.BasePermission):
    """A read-only token reads (GET, HEAD, OPTIONS) and nothing else: 403 on a write."""

    message = READ_ONLY_TOKEN

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return not (isinstance(request.auth, ApiToken) and request.auth.read_only)
