import zoneinfo
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from breachdesk.roles import NO_ROLE, has_role
from breachdesk.two_factor import has_second_factor, must_use_second_factor, session_is_verified

# Epoch seconds, so that the values survive the JSON session serializer.
SIGNED_IN_AT = "signed_in_at"
ACTIVE_AT = "active_at"
# Recording every request would save the session on every click; a minute's
# slack on a 12-hour timeout does not matter.
ACTIVITY_RESOLUTION_SECONDS = 60

SESSION_ENDED = _("Your session ended; sign in again.")
SESSION_ENDED_NOT_SAVED = _("Your session ended; sign in again. What you were doing was not saved.")


def _is_background(request) -> bool:
    """An htmx GET: a panel refreshing itself or a poll, not someone at work.

    Page loads and every POST (htmx or not) are activity; so a workspace left
    open on a screen, refreshing its panels, still reaches the idle timeout.
    """
    return bool(request.htmx) and request.method in ("GET", "HEAD")


def _now() -> int:
    return int(timezone.now().timestamp())


def session_signed_in(sender, request, user, **kwargs):
    """Start both clocks at sign-in (connected to ``user_logged_in``).

    Signing in again as the same user keeps the session's data, so the clocks
    are set here rather than only when they are missing.
    """
    now = _now()
    request.session[SIGNED_IN_AT] = now
    request.session[ACTIVE_AT] = now


class SessionTimeoutMiddleware:
    """Sign out a session idle for SESSION_IDLE_HOURS or older than SESSION_MAX_HOURS.

    The ended request then carries on as anonymous, so LoginRequiredMiddleware
    sends it to sign in like any other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session = request.session
        now = _now()
        if SIGNED_IN_AT not in session:
            # Signed in before sessions had timeouts: count from now rather
            # than sign everyone out at once on the day this is deployed.
            session[SIGNED_IN_AT] = session[ACTIVE_AT] = now
        idle = now - session[ACTIVE_AT]
        age = now - session[SIGNED_IN_AT]
        if idle > settings.SESSION_IDLE_HOURS * 3600 or age > settings.SESSION_MAX_HOURS * 3600:
            auth.logout(request)
        elif not _is_background(request) and idle >= ACTIVITY_RESOLUTION_SECONDS:
            session[ACTIVE_AT] = now


def _same_site_path(request, url: str | None) -> str:
    """The path and query of ``url`` if it is a page of this site, else ""."""
    if not url:
        return ""
    parts = urlsplit(url)
    path = urlunsplit(("", "", parts.path, parts.query, ""))
    hosts = {request.get_host()}
    secure = request.is_secure()
    if not (
        url_has_allowed_host_and_scheme(url, hosts, secure)
        and path.startswith("/")
        # "//host/…" as a path would leave the site.
        and url_has_allowed_host_and_scheme(path, hosts, secure)
    ):
        return ""
    # A form re-shown at its own POST-only URL (after an error, without
    # JavaScript) is no page to come back to: signing in would land on a 405.
    if parts.path == request.path and request.method not in ("GET", "HEAD"):
        return ""
    return path


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Send a request without a session to sign in, and back to a page afterwards.

    Page loads keep Django's behaviour (``next`` is the page itself). An htmx
    request would have the sign-in page swapped into a panel, and a form post
    would come back after sign-in to its POST-only URL (405); both instead
    redirect the whole page, with ``next`` set to the page the user was on,
    and say on the sign-in page what happened.
    """

    def handle_no_permission(self, request, view_func):
        reading = request.method in ("GET", "HEAD")
        if reading and not request.htmx:
            return super().handle_no_permission(request, view_func)

        messages.warning(request, SESSION_ENDED if reading else SESSION_ENDED_NOT_SAVED)
        came_from = request.htmx.current_url if request.htmx else request.headers.get("Referer")
        next_path = _same_site_path(request, came_from)
        login_url = resolve_url(self.get_login_url(view_func))
        if next_path:
            field = self.get_redirect_field_name(view_func)
            login_url = redirect_to_login(next_path, login_url, field).url
        if request.htmx:
            return HttpResponseClientRedirect(login_url)
        return redirect(login_url)


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


class TwoFactorRequiredMiddleware:
    """Users in a ``REQUIRE_2FA_ROLES`` role pass a second factor before anything else.

    One with no device yet is sent to enrol; one whose session has not passed
    its device (signed in before enrolling elsewhere) is asked for a code.
    Public views and those marked ``@two_factor_not_required`` (enrolment,
    the code, sign-out) stay open. With the setting empty it does nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.REQUIRE_2FA_ROLES:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if getattr(view_func, "two_factor_not_required", False):
            return None
        if not must_use_second_factor(user) or session_is_verified(request):
            return None
        url = reverse("login-code" if has_second_factor(user) else "two-factor")
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
