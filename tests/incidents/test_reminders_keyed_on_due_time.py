"""Reminders are claimed per deadline, offset and the due time they were for (issue 10, 1).

A deadline that moves gets a fresh series, one that went missed and then moved
into the future is reminded and escalated again, and the sweep reads only the
deadlines whose next reminder is due, batch after batch until none is left.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import services
from incidents.models import (
    Deadline,
    DeadlineReminder,
    Incident,
    Notification,
    OrganisationProfile,
    Task,
)
from incidents.services import delivery, reminders
from incidents.services.delivery import QUEUED_GRACE, SENDING_TIMEOUT
from incidents.services.notifications import notification_queue_internal
from tests.factories import IncidentFactory
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db

# A Monday morning: the SEC clock counts business days from here.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    """Frozen before the incident is opened; a test moves it with ``clock.move_to``."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _sweep(clock, at):
    clock.move_to(at)
    services.deadlines_sweep(now=at)


def _expose(incident, actor):
    services.scope_review_mark(
        incident=incident,
        actor=actor,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )


def _exposed_incident(commander, vendor, discovered_at=None):
    """Another incident whose EU health data of Helix (48 h contract) is confirmed exposed."""
    incident = IncidentFactory(
        commander=commander,
        vendors=[vendor],
        discovered_at=discovered_at or NOW - timedelta(hours=2),
    )
    _expose(incident, commander)
    return incident


def _helix(incident):
    return incident.deadlines.get(regime="Contract", recipient="Helix Health")


@pytest.fixture
def helix_clock(incident, responder):
    _expose(incident, responder)
    return _helix(incident)


@pytest.fixture
def sec_clock(incident, commander):
    """The SEC 8-K clock, started by a materiality determination half an hour ago."""
    profile = OrganisationProfile.current()
    profile.sec_registrant = True
    profile.save()
    services.incident_record_decisions(
        incident=incident, actor=commander, materiality_determined_at=NOW - timedelta(minutes=30)
    )
    return incident.deadlines.get(rule_id="sec-8k-1.05")


def _correct_materiality(clock, deadline, legal, *, at, determined_at):
    """Legal corrects the materiality determination at ``at``; the SEC clock moves."""
    clock.move_to(at)
    services.incident_record_decisions(
        incident=deadline.incident, actor=legal, materiality_determined_at=determined_at
    )
    deadline.refresh_from_db()
    return deadline


def _messages_about(deadline, kind):
    """Reminders (or escalations) queued for ``deadline`` at its current due time."""
    due = f"due {deadline.due_at:%d %b %Y, %H:%M} UTC"
    return [
        n.recipient_email
        for n in Notification.objects.filter(incident=deadline.incident, kind=kind)
        if deadline.citation in n.body_text and due in n.body_text
    ]


# --- a deadline that moves gets a fresh series ----------------------------------------------


def test_a_deadline_moved_later_is_reminded_again_before_its_new_due_time(
    sec_clock, commander, legal, clock
):
    first_due = sec_clock.due_at
    _sweep(clock, first_due - timedelta(hours=23))
    moved = _correct_materiality(
        clock,
        sec_clock,
        legal,
        at=first_due - timedelta(hours=22),
        determined_at=NOW + timedelta(days=2),
    )
    assert moved.due_at > first_due

    _sweep(clock, moved.due_at - timedelta(hours=23))

    assert sorted(_messages_about(moved, Notification.Kind.REMINDER)) == sorted(
        [commander.email, legal.email]
    )


@pytest.fixture
def missed_then_moved(sec_clock, legal, clock):
    """The SEC clock went missed and was escalated; then Legal's correction moved it ahead."""
    first_due = sec_clock.due_at
    _sweep(clock, first_due + timedelta(minutes=1))
    moved = _correct_materiality(
        clock, sec_clock, legal, at=first_due + timedelta(hours=1), determined_at=first_due
    )
    assert moved.status == Deadline.Status.PENDING
    assert moved.due_at > timezone.now()
    return moved


