"""Closing does not end a legal duty (issue 10, 9).

Closing needs every deadline met or decided not required, or the commander's
written reason (on the timeline); reminders for a duty left open go on after
closing until it is settled.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import Deadline, Incident, Notification, Task
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OVERRIDE = "The regulator confirmed by phone that it expects the filing next week."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _walk_to_recovery(incident, commander):
    """Through every phase up to the last before closing, with its required tasks settled."""
    while incident.next_phase != Incident.Phase.CLOSED:
        incident = services.incident_advance_phase(
            incident=incident,
            to_phase=incident.next_phase,
            actor=commander,
            override_reason="Tasks tracked in the vendor's ticket",
        )
    for task in incident.tasks.filter(phase=incident.phase, status=Task.Status.OPEN):
        services.task_skip(task=task, actor=commander, reason="Done outside BreachDesk")
    return incident


@pytest.fixture
def recovering(incident, commander, responder):
    """Helix's health data confirmed exposed (GDPR and contract clocks), now in recovery."""
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    return _walk_to_recovery(incident, commander)


def _close(incident, commander, reason=""):
    return services.incident_advance_phase(
        incident=incident, to_phase=Incident.Phase.CLOSED, actor=commander, override_reason=reason
    )


def _gdpr(incident):
    return incident.deadlines.get(rule_id="gdpr-art33")


def test_closing_with_a_pending_deadline_is_refused_naming_it(recovering, commander):
    gdpr = _gdpr(recovering)

    with pytest.raises(ValidationError) as refused:
        _close(recovering, commander)

    assert f"{gdpr.citation} to {gdpr.recipient}" in refused.value.messages[0]
    recovering.refresh_from_db()
    assert recovering.phase == Incident.Phase.RECOVERY
    assert not recovering.timeline.filter(kind="phase_changed", data__to="closed").exists()


def test_closing_with_a_missed_deadline_is_refused_too(recovering, commander, clock):
    gdpr = _gdpr(recovering)
    clock.move_to(gdpr.due_at + timedelta(minutes=1))
    services.deadlines_sweep(now=timezone.now())

    with pytest.raises(ValidationError) as refused:
        _close(recovering, commander)

    assert gdpr.citation in refused.value.messages[0]


def test_closing_over_open_deadlines_with_a_reason_records_them_on_the_timeline(
    recovering, commander
):
    gdpr = _gdpr(recovering)

    closed = _close(recovering, commander, reason=OVERRIDE)

    assert closed.phase == Incident.Phase.CLOSED
    entry = closed.timeline.filter(kind="phase_changed").order_by("-seq").first()
    assert entry.data["to"] == Incident.Phase.CLOSED
    assert entry.data["override_reason"] == OVERRIDE
    assert f"{gdpr.citation} to {gdpr.recipient}" in entry.data.get("open_deadlines", [])


def test_closing_with_every_deadline_settled_needs_no_reason(recovering, commander, legal):
    for deadline in recovering.deadlines.filter(status=Deadline.Status.PENDING):
        services.deadline_waive(deadline=deadline, actor=legal, reason="Encrypted; key safe.")

    closed = _close(recovering, commander)

    assert closed.phase == Incident.Phase.CLOSED


@pytest.fixture
def closed_over_gdpr(recovering, commander):
    """Closed by the commander's override with GDPR's 72 h notification still owed."""
    _close(recovering, commander, reason=OVERRIDE)
    return _gdpr(recovering)


def _messages(incident, kind, deadline):
    return sorted(
        n.recipient_email
        for n in Notification.objects.filter(incident=incident, kind=kind)
        if deadline.citation in n.body_text
    )


def test_a_closed_incidents_open_deadline_is_still_reminded(
    closed_over_gdpr, commander, legal, clock
):
    at = closed_over_gdpr.due_at - timedelta(hours=23)
    clock.move_to(at)

    services.deadlines_sweep(now=at)

    assert _messages(closed_over_gdpr.incident, Notification.Kind.REMINDER, closed_over_gdpr) == (
        sorted([commander.email, legal.email])
    )


def test_a_closed_incidents_open_deadline_is_still_escalated(
    closed_over_gdpr, commander, legal, clock
):
    at = closed_over_gdpr.due_at + timedelta(minutes=1)
    clock.move_to(at)

    services.deadlines_sweep(now=at)

    closed_over_gdpr.refresh_from_db()
    assert closed_over_gdpr.status == Deadline.Status.MISSED
    assert _messages(closed_over_gdpr.incident, Notification.Kind.ESCALATION, closed_over_gdpr) == (
        sorted([commander.email, legal.email])
    )


# --- the page ---------------------------------------------------------------------------------


def _phase_panel(client, commander, incident):
    client.force_login(commander)
    response = client.get(f"/incidents/{incident.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_offers_an_override_reason_when_closing_would_leave_deadlines_open(
    client, recovering, commander
):
    page = _phase_panel(client, commander, recovering)

    assert 'name="override_reason"' in page
    assert "still open; their reminders go on after closing" in page


def test_the_page_offers_no_override_when_every_deadline_is_settled(
    client, recovering, commander, legal
):
    for deadline in recovering.deadlines.filter(status=Deadline.Status.PENDING):
        services.deadline_waive(deadline=deadline, actor=legal, reason="Encrypted; key safe.")

    page = _phase_panel(client, commander, recovering)

    assert 'name="override_reason"' not in page


def test_closing_from_the_page_without_a_reason_says_which_deadlines_are_open(
    client, recovering, commander
):
    gdpr = _gdpr(recovering)
    client.force_login(commander)

    response = client.post(
        f"/incidents/{recovering.reference}/phase/",
        {"to_phase": Incident.Phase.CLOSED, "override_reason": ""},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert gdpr.citation in response.content.decode()
    recovering.refresh_from_db()
    assert recovering.phase == Incident.Phase.RECOVERY
