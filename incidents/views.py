import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from breachdesk.feed_keys import ALL_INCIDENTS, feed_key, feed_user, incident_scope
from breachdesk.models import User
from breachdesk.roles import NO_ROLE, has_role, may_command
from breachdesk.types import HtmxHttpRequest
from incidents import selectors, services
from incidents.calendar_feed import calendar_feed
from incidents.chain import iso_utc
from incidents.clocks import FactsError, compute_clocks, parse_facts
from incidents.exceptions import TransitionNotAllowed
from incidents.forms import (
    AdvancePhaseForm,
    CommanderForm,
    DeadlineMetForm,
    DeadlineWaiveForm,
    DecisionsForm,
    IncidentOpenForm,
    MemberAddForm,
    MemberRoleForm,
    NoteForm,
    NotificationDraftForm,
    PauseForm,
    ReopenForm,
    ResumeApprovalForm,
    ScopeMarkForm,
    SeverityForm,
    TaskAssignForm,
    TaskSkipForm,
    TimelineExportForm,
    WhatIfForm,
)
from incidents.models import (
    PHASE_ORDER,
    SETTLED_BY_FACTS,
    Deadline,
    Incident,
    IncidentMember,
    Notification,
    OrganisationProfile,
    Task,
)
from incidents.permissions import abilities_for
from vendors.models import Vendor

LIST_PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 100
PANELS = {
    "phase",
    "triage",
    "members",
    "timeline-latest",
    "tasks",
    "notifications",
    "deadlines",
    "decisions",
}
CHANGED_EVENT = "incident-changed"

CANNOT_OPEN = _("Only commanders and administrators open incidents.")
NOT_COMMANDER = _("Only the incident commander (or an administrator) can do this.")
NOT_WORKING = _("Only members working this incident can do this.")


def _gate(request, reference: str) -> Incident:
    return selectors.incident_get_for_user(user=request.user, reference=reference)


def _errors_of(exc: ValidationError) -> list[str]:
    return (
        [message for messages in exc.message_dict.values() for message in messages]
        if hasattr(exc, "error_dict")
        else list(exc.messages)
    )


