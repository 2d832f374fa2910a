from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from kombu.exceptions import OperationalError as BrokerError

from breachdesk.celery import app as celery_app
from breachdesk.feed_keys import feed_key
from breachdesk.forms import PreferencesForm
from breachdesk.roles import NO_ROLE, has_role, may_command, role_not_required
from breachdesk.services import user_rotate_calendar_token, user_set_time_zone
from breachdesk.types import HtmxHttpRequest
from incidents.models import SETTLED_BY_FACTS, Deadline, Incident
from incidents.selectors import incident_list_for_user, my_open_tasks
from incidents.services.notifications import ack_lookup, notification_acknowledge

# A load balancer polls /healthz every few seconds; a dead broker must make it
# answer quickly rather than hang the probe.
BROKER_CHECK_TIMEOUT_SECONDS = 3


# The dashboard shows a screenful; the incident list has the rest.
DASHBOARD_INCIDENTS = 25
DASHBOARD_TASKS = 25


@role_not_required
@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    if not has_role(request.user):
        return render(request, "breachdesk/no_role.html", {"message": NO_ROLE})
    next_deadline = (
        Deadline.objects.filter(
            incident=OuterRef("pk"),
            status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED],
            due_at__isnull=False,
        )
        .exclude(rule_id__in=SETTLED_BY_FACTS)
        .order_by("due_at")
    )
    incidents = (
        incident_list_for_user(user=request.user)
        .exclude(phase=Incident.Phase.CLOSED)
        .annotate(
            next_deadline_due=Subquery(next_deadline.values("due_at")[:1]),
            next_deadline_citation=Subquery(next_deadline.values("citation")[:1]),
        )
    )
    context = {
        "incidents": list(incidents[:DASHBOARD_INCIDENTS]),
        "my_tasks": list(my_open_tasks(user=request.user)[:DASHBOARD_TASKS]),
        "can_open": may_command(request.user),
        "now": timezone.now(),
    }
    return render(request, "breachdesk/home.html", context)


@role_not_required
@require_http_methods(["GET", "POST"])
def preferences(request: HtmxHttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and form.is_valid():
        user_set_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Your preferences are saved."))
        return redirect("preferences")
    context = {
        "form": form,
        # The personal feed link is shown here and nowhere else.
        "feed_key": feed_key(request.user) if has_role(request.user) else "",
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "breachdesk/preferences.html", context, status=status)


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


@login_not_required
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """A stakeholder confirms receipt of a notice through its signed link.

    Opening the link only shows the notice; the receipt is recorded by the
    button, because mail scanners open links without a person reading them.
    """
    if request.method == "POST":
        result = notification_acknowledge(token=token)
    else:
        result = ack_lookup(token)
    status = 200 if result.outcome in ("ready", "acknowledged", "already") else 400
    return render(request, "ack/ack.html", {"result": result}, status=status)
