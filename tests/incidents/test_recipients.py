"""Deactivated accounts get no mail, and their duties reach someone who can act (issue 10, 2).

When nobody a message is for is active, the incident's commander gets it, or
failing that everyone who may see the incident (a restricted incident's
members only); the incident page names each gap so that someone fixes it.
Messages are checked as the queued outbox rows: sending happens on commit.
"""

import html
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents import selectors, services
from incidents.models import Incident, Notification
from tests.factories import UserFactory
from vendors.models import DataAsset, Engagement

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _sweep(clock, at):
    clock.move_to(at)
    services.deadlines_sweep(now=at)


def _deactivate(*users):
    for user in users:
        user.is_active = False
        user.save(update_fields=["is_active"])


def _recipients(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_email", flat=True))


@pytest.fixture
def helix_clock(incident, responder):
    """Helix's 48 h contract clock, started by confirming its health data exposed."""
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    # Not high risk: GDPR Art. 34 (reminded by the internal target) drops, and the
    # escalations counted are Helix's alone.
    services.incident_record_decisions(incident=incident, actor=incident.commander, high_risk=False)
    return incident.deadlines.get(regime="Contract", recipient="Helix Health")


@pytest.fixture
def readers(db):
    """People in roles that see every open incident, though on no team; one is deactivated."""
    return {
        "commander": UserFactory(username="other-commander", roles=["Commander"]),
        "legal": UserFactory(username="other-legal", roles=["Legal"]),
        "inactive": UserFactory(username="gone-commander", roles=["Commander"], is_active=False),
    }


# --- deadline reminders -----------------------------------------------------------------------


def test_a_deactivated_legal_member_gets_no_deadline_reminder(helix_clock, commander, legal, clock):
    _deactivate(legal)

    _sweep(clock, helix_clock.due_at - timedelta(hours=23))

    assert _recipients(Notification.Kind.REMINDER) == [commander.email]


def test_a_deactivated_commander_gets_no_escalation(helix_clock, commander, legal, clock):
    _deactivate(commander)

    _sweep(clock, helix_clock.due_at + timedelta(minutes=1))

    assert _recipients(Notification.Kind.ESCALATION) == [legal.email]


def test_with_commander_and_legal_deactivated_everyone_who_may_see_the_incident_is_reminded(
    helix_clock, commander, legal, responder, viewer, outsider, no_role, readers, clock
):
    _deactivate(commander, legal)

    _sweep(clock, helix_clock.due_at - timedelta(hours=23))

    assert _recipients(Notification.Kind.REMINDER) == sorted(
        [responder.email, viewer.email, readers["commander"].email, readers["legal"].email]
    )


def test_with_commander_and_legal_deactivated_a_restricted_incidents_members_are_reminded(
    helix_clock, commander, legal, responder, viewer, readers, clock
):
    Incident.objects.filter(pk=helix_clock.incident_id).update(restricted=True)
    _deactivate(commander, legal)

    _sweep(clock, helix_clock.due_at - timedelta(hours=23))

    assert _recipients(Notification.Kind.REMINDER) == sorted([responder.email, viewer.email])


def test_a_deactivated_member_of_a_restricted_incident_is_not_reminded_in_their_place(
    helix_clock, commander, legal, responder, viewer, clock
):
    Incident.objects.filter(pk=helix_clock.incident_id).update(restricted=True)
    _deactivate(commander, legal, viewer)

    _sweep(clock, helix_clock.due_at - timedelta(hours=23))

    assert _recipients(Notification.Kind.REMINDER) == [responder.email]


# --- task reminders and engagement notices ------------------------------------------------


def test_an_inactive_assignees_task_reminder_goes_to_the_commander(
    incident, commander, responder, clock
):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    services.task_assign(task=task, actor=commander, assignee=responder)
    _deactivate(responder)

    _sweep(clock, task.due_at + timedelta(minutes=1))

    reminded = [
        n.recipient_email
        for n in Notification.objects.filter(kind=Notification.Kind.REMINDER)
        if task.title in n.body_text
    ]
    assert reminded == [commander.email]


@pytest.fixture
def owner(breached_vendor):
    """The owner of the Parallax engagement, a responder on no incident."""
    owner = UserFactory(username="engagement-owner", roles=["Responder"])
    Engagement.objects.filter(vendor=breached_vendor).update(owner=owner)
    return owner


def test_an_engagement_owner_is_told_their_engagement_is_paused(incident, commander, owner):
    services.engagements_pause(incident=incident, actor=commander, reason="Credentials leaked")

    assert _recipients(Notification.Kind.ENGAGEMENT_PAUSED) == [owner.email]


def test_an_inactive_engagement_owners_pause_notice_goes_to_the_commander(
    incident, commander, owner
):
    _deactivate(owner)

    services.engagements_pause(incident=incident, actor=commander, reason="Credentials leaked")

    assert _recipients(Notification.Kind.ENGAGEMENT_PAUSED) == [commander.email]


# --- the incident page names the gaps -------------------------------------------------------


def _page(client, user, incident):
    client.force_login(user)
    response = client.get(f"/incidents/{incident.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def _gaps(incident):
    incident = Incident.objects.select_related("commander").get(pk=incident.pk)
    return selectors.recipient_gaps(
        incident=incident,
        members=list(incident.members.select_related("user")),
        tasks=list(incident.tasks.select_related("assignee")),
        pauses=list(incident.pauses.select_related("engagement__owner")),
    )


def test_the_incident_page_names_every_deactivated_recipient_of_a_duty(
    client, incident, commander, legal, responder, owner
):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    services.task_assign(task=task, actor=commander, assignee=responder)
    services.engagements_pause(incident=incident, actor=commander, reason="Credentials leaked")
    _deactivate(legal, responder, owner)

    page = _page(client, commander, incident)

    gaps = _gaps(incident)
    assert len(gaps) == 3
    for gap in gaps:
        assert html.escape(gap) in page


def test_the_incident_page_says_when_the_commander_is_deactivated(
    client, incident, commander, legal
):
    _deactivate(commander)

    page = _page(client, legal, incident)

    gaps = _gaps(incident)
    assert len(gaps) == 1
    assert html.escape(gaps[0]) in page


def test_the_incident_page_names_no_gap_when_everyone_is_active(client, incident, commander):
    page = _page(client, commander, incident)

    assert _gaps(incident) == []
    assert "Some people cannot be reached" not in page
