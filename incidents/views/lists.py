"""Pages that list incidents, and opening one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from breachdesk.pagination import TwoEndedPaginator
from breachdesk.roles import NO_ROLE, has_role, may_command, role_not_required
from breachdesk.spreadsheets import csv_response
from breachdesk.types import HtmxHttpRequest
from incidents import reports, selectors, services
from incidents.filters import IncidentFilter
from incidents.forms import IncidentOpenForm
from incidents.views.responses import attach
from vendors.models import Vendor

LIST_PAGE_SIZE = 50

CANNOT_OPEN = _("Only commanders and administrators open incidents.")


@role_not_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """What is burning first; or, with no role, how to get one.

    Open incidents most urgent first, the week's deadlines, vendors with open
    incidents, notices that failed or wait for an acknowledgement, and my
    tasks. An htmx request (the 30-second poll) gets the panels only.
    """
    if not has_role(request.user):
        return render(request, "breachdesk/no_role.html", {"message": NO_ROLE})
    user = request.user
    now = timezone.now()
    context = {
        "incidents": selectors.dashboard_incidents(user=user),
        "deadlines": selectors.upcoming_deadlines(user=user, now=now),
        "vendors": selectors.vendors_with_open_incidents(user=user),
        "failed_notices": list(selectors.failed_notices_for(user)),
        "unacknowledged_notices": list(selectors.unacknowledged_notices_for(user, now=now)),
        "my_tasks": list(selectors.my_open_tasks(user=user)[: selectors.lists.DASHBOARD_TASKS]),
        "can_open": may_command(user),
        "now": now,
    }
    template = "incidents/dashboard.html#panels" if request.htmx else "incidents/dashboard.html"
    return render(request, template, context)


@require_GET
def incident_list(request: HtmxHttpRequest) -> HttpResponse:
    """The incidents this user may see, filtered and sorted (``IncidentFilter``), 50 a page."""
    filters = IncidentFilter(
        request.GET, queryset=selectors.incident_list_for_user(user=request.user)
    )
    page = TwoEndedPaginator(filters.qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "export_query": export_query.urlencode(),
        "can_open": may_command(request.user),
        "now": timezone.now(),
    }
    template = "incidents/list.html#results" if request.htmx else "incidents/list.html"
    return render(request, template, context, status=200 if filters.is_valid() else 422)


@require_GET
def incident_list_export_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The incident list as CSV, with the same filters, search and sort as the page.

    A GET: it reads and writes nothing, like the list. Only the incidents
    this user may see; every row, not one page. Bad filters re-show the list
    with their messages (422).
    """
    filters = IncidentFilter(
        request.GET, queryset=selectors.incident_list_for_user(user=request.user)
    )
    if not filters.is_valid():
        return incident_list(request)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(
        filename=f"incidents-{stamp}.csv",
        header=reports.INCIDENT_LIST_CSV_HEADER,
        rows=reports.incident_list_csv_rows(filters.qs),
    )


@require_GET
def vendor_incidents(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The incidents involving one vendor that this user may see: the vendor page's section.

    Served here, under the incidents' need-to-know gate, so that the
    inventory never reads incidents itself.
    """
    vendor = get_object_or_404(Vendor, slug=slug)
    page = Paginator(
        selectors.vendor_incidents(vendor=vendor, user=request.user),
        selectors.lists.VENDOR_INCIDENTS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    context = {"vendor": vendor, "page": page}
    template = (
        "incidents/vendor_incidents.html#incidents"
        if request.htmx
        else "incidents/vendor_incidents.html"
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def incident_open(request: HtmxHttpRequest) -> HttpResponse:
    # Not an incident's gate: who may open one is decided before the form is shown.
    if not may_command(request.user):
        raise PermissionDenied(CANNOT_OPEN)
    form = IncidentOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = services.incident_open(
                    actor=request.user,
                    title=data["title"],
                    vendors=list(data["vendors"]),
                    source=data["source"],
                    severity=data["severity"],
                    summary=data["summary"],
                    discovered_at=data["discovered_at"],
                    vendor_aware_at=data["vendor_aware_at"],
                    occurred_at=data["occurred_at"],
                    commander=data["commander"],
                    restricted=data["restricted"],
                    submission_token=data["submission_token"],
                )
            except ValidationError as exc:
                attach(form, exc)
            else:
                messages.success(request, _("%s is open.") % incident.reference)
                return redirect(incident)
        return render(request, "incidents/new.html", {"form": form}, status=422)
    return render(request, "incidents/new.html", {"form": form})