def _attach(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- list and opening -------------------------------------------------------


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


VENDOR_INCIDENTS_SHOWN = 20


@require_GET
def vendor_incidents(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The incidents involving one vendor that this user may see: the vendor page's section.

    Served here, under the incidents' need-to-know gate, so that the
    inventory never reads incidents itself.
    """
    vendor = get_object_or_404(Vendor, slug=slug)
    incidents = list(
        selectors.visible_incidents(user=request.user)
        .filter(vendors=vendor)
        .order_by("-discovered_at")[: VENDOR_INCIDENTS_SHOWN + 1]
    )
    context = {
        "vendor": vendor,
        "incidents": incidents[:VENDOR_INCIDENTS_SHOWN],
        "more": len(incidents) > VENDOR_INCIDENTS_SHOWN,
    }
    template = (
        "incidents/vendor_incidents.html#incidents"
        if request.htmx
        else "incidents/vendor_incidents.html"
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def incident_create(request: HtmxHttpRequest) -> HttpResponse:
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
                _attach(form, exc)
            else:
                messages.success(request, _("%s is open.") % incident.reference)
                return redirect(incident)
        return render(request, "incidents/new.html", {"form": form}, status=422)
    return render(request, "incidents/new.html", {"form": form})


# --- the workspace -----------------------------------------------------------


def _workspace_context(request, incident: Incident, **overrides) -> dict:
    members = selectors.incident_members(incident=incident)
    membership = next((m for m in members if m.user_id == request.user.pk), None)
    abilities = abilities_for(request.user, incident, membership)
    tasks = selectors.incident_tasks(incident=incident)
    scope_items = selectors.incident_scope_items(incident=incident)
    held_count = selectors.held_assets(incident).count()
    phase_groups: dict[str, list[Task]] = {}
    for task in tasks:
        phase_groups.setdefault(task.phase, []).append(task)
    vendors = list(incident.vendors.all())
    deadlines = selectors.incident_deadlines(incident=incident)
    pauses = selectors.incident_pauses(incident=incident)
    context = {
        "incident": incident,
        "vendors": vendors,
        "abilities": abilities,
        "members": members,
        "phase_groups": [
            (phase, Incident.Phase(phase).label, group) for phase, group in phase_groups.items()
        ],
        "phases": [(value, Incident.Phase(value).label) for value in PHASE_ORDER],
        "phase_index": PHASE_ORDER.index(incident.phase),
        "next_phase_label": Incident.Phase(incident.next_phase).label
        if incident.next_phase
        else "",
        "open_required": [
            t for t in tasks if t.phase == incident.phase and t.required and t.is_open
        ],
        "open_deadlines_on_close": [
            d for d in deadlines if d.is_open and d.rule_id not in SETTLED_BY_FACTS
        ]
        if incident.next_phase == Incident.Phase.CLOSED
        else [],
        "pauses": pauses,
        "recipient_gaps": selectors.recipient_gaps(
            incident=incident, members=members, tasks=tasks, pauses=pauses
        ),
        "pause_overview": selectors.incident_pause_overview(incident=incident, user=request.user),
        "scope": selectors.summarise_scope(scope_items, held_count),
        "held_count": held_count,
        "entries": selectors.latest_entries(
            incident=incident, reads_privileged=abilities.reads_privileged
        ),
        "notifications": selectors.incident_notifications(incident=incident),
        "deadlines": deadlines,
        "incident_feed_key": feed_key(request.user, incident_scope(incident.pk)),
        "next_deadline": next((d for d in deadlines if d.is_open and d.due_at), None),
        "decisions_form": DecisionsForm(
            initial={name: getattr(incident, name) for name in DecisionsForm.base_fields}
        ),
        "now": timezone.now(),
        "note_form": NoteForm(can_mark_privileged=abilities.privileged_notes),
        "phase_form": AdvancePhaseForm(initial={"to_phase": incident.next_phase}),
        "reopen_form": ReopenForm(),
        "pause_form": PauseForm(),
        "resume_form": ResumeApprovalForm(),
        "severity_form": SeverityForm(initial={"severity": incident.severity}),
        "commander_form": CommanderForm(initial={"commander": incident.commander_id}),
        "can_take_command": may_command(request.user)
        and incident.commander_id != request.user.pk
        and not abilities.commands
        and not incident.is_closed,
        "member_form": MemberAddForm(incident=incident) if abilities.commands else None,
        "assign_form": TaskAssignForm(incident=incident),
    }
    context.update(overrides)
    return context


@require_GET
def incident_detail(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    context = _workspace_context(request, incident)
    panel = request.GET.get("panel", "")
    if request.htmx and panel in PANELS:
        return render(request, f"incidents/detail.html#{panel}", context)
    return render(request, "incidents/detail.html", context)


def _panel_response(request, incident, panel: str, status: int = 200, errors=(), **overrides):
    """After a change: the panel for htmx (other panels refresh on the event), or PRG."""
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        return redirect(incident)
    incident.refresh_from_db()
    context = _workspace_context(request, incident, panel_errors=list(errors), **overrides)
    response = render(request, f"incidents/detail.html#{panel}", context, status=status)
    if status < 400:
        trigger_client_event(response, CHANGED_EVENT)
    return response


def _panel_call(request, incident, panel: str, run):
    """Run a service that needs no form; if it refuses, the panel says why (422)."""
    try:
        run()
    except TransitionNotAllowed as exc:
        return _panel_response(request, incident, panel, status=422, errors=[str(exc)])
    except ValidationError as exc:
        return _panel_response(request, incident, panel, status=422, errors=_errors_of(exc))
    return _panel_response(request, incident, panel)


def _no_js_failure(request, incident, form_errors: list[str]):
    for error in form_errors:
        messages.error(request, error)
    return redirect(incident)


def _panel_action(request, incident, *, form, panel: str, form_name: str, run):
    """Validate ``form``, run the service, answer with the panel (htmx) or a redirect.

    On failure the panel comes back with the form and its errors (422), so
    nothing is saved and the responder sees why next to the field.
    """
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return _panel_response(request, incident, panel)
    if not request.htmx:
        return _no_js_failure(request, incident, _form_messages(form))
    return _panel_response(request, incident, panel, status=422, **{form_name: form})


@require_POST
def incident_phase(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    return _panel_action(
        request,
        incident,
        form=AdvancePhaseForm(request.POST),
        panel="phase",
        form_name="phase_form",
        run=lambda data: services.incident_advance_phase(
            incident=incident,
            to_phase=data["to_phase"],
            actor=request.user,
            override_reason=data["override_reason"],
        ),
    )


def _form_messages(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@require_POST
def incident_reopen(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    return _panel_action(
        request,
        incident,
        form=ReopenForm(request.POST),
        panel="phase",
        form_name="reopen_form",
        run=lambda data: services.incident_reopen(
            incident=incident, actor=request.user, reason=data["reason"]
        ),
    )


@require_POST
def incident_severity(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    form = SeverityForm(request.POST)
    if form.is_valid():
        services.incident_set_severity(
            incident=incident,
            actor=request.user,
            severity=form.cleaned_data["severity"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Severity updated."))
        return redirect(incident)
    return _no_js_failure(request, incident, _form_messages(form))


@require_POST
def incident_commander(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """Hand command over, or take it (a Commander-role user choosing themselves)."""
    incident = _gate(request, reference)
    form = CommanderForm(request.POST)
    if form.is_valid():
        try:
            services.incident_set_commander(
                incident=incident, actor=request.user, commander=form.cleaned_data["commander"]
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Command handed over."))
            return redirect(incident)
    context = _workspace_context(request, incident, commander_form=form)
    if not context["abilities"].commands:
        # "Take command" is a bare button; the page has no form to show the error next to.
        for error in _form_messages(form):
            messages.error(request, error)
    return render(request, "incidents/detail.html", context, status=422)


# --- members --------------------------------------------------------------------


@require_POST
def member_add(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    if not abilities_for(request.user, incident).commands:
        raise PermissionDenied(NOT_COMMANDER)
    return _panel_action(
        request,
        incident,
        form=MemberAddForm(request.POST, incident=incident),
        panel="members",
        form_name="member_form",
        run=lambda data: services.member_add(
            incident=incident, actor=request.user, user=data["user"], role=data["role"]
        ),
    )


def _member(incident: Incident, member_id: int) -> IncidentMember:
    return get_object_or_404(incident.members.select_related("user"), pk=member_id)


@require_POST
def member_role(request: HtmxHttpRequest, reference: str, member_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    member = _member(incident, member_id)
    form = MemberRoleForm(request.POST)

    def run():
        if not form.is_valid():
            raise ValidationError(_form_messages(form))
        services.member_set_role(member=member, actor=request.user, role=form.cleaned_data["role"])

    return _panel_call(request, incident, "members", run)


@require_POST
def member_remove(request: HtmxHttpRequest, reference: str, member_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    member = _member(incident, member_id)
    return _panel_call(
        request,
        incident,
        "members",
        lambda: services.member_remove(member=member, actor=request.user),
    )


# --- tasks ------------------------------------------------------------------------


def _task(incident: Incident, task_id: int) -> Task:
    """Tasks are found within the incident, so a forged id of another is a 404."""
    return get_object_or_404(incident.tasks.select_related("assignee"), pk=task_id)


def _task_response(request, incident, task, status=200, errors=(), skip_form=None):
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        return redirect(f"{incident.get_absolute_url()}#task-{task.pk}")
    members = selectors.incident_members(incident=incident)
    membership = next((m for m in members if m.user_id == request.user.pk), None)
    task.refresh_from_db()
    context = {
        "incident": incident,
        "task": task,
        "abilities": abilities_for(request.user, incident, membership),
        "assign_form": TaskAssignForm(incident=incident),
        "task_errors": list(errors),
        "skip_form": skip_form,
        "now": timezone.now(),
    }
    partial = "task-skip-row" if skip_form is not None else "task-row"
    response = render(request, f"incidents/detail.html#{partial}", context, status=status)
    if status < 400 and skip_form is None:
        trigger_client_event(response, CHANGED_EVENT)
    return response


def _run_task_service(request, incident, task, service, **kwargs):
    try:
        service(task=task, actor=request.user, **kwargs)
    except ValidationError as exc:
        return _task_response(request, incident, task, status=422, errors=_errors_of(exc))
    return _task_response(request, incident, task)


@require_POST
def task_complete(request: HtmxHttpRequest, reference: str, task_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    return _run_task_service(request, incident, _task(incident, task_id), services.task_complete)


@require_POST
def task_reopen(request: HtmxHttpRequest, reference: str, task_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    return _run_task_service(request, incident, _task(incident, task_id), services.task_reopen)


@require_POST
def task_assign(request: HtmxHttpRequest, reference: str, task_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    task = _task(incident, task_id)
    form = TaskAssignForm(request.POST, incident=incident)
    if not form.is_valid():
        return _task_response(request, incident, task, status=422, errors=_form_messages(form))
    return _run_task_service(
        request, incident, task, services.task_assign, assignee=form.cleaned_data["assignee"]
    )


@require_http_methods(["GET", "POST"])
def task_skip(request: HtmxHttpRequest, reference: str, task_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    task = _task(incident, task_id)
    if request.method == "GET":
        if request.htmx:
            return _task_response(request, incident, task, skip_form=TaskSkipForm())
        return render(
            request,
            "incidents/task_skip.html",
            {"incident": incident, "task": task, "form": TaskSkipForm()},
        )
    form = TaskSkipForm(request.POST)
    if form.is_valid():
        try:
            services.task_skip(task=task, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return _task_response(request, incident, task)
    if request.htmx:
        return _task_response(request, incident, task, status=422, skip_form=form)
    return render(
        request,
        "incidents/task_skip.html",
        {"incident": incident, "task": task, "form": form},
        status=422,
    )


# --- notes ------------------------------------------------------------------------


@require_POST
def note_add(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    abilities = abilities_for(request.user, incident)
    if not abilities.notes:
        raise PermissionDenied(NOT_WORKING)
    return _panel_action(
        request,
        incident,
        form=NoteForm(request.POST, can_mark_privileged=abilities.privileged_notes),
        panel="note-form",
        form_name="note_form",
        run=lambda data: services.note_add(
            incident=incident,
            actor=request.user,
            text=data["text"],
            privileged=data.get("privileged", False),
            occurred_at=data["occurred_at"],
        ),
    )


# --- triage actions -------------------------------------------------------------------


@require_POST
def engagements_pause(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    return _panel_action(
        request,
        incident,
        form=PauseForm(request.POST),
        panel="triage",
        form_name="pause_form",
        run=lambda data: services.engagements_pause(
            incident=incident, actor=request.user, reason=data["reason"]
        ),
    )


@require_POST
def pause_approve_resume(request: HtmxHttpRequest, reference: str, pause_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    pause = get_object_or_404(incident.pauses, pk=pause_id)
    form = ResumeApprovalForm(request.POST)
    form.is_valid()
    return _panel_call(
        request,
        incident,
        "triage",
        lambda: services.engagement_resume_approve(
            pause=pause, actor=request.user, reason=form.cleaned_data.get("reason", "")
        ),
    )


# --- notifications ------------------------------------------------------------------------


def _notification(incident: Incident, notification_id: int) -> Notification:
    return get_object_or_404(
        incident.notifications.select_related("stakeholder"), pk=notification_id
    )


@require_POST
def notifications_draft(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)

    def run():
        without_contact = services.notifications_draft_partner_notices(
            incident=incident, actor=request.user
        )[1]
        if without_contact:
            raise ValidationError(
                _(
                    "No notice for %(names)s: add a contact on their stakeholder page, "
                    "then draft again."
                )
                % {"names": ", ".join(s.name for s in without_contact)}
            )

    return _panel_call(request, incident, "notifications", run)


@require_POST
def notification_approve(
    request: HtmxHttpRequest, reference: str, notification_id: int
) -> HttpResponse:
    incident = _gate(request, reference)
    notification = _notification(incident, notification_id)
    return _panel_call(
        request,
        incident,
        "notifications",
        lambda: services.notification_approve(notification=notification, actor=request.user),
    )


@require_POST
def notifications_send(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    return _panel_call(
        request,
        incident,
        "notifications",
        lambda: services.notifications_send_approved(incident=incident, actor=request.user),
    )


@require_POST
def notification_retry(
    request: HtmxHttpRequest, reference: str, notification_id: int
) -> HttpResponse:
    incident = _gate(request, reference)
    notification = _notification(incident, notification_id)
    return _panel_call(
        request,
        incident,
        "notifications",
        lambda: services.notification_retry(notification=notification, actor=request.user),
    )


@require_http_methods(["GET", "POST"])
def notification_detail(
    request: HtmxHttpRequest, reference: str, notification_id: int
) -> HttpResponse:
    """Read a notice; the commander edits it here while it is a draft."""
    incident = _gate(request, reference)
    notification = _notification(incident, notification_id)
    abilities = abilities_for(request.user, incident)
    editable = abilities.commands and notification.status == Notification.Status.DRAFT
    if request.method == "POST" and not editable:
        raise PermissionDenied(_("Only the incident commander edits notices, and only drafts."))
    form = NotificationDraftForm(
        request.POST if request.method == "POST" else None,
        initial={
            "recipient_name": notification.recipient_name,
            "recipient_email": notification.recipient_email,
            "subject": notification.subject,
            "body_text": notification.body_text,
        },
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.notification_update_draft(
                    notification=notification, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, _("Draft saved."))
                return redirect(incident)
        status = 422
    else:
        status = 200
    context = {
        "incident": incident,
        "notification": notification,
        "form": form,
        "editable": editable,
    }
    return render(request, "incidents/notification.html", context, status=status)


# --- deadlines ------------------------------------------------------------------------------


@require_POST
def incident_decisions(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    form = DecisionsForm(request.POST)
    return _panel_action(
        request,
        incident,
        form=form,
        panel="decisions",
        form_name="decisions_form",
        run=lambda data: services.incident_record_decisions(
            incident=incident, actor=request.user, **data
        ),
    )


@require_POST
def deadlines_recompute(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    if not abilities_for(request.user, incident).commands:
        raise PermissionDenied(NOT_COMMANDER)
    return _panel_call(
        request,
        incident,
        "deadlines",
        lambda: services.deadlines_recompute(incident=incident, actor=request.user),
    )


def _deadline(incident: Incident, deadline_id: int) -> Deadline:
    return get_object_or_404(incident.deadlines.select_related("decided_by"), pk=deadline_id)


def _deadline_page(request, incident, deadline, *, met_form=None, waive_form=None, status=200):
    abilities = abilities_for(request.user, incident)
    context = {
        "incident": incident,
        "deadline": deadline,
        "abilities": abilities,
        "now": timezone.now(),
        # No time is filled in for the filing: "now" would record a filing nobody made.
        "met_form": met_form or DeadlineMetForm(),
        "waive_form": waive_form or DeadlineWaiveForm(),
    }
    return render(request, "incidents/deadline.html", context, status=status)


@require_GET
def deadline_detail(request: HtmxHttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    return _deadline_page(request, incident, _deadline(incident, deadline_id))


@require_POST
def deadline_met(request: HtmxHttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    deadline = _deadline(incident, deadline_id)
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
            _attach(form, exc)
        else:
            messages.success(request, _("Recorded as met."))
            return redirect(incident)
    return _deadline_page(request, incident, deadline, met_form=form, status=422)


@require_POST
def deadline_waive(request: HtmxHttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    incident = _gate(request, reference)
    deadline = _deadline(incident, deadline_id)
    form = DeadlineWaiveForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_waive(
                deadline=deadline, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Recorded as not required, with the rationale."))
            return redirect(incident)
    return _deadline_page(request, incident, deadline, waive_form=form, status=422)


@require_GET
def whatif(request: HtmxHttpRequest) -> HttpResponse:
    """Legal tries facts against the clock engine; no incident is touched."""
    form = WhatIfForm(request.GET or None, initial=_whatif_initial())
    clocks_found = None
    if form.is_bound and form.is_valid():
        try:
            clocks_found = compute_clocks(parse_facts(form.facts()))
        except FactsError as exc:
            field = exc.field.split(".")[0].split("[")[0]
            form.add_error(field if field in form.fields else None, str(exc))
    status = 422 if form.is_bound and form.errors else 200
    context = {"form": form, "clocks": clocks_found, "now": timezone.now()}
    return render(request, "incidents/whatif.html", context, status=status)


def _whatif_initial() -> dict:
    profile = OrganisationProfile.current()
    return {
        "aware_at": timezone.localtime().replace(second=0, microsecond=0),
        "role": profile.role,
        "sec_registrant": profile.sec_registrant,
        "nis2": profile.nis2,
        "dora_financial_entity": profile.dora_financial_entity,
        "hipaa": profile.hipaa,
        "nydfs_covered": profile.nydfs_covered,
    }


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


# --- scope review ----------------------------------------------------------------------


def _scope_rows(incident: Incident):
    items = {item.data_asset_id: item for item in selectors.incident_scope_items(incident=incident)}
    assets = selectors.held_assets(incident).prefetch_related("stakeholders").order_by("name")
    return [(asset, items.get(asset.pk)) for asset in assets]


def _scope_form(asset, item, data=None) -> ScopeMarkForm:
    """One row's form; the page names its fields ``asset-<id>-status`` and so on.

    The whole page is one form, so each row's fields carry the asset's id. A
    client marking a single asset may post them bare (``status``…) instead.
    """
    prefix = f"asset-{asset.pk}"
    if data is not None and f"{prefix}-status" not in data and "status" in data:
        data = {f"{prefix}-{name}": data.get(name, "") for name in ScopeMarkForm.base_fields}
    return ScopeMarkForm(data, prefix=prefix, item=item)


def _scope_page(request, incident: Incident, *, bound=None, page_errors=(), status=200):
    """The scope review; ``bound`` holds the posted forms of the rows to show again, by asset id."""
    rows = _scope_rows(incident)
    bound = bound or {}
    items = [item for _, item in rows if item]
    context = {
        "incident": incident,
        "rows": [
            (asset, item, bound.get(asset.pk) or _scope_form(asset, item)) for asset, item in rows
        ],
        "abilities": abilities_for(request.user, incident),
        "scope": selectors.summarise_scope(items, len(rows)),
        "page_errors": list(page_errors),
    }
    return render(request, "incidents/scope.html", context, status=status)


@require_GET
def scope_review(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    return _scope_page(request, _gate(request, reference))


@require_POST
def scope_mark(request: HtmxHttpRequest, reference: str, asset_id: int) -> HttpResponse:
    """Save one row of the scope review (its own Save button)."""
    incident = _gate(request, reference)
    asset = get_object_or_404(selectors.held_assets(incident), pk=asset_id)
    item = incident.scope_items.filter(data_asset=asset).first()
    form = _scope_form(asset, item, request.POST)
    if form.is_valid():
        try:
            item = services.scope_review_mark(
                incident=incident, actor=request.user, data_asset=asset, **form.cleaned_data
            )
        except ValidationError as exc:
            _attach(form, exc)
    if form.errors and not request.htmx:
        return _scope_page(request, incident, bound={asset.pk: form}, status=422)
    if not request.htmx:
        return redirect(f"{reverse('incidents:scope', args=[incident.reference])}#asset-{asset.pk}")
    context = {
        "incident": incident,
        "asset": asset,
        "item": item,
        "form": form if form.errors else _scope_form(asset, item),
        "abilities": abilities_for(request.user, incident),
    }
    response = render(
        request, "incidents/scope.html#scope-row", context, status=422 if form.errors else 200
    )
    if not form.errors:
        trigger_client_event(response, CHANGED_EVENT)
    return response


@require_POST
def scope_mark_all(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """Save every row the responder changed, in one go; rows left alone stay as they are.

    A row still on "Not reviewed yet" with nothing typed in it is left out;
    one that is wrong refuses the whole save, with every row's errors shown.
    """
    incident = _gate(request, reference)
    rows = _scope_rows(incident)
    forms = {asset.pk: _scope_form(asset, item, request.POST) for asset, item in rows}
    changed = {pk: form for pk, form in forms.items() if form.has_changed()}
    page_errors: list[str] = []
    # A list, not a generator: every changed row is validated, so all errors show at once.
    if all([form.is_valid() for form in changed.values()]):
        assets = {asset.pk: asset for asset, _item in rows}
        marks = [
            services.ScopeMark(data_asset=assets[pk], **form.cleaned_data)
            for pk, form in changed.items()
        ]
        try:
            services.scope_review_mark_many(incident=incident, actor=request.user, marks=marks)
        except ValidationError as exc:
            page_errors = _attach_scope_errors(changed, exc)
        else:
            if marks:
                messages.success(
                    request,
                    ngettext(
                        "Recorded the review of %(count)d data asset.",
                        "Recorded the review of %(count)d data assets.",
                        len(marks),
                    )
                    % {"count": len(marks)},
                )
            else:
                messages.info(request, _("Nothing to save: no row was changed."))
            return redirect("incidents:scope", reference=incident.reference)
    return _scope_page(request, incident, bound=changed, page_errors=page_errors, status=422)


def _attach_scope_errors(forms: dict[int, ScopeMarkForm], exc: ValidationError) -> list[str]:
    """Put the service's errors on their rows; returns those that belong to no row."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    unplaced = []
    for key, errors in exc.message_dict.items():
        form = forms.get(int(key)) if key.isdigit() else None
        if form is None:
            unplaced.extend(errors)
        else:
            form.add_error(None, errors)
    return unplaced


# --- the timeline -------------------------------------------------------------------------


@require_GET
def timeline(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    entries = selectors.timeline_entries(incident=incident)
    kind = request.GET.get("kind", "")
    if kind in dict(entries.model.Kind.choices):
        entries = entries.filter(kind=kind)
    page = Paginator(entries, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_privileged_texts(
        page.object_list,
        reads_privileged=abilities_for(request.user, incident).reads_privileged,
    )
    context = {
        "incident": incident,
        "page": page,
        "kind": kind,
        "kinds": entries.model.Kind.choices,
    }
    template = "incidents/timeline.html#results" if request.htmx else "incidents/timeline.html"
    return render(request, template, context)


PRIVILEGED_MARK = "Privileged & Confidential"


@require_http_methods(["GET", "POST"])
def timeline_export_json(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """GET: the export form. POST: record the export, then stream the entries it covers.

    DESIGN.md, Exports: the "export made" entry is committed first and names
    the last entry the file holds; a GET never writes.
    """
    incident = _gate(request, reference)
    abilities = abilities_for(request.user, incident)
    form = TimelineExportForm(
        request.POST if request.method == "POST" else None,
        can_include_privileged=abilities.reads_privileged,
    )
    if request.method == "GET" or not form.is_valid():
        context = {"incident": incident, "form": form, "export_format": "json"}
        status = 200 if request.method == "GET" else 422
        return render(request, "incidents/export.html", context, status=status)
    record = services.timeline_export_record(
        incident=incident,
        actor=request.user,
        export_format="json",
        include_privileged=form.cleaned_data.get("include_privileged", False),
    )
    privileged = (
        services.timeline_privileged_texts(incident, up_to_seq=record.covers_seq)
        if record.include_privileged
        else None
    )

    def document():
        yield "{"
        if privileged is not None:
            yield f'"classification":{json.dumps(PRIVILEGED_MARK)},'
        yield f'"incident":{json.dumps(incident.reference)},'
        yield f'"exported_at":{json.dumps(iso_utc(record.entry.recorded_at))},'
        yield f'"export_entry_seq":{record.entry.seq},'
        yield '"hash_chain":"sha256_hex(prev_hash + canonical(body)); first prev_hash is 64 zeros",'
        if privileged is not None:
            yield (
                '"privileged_commitment":"text_sha256 = sha256_hex(nonce + text)",'
                f'"privileged_texts":{json.dumps(privileged, ensure_ascii=False)},'
            )
        yield '"entries":['
        entries = services.timeline_export_entries(incident, up_to_seq=record.covers_seq)
        for index, entry in enumerate(entries):
            yield ("," if index else "") + json.dumps(entry, ensure_ascii=False)
        yield "]}"

    name = f"{incident.reference}-timeline"
    if privileged is not None:
        name += "-Privileged-Confidential"
    response = StreamingHttpResponse(document(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@require_GET
def timeline_verify(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    incident = _gate(request, reference)
    result = services.verify_chain(incident)
    return render(request, "incidents/verify.html", {"incident": incident, "result": result})
