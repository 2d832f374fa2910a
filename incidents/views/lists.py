"""Pages that list incidents, and opening one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from breachdesk.roles import NO_ROLE, has_role, may_command, role_not_required
from breachdesk.types import HtmxHttpRequest
from incidents import selectors, services
from incidents.forms import IncidentOpenForm
from incidents.models import Incident
from incidents.views.responses import attach
from vendors.models import Vendor

LIST_PAGE_SIZE = 50

CANNOT_OPEN = _("Only commanders and administrators open incidents.")


@role_not_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """Open incidents with their next deadline, and my tasks; or, with no role, how to get one."""
    if not has_role(request.user):
        return render(request, "breachdesk/no_role.html", {"message": NO_ROLE})
    context = {
        "incidents": selectors.dashboard_incidents(user=request.user),
        "my_tasks": list(
            selectors.my_open_tasks(user=request.user)[: selectors.lists.DASHBOARD_TASKS]
        ),
        "can_open": may_command(request.user),
        "now": timezone.now(),
    }
    return render(request, "incidents/dashboard.html", context)


@require_GET
def incident_list(request: HtmxHttpRequest) -> HttpResponse:
    incidents = selectors.incident_list_for_user(user=request.user)
    state = request.GET.get("state", "open")
    if state == "open":
        incidents = incidents.exclude(phase=Incident.Phase.CLOSED)
    elif state in Incident.Phase.values:
        incidents = incidents.filter(phase=state)
    severity = request.GET.get("severity", "")
    if severity in Incident.Severity.values:
        incidents = incidents.filter(severity=severity)
    vendor_slug = request.GET.get("vendor", "")[:200]
    if vendor_slug:
        incidents = incidents.filter(vendors__slug=vendor_slug)
    query = request.GET.get("q", "").strip()[:200]
    for term in query.split():
        incidents = incidents.filter(
            Q(reference__icontains=term)
            | Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(vendors__name__icontains=term)
        ).distinct()
    page = Paginator(incidents, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "severity": severity,
        "query": query,
        "vendor_slug": vendor_slug,
        "phases": Incident.Phase.choices,
        "severity_choices": [("", _("Any")), *Incident.Severity.choices],
        "can_open": may_command(request.user),
        "now": timezone.now(),
    }
    template = "incidents/list.html#results" if request.htmx else "incidents/list.html"
    return render(request, template, context)


@require_GET
def vendor_incidents(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The incidents involving one vendor that this user may see: the vendor page's section.

    Served here, under the incidents' need-to-know gate, so that the
    inventory never reads incidents itself.
    """
    vendor = get_object_or_404(Vendor, slug=slug)
    incidents, more = selectors.vendor_incidents(vendor=vendor, user=request.user)
    context = {"vendor": vendor, "incidents": incidents, "more": more}
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