def test_a_missed_deadline_moved_into_the_future_is_reminded_again(
    missed_then_moved, commander, legal, clock
):
    _sweep(clock, missed_then_moved.due_at - timedelta(hours=23))

    assert sorted(_messages_about(missed_then_moved, Notification.Kind.REMINDER)) == sorted(
        [commander.email, legal.email]
    )


def test_a_missed_deadline_moved_into_the_future_is_escalated_again_when_it_passes(
    missed_then_moved, commander, legal, clock
):
    _sweep(clock, missed_then_moved.due_at + timedelta(minutes=1))

    missed_then_moved.refresh_from_db()
    assert missed_then_moved.status == Deadline.Status.MISSED
    assert sorted(_messages_about(missed_then_moved, Notification.Kind.ESCALATION)) == sorted(
        [commander.email, legal.email]
    )
    assert missed_then_moved.incident.timeline.filter(kind="deadline_missed").count() == 2


def test_the_timeline_says_reminders_start_again_for_a_moved_deadline(sec_clock, legal, clock):
    first_due = sec_clock.due_at
    _sweep(clock, first_due - timedelta(hours=23))

    _correct_materiality(
        clock,
        sec_clock,
        legal,
        at=first_due - timedelta(hours=22),
        determined_at=NOW + timedelta(days=2),
    )

    moved = sec_clock.incident.timeline.filter(kind="deadline_moved").order_by("-seq").first()
    assert moved.data.get("reminders_restart") is True
    assert "start again" in moved.summary


def test_the_timeline_promises_no_restart_for_a_deadline_moved_before_any_reminder(
    sec_clock, legal, clock
):
    _correct_materiality(
        clock, sec_clock, legal, at=NOW + timedelta(days=1), determined_at=NOW + timedelta(days=1)
    )

    moved = sec_clock.incident.timeline.filter(kind="deadline_moved").order_by("-seq").first()
    assert moved.data.get("reminders_restart") is False
    assert "start again" not in moved.summary


# --- next_reminder_at: when the sweep next has something to send -----------------------------


def test_a_new_deadline_is_due_for_its_first_reminder(helix_clock):
    assert helix_clock.next_reminder_at == helix_clock.due_at - timedelta(hours=24)


def test_the_next_reminder_moves_with_the_due_time(sec_clock, legal, clock):
    moved = _correct_materiality(
        clock, sec_clock, legal, at=NOW + timedelta(days=1), determined_at=NOW + timedelta(days=1)
    )

    assert moved.next_reminder_at == moved.due_at - timedelta(hours=24)


def test_the_next_reminder_advances_once_a_reminder_is_sent(helix_clock, clock):
    _sweep(clock, helix_clock.due_at - timedelta(hours=23))

    helix_clock.refresh_from_db()
    assert helix_clock.next_reminder_at == helix_clock.due_at - timedelta(hours=4)


def test_after_the_last_reminder_the_escalation_is_next(helix_clock, clock):
    _sweep(clock, helix_clock.due_at - timedelta(minutes=30))

    helix_clock.refresh_from_db()
    assert helix_clock.next_reminder_at == helix_clock.due_at


def test_an_escalated_deadline_has_no_next_reminder(helix_clock, clock):
    _sweep(clock, helix_clock.due_at + timedelta(minutes=1))

    helix_clock.refresh_from_db()
    assert helix_clock.next_reminder_at is None


def test_a_met_deadline_has_no_next_reminder(helix_clock, legal):
    services.deadline_mark_met(
        deadline=helix_clock, actor=legal, filed_at=timezone.now(), reference="Email to Helix"
    )

    helix_clock.refresh_from_db()
    assert helix_clock.next_reminder_at is None


def test_a_waived_deadline_has_no_next_reminder(helix_clock, legal):
    gdpr = helix_clock.incident.deadlines.get(rule_id="gdpr-art33")

    services.deadline_waive(deadline=gdpr, actor=legal, reason="Encrypted; key not exposed.")

    gdpr.refresh_from_db()
    assert gdpr.next_reminder_at is None


# --- the sweep reads only what is due, and finishes it ----------------------------------------


