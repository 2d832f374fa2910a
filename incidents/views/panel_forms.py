"""The empty forms each panel of the incident page shows; the read model is in selectors."""

from incidents.forms import (
    AdvancePhaseForm,
    CommanderForm,
    DecisionsForm,
    MemberAddForm,
    NoteForm,
    PauseForm,
    ReopenForm,
    ResumeApprovalForm,
    SeverityForm,
)
from incidents.selectors import Workspace


def _phase(ws: Workspace) -> dict:
    return {
        "phase_form": AdvancePhaseForm(initial={"to_phase": ws.incident.next_phase}),
        "reopen_form": ReopenForm(),
    }


def _triage(ws: Workspace) -> dict:
    return {"pause_form": PauseForm(), "resume_form": ResumeApprovalForm()}


def _note(ws: Workspace) -> dict:
    return {"note_form": NoteForm(can_mark_privileged=ws.abilities.privileged_notes)}


def _decisions(ws: Workspace) -> dict:
    return {
        "decisions_form": DecisionsForm(
            initial={name: getattr(ws.incident, name) for name in DecisionsForm.base_fields}
        )
    }


def _members(ws: Workspace) -> dict:
    return {"member_form": MemberAddForm(incident=ws.incident) if ws.abilities.commands else None}


def _command(ws: Workspace) -> dict:
    return {
        "severity_form": SeverityForm(initial={"severity": ws.incident.severity}),
        "commander_form": CommanderForm(
            initial={"commander": ws.incident.commander_id}, incident=ws.incident
        ),
    }


FORMS = {
    "phase": _phase,
    "triage": _triage,
    "note-form": _note,
    "decisions": _decisions,
    "members": _members,
    "command": _command,
}


def panel_forms(ws: Workspace, names) -> dict:
    """The unbound forms of the named panels (a view passes a bound one to show its errors)."""
    forms = {}
    for name in names:
        if name in FORMS:
            forms.update(FORMS[name](ws))
    return forms
