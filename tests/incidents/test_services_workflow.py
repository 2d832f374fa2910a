import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services, timeline
from incidents.exceptions import NothingChanged, TransitionNotAllowed
from incidents.models import Incident, Task, TimelineEntry

pytestmark = pytest.mark.django_db


def _finish_required(incident, actor, phase=None):
    for task in incident.tasks.filter(phase=phase or incident.phase, required=True):
        services.task_complete(task=task, actor=actor)


def _entries(incident):
    return list(TimelineEntry.objects.filter(incident=incident).order_by("seq"))


def test_advancing_with_required_tasks_done_moves_on_and_records_it(incident, commander):
    _finish_required(incident, commander)
    before = len(_entries(incident))

    services.incident_advance_phase(incident=incident, to_phase="containment", actor=commander)

    incident.refresh_from_db()
    assert incident.phase == Incident.Phase.CONTAINMENT
    entries = _entries(incident)
    assert len(entries) == before + 1
    assert entries[-1].kind == "phase_changed"
    assert entries[-1].data == {
        "from": "triage",
        "to": "containment",
        "override_reason": "",
        "open_required_tasks": [],
    }
    assert timeline.verify_chain(incident).ok


def test_an_open_required_task_blocks_leaving_the_phase(incident, commander):
    before = len(_entries(incident))

    with pytest.raises(ValidationError) as caught:
        services.incident_advance_phase(incident=incident, to_phase="containment", actor=commander)

    assert "“Confirm the report with the vendor's security contact”" in caught.value.messages[0]
    incident.refresh_from_db()
    assert incident.phase == Incident.Phase.TRIAGE
    assert len(_entries(incident)) == before


def test_a_commander_override_with_a_reason_moves_on_and_is_on_the_timeline(incident, commander):
    services.incident_advance_phase(
        incident=incident,
        to_phase="containment",
        actor=commander,
        override_reason="Vendor unreachable; containment cannot wait.",
    )

    incident.refresh_from_db()
    entry = _entries(incident)[-1]
    assert incident.phase == Incident.Phase.CONTAINMENT
    assert entry.data["override_reason"] == "Vendor unreachable; containment cannot wait."
    assert len(entry.data["open_required_tasks"]) == 4
    assert "override" in entry.summary


def test_a_blank_override_reason_is_no_override(incident, commander):
    with pytest.raises(ValidationError):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=commander, override_reason="   "
        )


def test_only_the_commander_changes_the_phase(incident, responder):
    with pytest.raises(PermissionDenied):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=responder, override_reason="x"
        )


def test_a_phase_cannot_be_skipped(incident, commander):
    with pytest.raises(TransitionNotAllowed):
        services.incident_advance_phase(
            incident=incident, to_phase="notification", actor=commander, override_reason="hurry"
        )


def test_a_phase_cannot_go_back(incident, commander):
    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="go"
    )

    with pytest.raises(TransitionNotAllowed):
        services.incident_advance_phase(incident=incident, to_phase="triage", actor=commander)


def test_moving_to_the_current_phase_again_changes_nothing(incident, commander):
    before = len(_entries(incident))

    with pytest.raises(NothingChanged, match="already in triage; nothing changed"):
        services.incident_advance_phase(incident=incident, to_phase="triage", actor=commander)

    assert len(_entries(incident)) == before


def _close(incident, commander):
    for phase in ["containment", "scoping", "notification", "recovery", "closed"]:
        services.incident_advance_phase(
            incident=incident, to_phase=phase, actor=commander, override_reason="demo"
        )


def test_a_closed_incident_is_reopened_with_a_reason(incident, commander):
    _close(incident, commander)

    services.incident_reopen(incident=incident, actor=commander, reason="Vendor found more logs.")

    incident.refresh_from_db()
    assert incident.phase == Incident.Phase.RECOVERY
    assert _entries(incident)[-1].data == {"to": "recovery", "reason": "Vendor found more logs."}


def test_reopening_needs_a_reason(incident, commander):
    _close(incident, commander)

    with pytest.raises(ValidationError, match="Say why"):
        services.incident_reopen(incident=incident, actor=commander, reason=" ")


def test_an_open_incident_cannot_be_reopened(incident, commander):
    with pytest.raises(TransitionNotAllowed):
        services.incident_reopen(incident=incident, actor=commander, reason="why not")


def test_tasks_of_a_closed_incident_cannot_change(incident, commander):
    _close(incident, commander)
    task = incident.tasks.filter(status=Task.Status.OPEN).first()

    with pytest.raises(ValidationError, match="closed"):
        services.task_complete(task=task, actor=commander)


def test_severity_change_is_recorded_with_its_reason(incident, commander):
    services.incident_set_severity(
        incident=incident, actor=commander, severity="sev1", reason="EU health data"
    )

    incident.refresh_from_db()
    assert incident.severity == "sev1"
    entry = [e for e in _entries(incident) if e.kind == TimelineEntry.Kind.SEVERITY_CHANGED][-1]
    assert entry.summary == "Severity changed from SEV2 to SEV1: EU health data"


def test_only_the_commander_changes_severity(incident, responder):
    with pytest.raises(PermissionDenied):
        services.incident_set_severity(incident=incident, actor=responder, severity="sev1")


def test_handing_over_command_swaps_roles(incident, commander):
    from tests.factories import UserFactory

    deputy = UserFactory(username="deputy", roles=["Commander"])

    services.incident_set_commander(incident=incident, actor=commander, commander=deputy)

    incident.refresh_from_db()
    roles = dict(incident.members.values_list("user__username", "role"))
    assert incident.commander == deputy
    assert roles["deputy"] == "commander"
    assert roles["commander"] == "responder"


def test_membership_changes_are_on_the_timeline(incident, commander, outsider):
    member = services.member_add(incident=incident, actor=commander, user=outsider, role="viewer")
    services.member_set_role(member=member, actor=commander, role="responder")
    services.member_remove(member=member, actor=commander)

    assert [e.kind for e in _entries(incident)[-3:]] == [
        "member_added",
        "member_role_changed",
        "member_removed",
    ]
    assert not incident.members.filter(user=outsider).exists()


def test_a_member_cannot_be_added_twice(incident, commander, responder):
    with pytest.raises(ValidationError, match="already a member"):
        services.member_add(incident=incident, actor=commander, user=responder, role="viewer")


def test_the_commander_cannot_be_removed(incident, commander):
    member = incident.members.get(user=commander)

    with pytest.raises(ValidationError, match="hand over command first"):
        services.member_remove(member=member, actor=commander)


def test_only_the_commander_changes_membership(incident, responder, outsider):
    with pytest.raises(PermissionDenied):
        services.member_add(incident=incident, actor=responder, user=outsider, role="viewer")
