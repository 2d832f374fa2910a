"""Internal emails carry only what their recipient may see (issue 9, fault 8).

An engagement owner, a reminded Legal member or a task assignee who may not
see the incident is told its reference and whom to ask, never its title, the
pause reason or any other fact; one who may see it gets the full message; an
inactive person gets nothing. Messages are queued as Notification rows in the
service's transaction and sent after commit.
"""

from datetime import timedelta

import pytest
from django.core import mail

from incidents import services
from incidents.models import Deadline, Notification
from tests.factories import IncidentFactory, UserFactory
from vendors.models import DataAsset, Engagement

pytestmark = pytest.mark.django_db


def HELIX_CONTRACT() -> str:
    """Helix's contract clock: contract rules are named by the stakeholder's id."""
    from vendors.models import Stakeholder

    return f"contract:{Stakeholder.objects.get(name='Helix Health').pk}"


TITLE = "Helix clinical samples on a leak forum"
REASON = "Parallax staff credentials sold on a forum"


def _notices_to(user, kind):
    return list(Notification.objects.filter(recipient_email=user.email, kind=kind))


def _set_owner(user):
    Engagement.objects.filter(name="Annotation").update(owner=user)


def _assert_tells_only_whom_to_ask(notice, incident):
    """The reference and whom to ask; never the title or the pause reason."""
    text = f"{notice.subject}\n{notice.body_text}\n{notice.body_html}"
    assert incident.reference in notice.subject
    assert f"Ask {incident.commander.display_name}" in notice.body_text
    assert TITLE not in text
    assert REASON not in text


@pytest.fixture
def opened(commander, responder, legal, breached_vendor):
    """An open incident with a distinctive title; responder and Legal on the team."""
    incident = IncidentFactory(commander=commander, vendors=[breached_vendor], title=TITLE)
    services.member_add(incident=incident, actor=commander, user=responder, role="responder")
    services.member_add(incident=incident, actor=commander, user=legal, role="legal")
    return incident


@pytest.fixture
def restricted(commander, responder, legal, breached_vendor):
    """The same, restricted to its team."""
    incident = IncidentFactory(
        commander=commander, vendors=[breached_vendor], title=TITLE, restricted=True
    )
    services.member_add(incident=incident, actor=commander, user=responder, role="responder")
    services.member_add(incident=incident, actor=commander, user=legal, role="legal")
    return incident


# --- "engagement paused" ------------------------------------------------------------------


@pytest.mark.parametrize("owner_kind", ["outsider", "no_role", "viewer"])
def test_an_owner_who_may_not_see_the_incident_is_told_only_whom_to_ask(
    request, owner_kind, opened, commander
):
    owner = request.getfixturevalue(owner_kind)
    _set_owner(owner)

    services.engagements_pause(incident=opened, actor=commander, reason=REASON)

    [notice] = _notices_to(owner, Notification.Kind.ENGAGEMENT_PAUSED)
    assert notice.status == Notification.Status.QUEUED
    _assert_tells_only_whom_to_ask(notice, opened)


def test_a_commander_outside_a_restricted_incident_gets_no_title_or_reason_as_owner(
    restricted, commander
):
    owner = UserFactory(username="other-commander", roles=["Commander"])
    _set_owner(owner)

    services.engagements_pause(incident=restricted, actor=commander, reason=REASON)

    [notice] = _notices_to(owner, Notification.Kind.ENGAGEMENT_PAUSED)
    _assert_tells_only_whom_to_ask(notice, restricted)


def test_an_owner_who_may_see_the_incident_gets_the_full_notice(opened, commander, legal):
    _set_owner(legal)

    services.engagements_pause(incident=opened, actor=commander, reason=REASON)

    [notice] = _notices_to(legal, Notification.Kind.ENGAGEMENT_PAUSED)
    assert TITLE in notice.body_text
    assert REASON in notice.body_text
    assert opened.reference in notice.subject


