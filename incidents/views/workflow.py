"""Moving the incident on: phases, severity, command, the team, notes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from breachdesk.types import HtmxHttpRequest
from incidents import selectors, services
from incidents.exceptions import NothingChanged
from incidents.forms import (
    PICKER_SHOWN,
    AdvancePhaseForm,
    CommanderForm,
    MemberAddForm,
    MemberRoleForm,
    NoteForm,
    PeopleSearchForm,
    ReopenForm,
    SeverityForm,
    people_for,
)
from incidents.models import IncidentMember
from incidents.selectors.workspace import ROW_PARTIALS
from incidents.views.panel_forms import panel_forms
from incidents.views.responses import (
    PAGE,
    attach,
    call_action,
    form_action,
    form_messages,
    panel_response,
)

# What a phase move changes: the badge in the header, which tasks are current,
# the timeline, and (closing) whether command can still be handed over.
PHASE_CHANGES = ("header", "tasks", "timeline-latest", "command")


@require_POST
def incident_advance_phase(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return form_action(
        request,
        ws,
        form=AdvancePhaseForm(request.POST),
        form_name="phase_form",
        panel="phase",
        changed=PHASE_CHANGES,
        run=lambda data: services.incident_advance_phase(
            incident=ws.incident,
            to_phase=data["to_phase"],
            actor=request.user,
            override_reason=data["override_reason"],
        ),
    )


@require_POST
def incident_reopen(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return form_action(
        request,
        ws,
        form=ReopenForm(request.POST),
        form_name="reopen_form",
        panel="phase",
        changed=PHASE_CHANGES,
        run=lambda data: services.incident_reopen(
            incident=ws.incident, actor=request.user, reason=data["reason"]
        ),
    )


@require_POST
def incident_set_severity(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    form = SeverityForm(request.POST)
    if form.is_valid():
        try:
            services.incident_set_severity(
                incident=ws.incident,
                actor=request.user,
                severity=form.cleaned_data["severity"],
                reason=form.cleaned_data["reason"],
            )
        except NothingChanged as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, _("Severity updated."))
        return redirect(ws.incident)
    return panel_response(request, ws, "command", status=422, errors=form_messages(form))


@require_POST
def incident_set_commander(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """Hand command over, or take it (a Commander-role user choosing themselves)."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    form = CommanderForm(request.POST, incident=ws.incident)
    if form.is_valid():
        try:
            services.incident_set_commander(
                incident=ws.incident, actor=request.user, commander=form.cleaned_data["commander"]
            )
        except ValidationError as exc:
            attach(form, exc)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect(ws.incident)
        else:
            messages.success(request, _("Command handed over."))
            return redirect(ws.incident)
    if not ws.abilities.commands:
        # "Take command" is a bare button; the page has no form to show the error next to.
        for error in form_messages(form):
            messages.error(request, error)
    names = [name for name in selectors.PANELS if name not in ROW_PARTIALS]
    context = {
        **selectors.panel_context(ws, names),
        **panel_forms(ws, names),
        "commander_form": form,
    }
    return render(request, PAGE, context, status=422)


# --- the team ---------------------------------------------------------------------------------

# Who is on the team decides whom tasks can be given to.
TEAM_CHANGES = ("tasks", "timeline-latest")


@require_POST
def member_add(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return form_action(
        request,
        ws,
        form=MemberAddForm(request.POST, incident=ws.incident),
        form_name="member_form",
        panel="members",
        changed=TEAM_CHANGES,
        run=lambda data: services.member_add(
            incident=ws.incident, actor=request.user, user=data["user"], role=data["role"]
        ),
    )


@require_GET
def people_search(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """``?for=member|commander&q=…``: the picker's ``<option>``s for the people matching ``q``.

    Only for those who command the incident (the pickers are theirs); the
    people are those the form would accept, so nobody is offered who would
    then be refused.
    """
    ws = selectors.workspace_for(user=request.user, reference=reference)
    if not ws.abilities.commands:
        raise PermissionDenied
    form = PeopleSearchForm(request.GET)
    if not form.is_valid():
        return render(request, f"{PAGE}#person-options", {"people": []}, status=422)
    people = selectors.people_matching(
        people_for(ws.incident, form.cleaned_data["kind"]), text=form.cleaned_data["q"]
    )
    return render(request, f"{PAGE}#person-options", {"people": people[:PICKER_SHOWN]})


def _member(ws, member_id: int) -> IncidentMember:
    return get_object_or_404(ws.incident.members.select_related("user"), pk=member_id)


@require_POST
def member_set_role(request: HtmxHttpRequest, reference: str, member_id: int) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    member = _member(ws, member_id)
    form = MemberRoleForm(request.POST)

    def run():
        if not form.is_valid():
            raise ValidationError(form_messages(form))
        services.member_set_role(member=member, actor=request.user, role=form.cleaned_data["role"])

    return call_action(request, ws, panel="members", changed=TEAM_CHANGES, run=run)


@require_POST
def member_remove(request: HtmxHttpRequest, reference: str, member_id: int) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    member = _member(ws, member_id)
    return call_action(
        request,
        ws,
        panel="members",
        changed=TEAM_CHANGES,
        run=lambda: services.member_remove(member=member, actor=request.user),
    )


# --- notes --------------------------------------------------------------------------------------


@require_POST
def note_add(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return form_action(
        request,
        ws,
        form=NoteForm(request.POST, can_mark_privileged=ws.abilities.privileged_notes),
        form_name="note_form",
        panel="note-form",
        changed=("timeline-latest",),
        run=lambda data: services.note_add(
            incident=ws.incident,
            actor=request.user,
            text=data["text"],
            privileged=data.get("privileged", False),
            occurred_at=data["occurred_at"],
            submission_token=data["submission_token"],
        ),
    )
