"""Reminders before deadlines, escalations after them, and reminders of overdue tasks.

Each is sent exactly once for what it was about: a claim row keyed on the
deadline (or task and assignee), the offset and **the due time it was for**
is inserted before anything is sent, and only the insert that succeeds sends.
A deadline that moves (Legal corrects a determination) therefore gets a fresh
series for its new due time, and one that went missed and then moved into the
future is reminded and escalated again.

The sweep reads only what is due: every deadline stores ``next_reminder_at``
(indexed), kept current by ``schedule_reminders`` whenever the deadline is
set, moved, settled or reminded. It takes batches until nothing due is left,
so however many are due at once every one is sent, and one that fails is
logged, shown on its incident (``Deadline.reminder_error``) and left for the
next run without stopping the others.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from breachdesk.models import User
from breachdesk.roles import users_with_a_role
from incidents import timeline
from incidents.models import (
    Deadline,
    DeadlineReminder,
    Incident,
    IncidentMember,
    Notification,
    Task,
    TaskReminder,
)
from incidents.services.common import lock_incident
from incidents.services.deadlines import (
    ESCALATION,
    incident_next_deadline_refresh,
    offset_label,
    reminder_offsets,
    schedule_reminders,
)
from incidents.services.notifications import notification_queue_internal

logger = logging.getLogger(__name__)

# The sweep runs every minute. A batch this size keeps each transaction and
# each query short; the sweep takes batch after batch until nothing is due.
SWEEP_BATCH_SIZE = 200


def reminder_recipients(incident: Incident, wanted: list[User]) -> list[User]:
    """Who receives a duty's message: the active ones of ``wanted``, or someone who can act.

    Inactive accounts never get mail. When none of the people a duty is for
    is active, the incident's commander gets it; failing that, everyone active
    who may see the incident (for a restricted incident, its members only).
    """
    active = list({user.pk: user for user in wanted if user.is_active}.values())
    if active:
        return active
    if incident.commander.is_active:
        return [incident.commander]
    members = User.objects.filter(is_active=True, incident_memberships__incident=incident).order_by(
        "pk"
    )
    if incident.restricted:
        return list(members)
    readers = users_with_a_role().filter(groups__permissions__codename="view_all_incidents")
    return list({user.pk: user for user in [*members, *readers]}.values())


def _legal_members(incident: Incident) -> list[User]:
    return [
        m.user
        for m in incident.members.select_related("user").filter(role=IncidentMember.Role.LEGAL)
    ]


def deadline_words(deadline: Deadline) -> str:
    if deadline.due_at:
        due = f"due {deadline.due_at:%d %b %Y, %H:%M} UTC"
    elif deadline.target_at:
        due = f"{deadline.standard} (internal target {deadline.target_at:%d %b %Y, %H:%M} UTC)"
    else:
        due = deadline.standard
    return f"{deadline.citation}: notify {deadline.recipient}, {due}"


def _remind(
    incident: Incident,
    wanted: list[User],
    *,
    kind: str,
    about: str,
    offset: str,
    deadline: Deadline | None = None,
):
    notices = [
        notice
        for user in reminder_recipients(incident, wanted)
        if (
            notice := notification_queue_internal(
                incident, kind=kind, recipient=user, actor=None, deadline=about
            )
        )
    ]
    timeline.record_reminder_sent(
        incident=incident, about=about, offset=offset, notifications=notices, deadline=deadline
    )


def _claim(deadline: Deadline, offsets: list[str], *, sending: str) -> bool:
    """Insert the (deadline, offset, due time) rows in one statement; True if ``sending`` is ours.

    ``offsets`` are the ones passed unsent (a reminder not worth sending any
    more); ``sending`` is the one whose email goes out, and only the caller
    whose insert of it succeeds sends it. ``ON CONFLICT DO NOTHING RETURNING``
    (PostgreSQL, SQLite 3.35+) says which rows this insert made, where a
    savepoint and an insert per row cost three queries each.
    """
    table = DeadlineReminder._meta.db_table
    # As the ORM would write them (SQLite keeps datetimes as text in one format).
    due_at, now = (
        DeadlineReminder._meta.get_field(name).get_db_prep_value(value, connection)
        for name, value in (("due_at", deadline.remind_at), ("created_at", timezone.now()))
    )
    rows = [(offset, False) for offset in offsets] + [(sending, True)]
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params = [
        value for offset, notified in rows for value in (deadline.pk, offset, due_at, notified, now)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("deadline_id", "offset", "due_at", "notified", "created_at") '  # noqa: S608 - the table name is ours
            f'VALUES {values} ON CONFLICT DO NOTHING RETURNING "offset"',
            params,
        )
        inserted = {row[0] for row in cursor.fetchall()}
    return sending in inserted


def _due_now(deadline: Deadline, now: datetime) -> bool:
    return (
        deadline.next_reminder_at is not None
        and deadline.next_reminder_at <= now
        and deadline.is_open
        and deadline.remind_at is not None
    )


@transaction.atomic(durable=True)
def _remind_deadline(deadline_id: int, now: datetime) -> None:
    # Read without a lock first: a deadline settled or moved since it was
    # selected has nothing to send, and its incident is left alone.
    unlocked = Deadline.objects.select_related("incident").get(pk=deadline_id)
    if not _due_now(unlocked, now):
        return
    incident = lock_incident(unlocked.incident, actor=None, need=None, open_only=False)
    deadline = Deadline.objects.select_for_update().get(pk=deadline_id)
    deadline.incident = incident
    if not _due_now(deadline, now):
        return
    wanted = [incident.commander, *_legal_members(incident)]
    if now >= deadline.remind_at:
        # Reminders never sent before the due time are not worth sending after it.
        unsent = [offset_label(offset) for offset in reminder_offsets()]
        if _claim(deadline, unsent, sending=ESCALATION):
            # Only a legal due time can be missed; an internal target passed is escalated.
            if deadline.due_at:
                if deadline.status == Deadline.Status.PENDING:
                    deadline.status = Deadline.Status.MISSED
                timeline.record_deadline_missed(deadline=deadline)
            _remind(
                incident,
                wanted,
                kind=Notification.Kind.ESCALATION,
                about=deadline_words(deadline),
                offset=ESCALATION,
                deadline=deadline,
            )
    else:
        reached = [o for o in reminder_offsets() if now >= deadline.remind_at - o]
        if reached:
            # If the sweep was away, only the most urgent reminder is worth an
            # email; the earlier ones are marked done so they never arrive late.
            *superseded, urgent = reached
            unsent = [offset_label(offset) for offset in superseded]
            if _claim(deadline, unsent, sending=offset_label(urgent)):
                _remind(
                    incident,
                    wanted,
                    kind=Notification.Kind.REMINDER,
                    about=deadline_words(deadline),
                    offset=f"{offset_label(urgent)} before",
                    deadline=deadline,
                )
    schedule_reminders(deadline)
    if deadline.next_reminder_at is not None and deadline.next_reminder_at <= now:
        # Every offset reached by now was claimed above, so this cannot happen;
        # if it ever did, the sweep would take this deadline again and again.
        logger.error("Deadline %s still due after its reminders were sent", deadline_id)
        deadline.next_reminder_at = None
    deadline.reminder_error = ""
    deadline.save(update_fields=["status", "next_reminder_at", "reminder_error", "computed_at"])
    if deadline.status == Deadline.Status.MISSED:
        # A missed deadline is still owed: the incident's urgency keeps it.
        incident_next_deadline_refresh(incident)


@transaction.atomic(durable=True)
def _remind_task(task_id: int, now: datetime) -> None:
    task = Task.objects.select_related("incident", "assignee").get(pk=task_id)
    if not task.is_open or task.assignee is None or task.due_at is None or task.due_at > now:
        return
    incident = lock_incident(task.incident, actor=None, need=None, open_only=False)
    task = Task.objects.select_related("assignee").get(pk=task_id)
    if not task.is_open or task.assignee is None or incident.is_closed:
        return
    try:
        with transaction.atomic():
            TaskReminder.objects.create(task=task, assignee=task.assignee, due_at=task.due_at)
    except IntegrityError:
        return
    _remind(
        incident,
        [task.assignee],
        kind=Notification.Kind.REMINDER,
        about=f"overdue task “{task.title}”, due {task.due_at:%d %b %Y, %H:%M} UTC",
        offset=ESCALATION,
    )


@transaction.atomic(durable=True)
def _record_deadline_failure(deadline_id: int, error: str) -> None:
    Deadline.objects.filter(pk=deadline_id).update(reminder_error=error[:2000])


def unacknowledged_words(notification: Notification) -> str:
    """The alert's subject matter: which notice, to whom, sent when, and how long ago."""
    partner = f" ({notification.stakeholder.name})" if notification.stakeholder else ""
    return (
        f"the partner notice to {notification.recipient_email}{partner}, sent "
        f"{notification.sent_at:%d %b %Y, %H:%M} UTC, is not acknowledged after "
        f"{settings.ACK_ALERT_HOURS} h"
    )