def _remindable():
    """Deadlines the sweep owes something: open, with a due time or an internal target (a
    duty with no fixed time), not the vendor's own SLA."""
    return set(
        Deadline.objects.filter(status=Deadline.Status.PENDING)
        .filter(Q(due_at__isnull=False) | Q(target_at__isnull=False))
        .exclude(rule_id="vendor-sla")
        .values_list("pk", flat=True)
    )


def test_one_sweep_sends_every_due_reminder_however_many_batches_they_take(
    commander, breached_vendor, monkeypatch, clock
):
    monkeypatch.setattr(reminders, "SWEEP_BATCH_SIZE", 3)
    exposed = [_exposed_incident(commander, breached_vendor) for _ in range(4)]
    due = _remindable()
    assert len(due) >= 7
    gdpr_due = exposed[0].deadlines.get(rule_id="gdpr-art33").due_at

    _sweep(clock, gdpr_due - timedelta(minutes=30))

    reminded = set(
        DeadlineReminder.objects.filter(notified=True).values_list("deadline", flat=True)
    )
    assert reminded == due
    for incident in exposed:
        # Helix's escalation, GDPR Art. 33's 1 h reminder, Art. 34's internal target passed.
        assert incident.timeline.filter(kind="reminder_sent").count() == 3


class _LockCounter:
    def __init__(self, lock):
        self.lock = lock
        self.incidents = []

    def __call__(self, incident):
        self.incidents.append(incident.pk)
        return self.lock(incident)


@pytest.fixture
def reminded_a_day_ahead(commander, breached_vendor, clock):
    """Helix's 24 h reminder was sent; its 4 h reminder is not due for hours (``count`` of them)."""

    def make(count):
        exposed = [_exposed_incident(commander, breached_vendor) for _ in range(count)]
        helix_due = _helix(exposed[0]).due_at
        _sweep(clock, helix_due - timedelta(hours=23))
        return helix_due - timedelta(hours=22)

    return make


@pytest.mark.parametrize("waiting", [1, 6])
def test_a_sweep_with_nothing_due_runs_the_same_two_queries_however_many_deadlines_wait(
    waiting, reminded_a_day_ahead, django_assert_max_num_queries
):
    quiet = reminded_a_day_ahead(waiting)

    with django_assert_max_num_queries(2):
        services.deadlines_sweep(now=quiet)


# Queries one due deadline may cost: its reads, one insert of its claim rows,
# the notice and its timeline entry, and the webhook deliveries that entry may
# owe (issue 14: it was 26, three per claim row; 20 once webhooks listened).
QUERIES_PER_DUE_DEADLINE = 20


def _sweep_counted(commander, vendor, clock, count):
    """Sweep ``count`` incidents' due reminders at once: (deadlines reminded, queries run)."""
    exposed = [_exposed_incident(commander, vendor) for _ in range(count)]
    at = _helix(exposed[0]).due_at - timedelta(hours=23)
    clock.move_to(at)
    with CaptureQueriesContext(connection) as queries:
        report = services.deadlines_sweep(now=at)
    return report.deadlines, len(queries)


def test_a_sweep_costs_a_bounded_number_of_queries_per_due_deadline(
    commander, breached_vendor, clock
):
    few, few_queries = _sweep_counted(commander, breached_vendor, clock, 1)
    Deadline.objects.update(next_reminder_at=None)

    many, many_queries = _sweep_counted(commander, breached_vendor, clock, 4)

    assert many > few
    assert (many_queries - few_queries) <= QUERIES_PER_DUE_DEADLINE * (many - few)


def test_a_sweep_with_nothing_due_locks_no_incident(reminded_a_day_ahead, monkeypatch):
    quiet = reminded_a_day_ahead(3)
    locks = _LockCounter(reminders.lock_incident)
    monkeypatch.setattr(reminders, "lock_incident", locks)

    services.deadlines_sweep(now=quiet)

    assert locks.incidents == []


# --- task reminders: per assignee and due time ------------------------------------------------


