from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from kombu.exceptions import OperationalError as BrokerError

from breachdesk.celery import app as celery_app
from breachdesk.feed_keys import feed_key
from breachdesk.forms import ApiTokenForm, ApiTokenRevokeForm, PreferencesForm
from breachdesk.models import ApiToken
from breachdesk.roles import has_role, role_not_required
from breachdesk.services import (
    api_token_create,
    api_token_revoke,
    user_rotate_calendar_token,
    user_set_time_zone,
)
from breachdesk.two_factor import has_second_factor
from breachdesk.types import HtmxHttpRequest

# A load balancer polls /healthz every few seconds; a dead broker must make it
# answer quickly rather than hang the probe.
BROKER_CHECK_TIMEOUT_SECONDS = 3


@role_not_required
@require_http_methods(["GET", "POST"])
def preferences(request: HtmxHttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and form.is_valid():
        user_set_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Your preferences are saved."))
        return redirect("preferences")
    status = 422 if request.method == "POST" else 200
    return _preferences_page(request, form=form, status=status)


def _preferences_page(request, *, form=None, token_form=None, new_token="", status=200):
    context = {
        "form": form or PreferencesForm(initial={"time_zone": request.user.time_zone}),
        # The personal feed link is shown here and nowhere else.
        "feed_key": feed_key(request.user) if has_role(request.user) else "",
        "api_tokens": _api_tokens(request.user),
        "token_form": token_form or ApiTokenForm(),
        "new_token": new_token,
        "two_factor_on": has_second_factor(request.user),
    }
    return render(request, "breachdesk/preferences.html", context, status=status)


def _api_tokens(user):
    """The user's tokens not revoked, newest first (expired ones too, until revoked); None
    for a user in no role, who has nothing to call the API for."""
    if not has_role(user):
        return None
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


@require_POST
def api_token_new(request: HtmxHttpRequest) -> HttpResponse:
    """Create a personal API token and show it once, on this answer only (never stored)."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _preferences_page(request, token_form=form, status=422)
    row, token = api_token_create(user=request.user, **form.cleaned_data)
    messages.success(
        request, _("Token “%s” created. Copy it now: it is not shown again.") % row.name
    )
    # No redirect: the token exists only in this response. It is not cached.
    response = _preferences_page(request, new_token=token)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def api_token_revoke_view(request: HtmxHttpRequest) -> HttpResponse:
    form = ApiTokenRevokeForm(request.POST)
    if form.is_valid() and api_token_revoke(
        user=request.user, token_id=form.cleaned_data["token_id"]
    ):
        messages.success(request, _("The token is revoked; it no longer works."))
    else:
        messages.error(request, _("That token is not one of yours in use; nothing changed."))
    return redirect("preferences")


@require_POST
def calendar_key_rotate(request: HtmxHttpRequest) -> HttpResponse:
    user_rotate_calendar_token(user=request.user)
    messages.success(
        request, _("Your calendar links have a new key; the old links no longer work.")
    )
    return redirect("preferences")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=BROKER_CHECK_TIMEOUT_SECONDS)
        return True
    except (BrokerError, OSError):
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    status = {
        "database": "ok" if _database_ok() else "unavailable",
        "broker": "ok" if _broker_ok() else "unavailable",
    }
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)
