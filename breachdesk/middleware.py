import zoneinfo

from django.shortcuts import render
from django.utils import timezone

from breachdesk.roles import NO_ROLE, has_role


class UserTimeZoneMiddleware:
    """Show times in the signed-in user's zone; everything is stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RoleRequiredMiddleware:
    """No role, no data: a signed-in user in no role gets 403 everywhere but a few pages.

    Like Django's LoginRequiredMiddleware one step further in: views marked
    ``@login_not_required`` (public) or ``@role_not_required`` (the dashboard,
    which asks for a role, preferences, password, sign-out) stay open.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or has_role(user):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if getattr(view_func, "role_not_required", False):
            return None
        return render(request, "breachdesk/no_role.html", {"message": NO_ROLE}, status=403)