def _task_reminders(task):
    return [
        n.recipient_email
        for n in Notification.objects.filter(kind=Notification.Kind.REMINDER).order_by("pk")
        if task.title in n.body_text
    ]


@pytest.fixture
def overdue_task(incident, commander, responder, clock):
    """The evidence task, assigned to the responder, who was reminded once it was overdue."""
    task = incident.tasks.get(title__startswith="Preserve evidence")
    services.task_assign(task=task, actor=commander, assignee=responder)
    _sweep(clock, task.due_at + timedelta(minutes=1))
    assert _task_reminders(task) == [responder.email]
    return task


def test_reassigning_an_overdue_task_reminds_the_new_assignee(
    overdue_task, commander, responder, clock
):
    services.task_assign(task=overdue_task, actor=commander, assignee=commander)

    _sweep(clock, overdue_task.due_at + timedelta(minutes=5))

    assert _task_reminders(overdue_task) == [responder.email, commander.email]


def test_an_overdue_task_given_a_new_due_time_is_reminded_again_when_that_passes(
    overdue_task, responder, clock
):
    new_due = overdue_task.due_at + timedelta(hours=2)
    Task.objects.filter(pk=overdue_task.pk).update(due_at=new_due)

    _sweep(clock, new_due + timedelta(minutes=1))

    assert _task_reminders(overdue_task) == [responder.email, responder.email]


def test_an_overdue_task_is_reminded_once_per_assignee_and_due_time(overdue_task, responder, clock):
    _sweep(clock, overdue_task.due_at + timedelta(hours=1))

    assert _task_reminders(overdue_task) == [responder.email]


def test_one_sweep_reminds_every_overdue_task_however_many_batches_they_take(
    incident, commander, responder, monkeypatch, clock
):
    monkeypatch.setattr(reminders, "SWEEP_BATCH_SIZE", 2)
    tasks = list(incident.tasks.filter(status=Task.Status.OPEN)[:5])
    for task in tasks:
        services.task_assign(task=task, actor=commander, assignee=responder)
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(due_at=NOW + timedelta(hours=1))

    _sweep(clock, NOW + timedelta(hours=2))

    for task in tasks:
        assert _task_reminders(task) == [responder.email]


def test_a_task_on_a_closed_incident_is_not_reminded(incident, commander, responder, clock):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    services.task_assign(task=task, actor=commander, assignee=responder)
    Incident.objects.filter(pk=incident.pk).update(phase=Incident.Phase.CLOSED)

    _sweep(clock, task.due_at + timedelta(minutes=1))

    assert _task_reminders(task) == []


# --- the outbox sweep finishes what it finds ------------------------------------------------


def test_the_outbox_sweep_publishes_every_lost_row_in_one_run(
    incident, commander, responder, legal, viewer, monkeypatch
):
    monkeypatch.setattr(delivery, "SWEEP_BATCH_SIZE", 2)
    published = []
    monkeypatch.setattr(delivery, "_publish_one", lambda broker, pk: published.append(pk))
    lost = _lost(incident, commander, (commander, responder, legal, viewer, commander))

    services.notifications_sweep(now=NOW + QUEUED_GRACE + timedelta(minutes=1))

    assert sorted(published) == sorted(lost)


def _lost(incident, commander, users):
    return [
        notification_queue_internal(
            incident, kind=Notification.Kind.INTERNAL_UPDATE, recipient=user, actor=commander
        ).pk
        for user in users
    ]


def test_the_outbox_sweep_surfaces_every_stuck_row_in_one_run(
    incident, commander, responder, legal, viewer, monkeypatch
):
    monkeypatch.setattr(delivery, "SWEEP_BATCH_SIZE", 2)
    stuck = _lost(incident, commander, (commander, responder, legal, viewer, commander))
    Notification.objects.filter(pk__in=stuck).update(
        status=Notification.Status.SENDING, claimed_at=NOW
    )

    services.notifications_sweep(now=NOW + SENDING_TIMEOUT + timedelta(minutes=1))

    assert set(Notification.objects.filter(pk__in=stuck).values_list("status", flat=True)) == {
        Notification.Status.FAILED
    }