def unacknowledged_due(now: datetime):
    """Sent partner notices past ``ACK_ALERT_HOURS`` without acknowledgement or alert yet."""
    return Notification.objects.filter(
        kind=Notification.Kind.PARTNER_NOTICE,
        status=Notification.Status.SENT,
        acknowledged_at__isnull=True,
        unacknowledged_alerted_at__isnull=True,
        sent_at__lte=now - timedelta(hours=settings.ACK_ALERT_HOURS),
    ).exclude(incident__phase=Incident.Phase.CLOSED)


@transaction.atomic(durable=True)
def _alert_unacknowledged(notification_id: int, now: datetime) -> bool:
    notification = Notification.objects.select_related("incident").get(pk=notification_id)
    incident = lock_incident(notification.incident, actor=None, need=None, open_only=False)
    # The claim: only the UPDATE that finds the alert not yet sent sends it.
    claimed = (
        unacknowledged_due(now).filter(pk=notification_id).update(unacknowledged_alerted_at=now)
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("stakeholder").get(pk=notification_id)
    _remind(
        incident,
        [incident.commander],
        kind=Notification.Kind.REMINDER,
        about=unacknowledged_words(notification),
        offset=UNACKNOWLEDGED,
    )
    return True


UNACKNOWLEDGED = "not acknowledged"


def notifications_unacknowledged_sweep(*, now: datetime | None = None) -> int:
    """Tell the commander, once per notice, of partner notices unacknowledged past the limit.

    ``ACK_ALERT_HOURS`` after sending (48 by default). Each alert is claimed
    by a conditional UPDATE of ``unacknowledged_alerted_at`` in the incident's
    lock, so two sweeps never send it twice. Returns how many alerts went out;
    one that fails is logged and left for the next run.
    """
    now = now or timezone.now()
    sent = 0
    failed: set[int] = set()
    while batch := list(
        unacknowledged_due(now)
        .exclude(pk__in=failed)
        .order_by("sent_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    ):
        for notification_id in batch:
            try:
                sent += _alert_unacknowledged(notification_id, now)
            except Exception:  # one notice must never stop the others
                logger.exception("Could not alert about unacknowledged notice %s", notification_id)
                failed.add(notification_id)
    return sent


@dataclass
class SweepReport:
    deadlines: int = 0
    tasks: int = 0
    failed: int = 0


def deadlines_sweep(*, now: datetime | None = None) -> SweepReport:
    """Send every due reminder and escalation exactly once, then remind overdue tasks.

    Takes batches of ``SWEEP_BATCH_SIZE``, soonest due first, until nothing
    due is left. A deadline or task that fails is logged and recorded where a
    person sees it, and the sweep goes on; the next run tries it again.
    """
    now = now or timezone.now()
    report = SweepReport()
    failed_deadlines: set[int] = set()
    previous: list[int] = []
    while batch := list(
        Deadline.objects.filter(next_reminder_at__lte=now)
        .exclude(pk__in=failed_deadlines)
        .order_by("next_reminder_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    ):
        if batch == previous:
            logger.error("The reminder sweep made no progress on deadlines %s", batch)
            break
        previous = batch
        for deadline_id in batch:
            try:
                _remind_deadline(deadline_id, now)
                report.deadlines += 1
            except Exception as exc:  # one deadline must never stop the others
                logger.exception("Could not remind about deadline %s", deadline_id)
                failed_deadlines.add(deadline_id)
                report.failed += 1
                _record_deadline_failure(deadline_id, f"{type(exc).__name__}: {exc}")
    failed_tasks: set[int] = set()
    already = TaskReminder.objects.filter(
        task=OuterRef("pk"), assignee=OuterRef("assignee"), due_at=OuterRef("due_at")
    )
    previous = []
    while batch := list(
        Task.objects.filter(status=Task.Status.OPEN, assignee__isnull=False, due_at__lt=now)
        .exclude(incident__phase=Incident.Phase.CLOSED)
        .exclude(Exists(already))
        .exclude(pk__in=failed_tasks)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    ):
        if batch == previous:
            logger.error("The reminder sweep made no progress on tasks %s", batch)
            break
        previous = batch
        for task_id in batch:
            try:
                _remind_task(task_id, now)
                report.tasks += 1
            except Exception:  # one task must never stop the others
                logger.exception("Could not remind about task %s", task_id)
                failed_tasks.add(task_id)
                report.failed += 1
    return report
