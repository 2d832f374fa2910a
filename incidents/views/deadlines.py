"""Deadlines: the decisions that start clocks, meeting or waiving one, what-if, calendar feeds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from breachdesk.feed_keys import ALL_INCIDENTS, feed_user, incident_scope
from breachdesk.models import User
from breachdesk.roles import NO_ROLE, has_role
from breachdesk.types import HtmxHttpRequest
from incidents import selectors, services
from incidents.calendar_feed import calendar_feed
from incidents.clocks import FactsError, compute_clocks, parse_facts
from incidents.forms import (
    PROFILE_FACTS,
    ClockRulesFilterForm,
    DeadlineMetForm,
    DeadlineWaiveForm,
    DecisionsForm,
    WhatIfForm,
)
from incidents.models import Deadline, Incident, OrganisationProfile
from incidents.views.responses import attach, call_action, form_action
from vendors.jurisdictions import unknown_codes

# Decisions and recomputing move deadlines: the list, the next one in the
# header, and the timeline.
DEADLINE_CHANGES = ("deadlines", "header", "timeline-latest")


@require_POST
def incident_record_decisions(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return form_action(
        request,
        ws,
        form=DecisionsForm(request.POST),
        form_name="decisions_form",
        panel="decisions",
        changed=DEADLINE_CHANGES,
        run=lambda data: services.incident_record_decisions(
            incident=ws.incident, actor=request.user, **data
        ),
    )


@require_POST
def deadlines_recompute(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return call_action(
        request,
        ws,
        panel="deadlines",
        changed=("header", "timeline-latest"),
        run=lambda: services.deadlines_recompute(incident=ws.incident, actor=request.user),
    )


def _deadline(ws, deadline_id: int) -> Deadline:
    return get_object_or_404(ws.incident.deadlines.select_related("decided_by"), pk=deadline_id)


def _deadline_page(request, ws, deadline, *, met_form=None, waive_form=None, status=200):
    context = {
        "incident": ws.incident,
        "deadline": deadline,
        "abilities": ws.abilities,
        "now": ws.now,
        # No time is filled in for the filing: "now" would record a filing nobody made.
        "met_form": met_form or DeadlineMetForm(),
        "waive_form": waive_form or DeadlineWaiveForm(),
    }
    return render(request, "incidents/deadline.html", context, status=status)


@require_GET
def deadline_detail(request: HtmxHttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return _deadline_page(request, ws, _deadline(ws, deadline_id))


@require_POST
def deadline_mark_met(request: HtmxHttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    deadline = _deadline(ws, deadline_id)
    form = DeadlineMetForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_mark_met(
                deadline=deadline,
                actor=request.user,
                filed_at=form.cleaned_data["filed_at"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Recorded as met."))
            return redirect(ws.incident)
    return _deadline_page(request, ws, deadline, met_form=form, status=422)


@require_POST
def deadline_waive(request: HtmxHttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    deadline = _deadline(ws, deadline_id)
    form = DeadlineWaiveForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_waive(
                deadline=deadline, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Recorded as not required, with the rationale."))
            return redirect(ws.incident)
    return _deadline_page(request, ws, deadline, waive_form=form, status=422)


@require_GET
def whatif(request: HtmxHttpRequest) -> HttpResponse:
    """Legal tries facts against the clock engine; no incident is touched."""
    form = WhatIfForm(request.GET or None, initial=_whatif_initial())
    clocks_found = None
    if form.is_bound and form.is_valid():
        try:
            clocks_found = compute_clocks(parse_facts(form.facts(), unknown_codes=unknown_codes))
        except FactsError as exc:
            field = exc.field.removeprefix("entity.").split(".")[0].split("[")[0]
            form.add_error(field if field in form.fields else None, str(exc))
    status = 422 if form.is_bound and form.errors else 200
    context = {"form": form, "clocks": clocks_found, "now": timezone.now()}
    return render(request, "incidents/whatif.html", context, status=status)


@require_GET
def clock_rules(request: HtmxHttpRequest) -> HttpResponse:
    """Every rule the clock engine applies, with its trigger, window, calendar, citation,
    grade and effective dates; filtered by jurisdiction."""
    form = ClockRulesFilterForm(request.GET or None, choices=selectors.clock_rule_jurisdictions())
    jurisdiction = form.cleaned_data["jurisdiction"] if form.is_valid() else ""
    context = {
        "form": form,
        "rows": selectors.clock_rules(jurisdiction=jurisdiction),
        "jurisdiction": jurisdiction,
    }
    status = 422 if form.is_bound and form.errors else 200
    template = "incidents/clock_rules.html#rules" if request.htmx else "incidents/clock_rules.html"
    return render(request, template, context, status=status)


def _whatif_initial() -> dict:
    profile = OrganisationProfile.current()
    return {
        "aware_at": timezone.localtime().replace(second=0, microsecond=0),
        **{name: getattr(profile, name) for name in PROFILE_FACTS},
        "enabled_rules": profile.enabled_rules,
    }


# --- calendar feeds -------------------------------------------------------------------------


def _feed_user(request, scope: str) -> User:
    """The calendar feed's reader: the key in the link for this scope, or the signed-in user."""
    key = request.GET.get("key", "")
    if key:
        user = feed_user(key[:200], scope)
    else:
        user = request.user if request.user.is_authenticated else None
    if user is None:
        raise Http404
    if not has_role(user):
        raise PermissionDenied(NO_ROLE)
    return user


@login_not_required
@require_GET
def incident_deadlines_ics(request: HttpRequest, reference: str) -> HttpResponse:
    """This incident's deadlines for one user; its key opens no other incident's feed."""
    incident = get_object_or_404(Incident.objects.only("pk"), reference=reference[:16])
    user = _feed_user(request, incident_scope(incident.pk))
    incident = selectors.incident_get_for_user(user=user, reference=reference)
    return _ics(selectors.feed_deadlines(incidents=[incident]), f"{incident.reference}-deadlines")


@login_not_required
@require_GET
def my_deadlines_ics(request: HttpRequest) -> HttpResponse:
    user = _feed_user(request, ALL_INCIDENTS)
    incidents = selectors.visible_incidents(user=user).exclude(phase=Incident.Phase.CLOSED)
    return _ics(selectors.feed_deadlines(incidents=incidents), "breachdesk-deadlines")


def _ics(deadlines, name: str) -> HttpResponse:
    response = HttpResponse(
        calendar_feed(deadlines, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response