def test_an_inactive_owner_gets_no_notice(opened, commander):
    owner = UserFactory(username="left-the-company", roles=["Responder"], is_active=False)
    _set_owner(owner)

    services.engagements_pause(incident=opened, actor=commander, reason=REASON)

    assert not Notification.objects.filter(recipient_email=owner.email).exists()
    assert Engagement.objects.get(name="Annotation").status == Engagement.Status.PAUSED


def test_the_email_sent_to_an_owner_outside_the_incident_holds_no_title_or_reason(
    outsider, opened, commander, django_capture_on_commit_callbacks
):
    _set_owner(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        services.engagements_pause(incident=opened, actor=commander, reason=REASON)

    [message] = [m for m in mail.outbox if m.to == [outsider.email]]
    html = "".join(str(body) for body, _type in getattr(message, "alternatives", []))
    assert opened.reference in message.subject
    assert TITLE not in message.subject + message.body + html
    assert REASON not in message.body + html


# --- deadline reminders -------------------------------------------------------------------


def _helix_clock(incident, actor):
    """EU health data of Helix confirmed exposed: a 48-hour contractual clock starts."""
    services.scope_review_mark(
        incident=incident,
        actor=actor,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    # Not high risk: GDPR Art. 34 (reminded by the internal target) drops, and the
    # reminders counted are Helix's alone.
    services.incident_record_decisions(incident=incident, actor=incident.commander, high_risk=False)
    return Deadline.objects.get(incident=incident, rule_id=HELIX_CONTRACT())


def test_a_legal_member_who_lost_every_role_is_reminded_without_facts(opened, responder, legal):
    clock = _helix_clock(opened, responder)
    legal.groups.clear()

    services.deadlines_sweep(now=clock.due_at - timedelta(minutes=30))

    [notice] = _notices_to(legal, Notification.Kind.REMINDER)
    _assert_tells_only_whom_to_ask(notice, opened)
    assert "Helix" not in notice.subject + notice.body_text


def test_a_legal_member_who_may_see_the_incident_gets_the_full_reminder(opened, responder, legal):
    clock = _helix_clock(opened, responder)

    services.deadlines_sweep(now=clock.due_at - timedelta(minutes=30))

    [notice] = _notices_to(legal, Notification.Kind.REMINDER)
    assert TITLE in notice.body_text
    assert "Helix Health" in notice.body_text


def test_an_inactive_commander_gets_no_escalation(opened, commander, responder, legal):
    clock = _helix_clock(opened, responder)
    commander.is_active = False
    commander.save(update_fields=["is_active"])

    services.deadlines_sweep(now=clock.due_at + timedelta(minutes=1))

    assert not Notification.objects.filter(recipient_email=commander.email).exists()
    assert len(_notices_to(legal, Notification.Kind.ESCALATION)) == 1


# --- task reminders -----------------------------------------------------------------------


def _overdue_task(incident, commander, assignee):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    services.task_assign(task=task, actor=commander, assignee=assignee)
    return task


def test_an_assignee_removed_from_a_restricted_team_is_reminded_without_the_title(
    restricted, commander, responder
):
    task = _overdue_task(restricted, commander, responder)
    services.member_remove(member=restricted.members.get(user=responder), actor=commander)

    services.deadlines_sweep(now=task.due_at + timedelta(minutes=1))

    [notice] = _notices_to(responder, Notification.Kind.REMINDER)
    _assert_tells_only_whom_to_ask(notice, restricted)
    assert "Preserve evidence" not in notice.subject + notice.body_text


def test_an_assignee_on_the_team_gets_the_full_task_reminder(restricted, commander, responder):
    task = _overdue_task(restricted, commander, responder)

    services.deadlines_sweep(now=task.due_at + timedelta(minutes=1))

    [notice] = _notices_to(responder, Notification.Kind.REMINDER)
    assert TITLE in notice.body_text
    assert "Preserve evidence" in notice.body_text


def test_an_inactive_assignee_gets_no_task_reminder(restricted, commander, responder):
    task = _overdue_task(restricted, commander, responder)
    responder.is_active = False
    responder.save(update_fields=["is_active"])

    services.deadlines_sweep(now=task.due_at + timedelta(minutes=1))

    assert not Notification.objects.filter(recipient_email=responder.email).exists()
