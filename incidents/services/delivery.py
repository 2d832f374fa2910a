"""Delivering notices: claim a queued row, send it over SMTP once, record the outcome.

The Notification row is the truth. A worker sends only a row it has claimed
(queued → sending in one UPDATE, counting the attempt), so a duplicated or
redelivered task finds nothing to do. A row the broker never took
(``published_at`` empty) is published again by the next sweep. Once the mail
server has answered, its answer is recorded against the attempt it belongs
to, again and again until the database takes it (a dropped connection must
not turn a delivered notice into an uncertain one). Only a row left
``sending`` by a worker that died between handing the message over and
hearing the reply is truly uncertain: it is never resent on its own but marked
failed with that explanation, for a person to decide.
"""

import logging
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from incidents import timeline
from incidents.models import DELIVERY_UNCERTAIN_PREFIX, Notification, OrganisationProfile, Task
from incidents.services.common import lock_incident
from incidents.services.deadlines import deadline_met_by_notification
from incidents.services.notice_composition import organisation_name
from incidents.services.playbook_tasks import playbook_tasks_complete_for_action

logger = logging.getLogger(__name__)

SEND_TASK = "incidents.tasks.notification_send_task"
RECORD_TASK = "incidents.tasks.notification_record_outcome_task"

# Past this, a queued row's published task was lost (the broker restarted
# empty): publish it again. Longer than the task's longest retry back-off, so
# that a row waiting for its retry is left to it.
QUEUED_GRACE = timedelta(minutes=15)
# A row the broker did not take is published by the first sweep after this,
# which leaves the publication after commit its moment.
UNPUBLISHED_GRACE = timedelta(seconds=30)
# A send holds ``sending`` for one SMTP conversation (30 s timeout) and then
# the recording of its answer (``RECORD_DELAYS``, about a minute); a row still
# there after this belonged to a worker that died.
SENDING_TIMEOUT = timedelta(minutes=5)
# Seconds between tries at recording the mail server's answer when the
# database does not take it; after the last, the broker carries the answer
# (RECORD_TASK) until the database is back.
RECORD_DELAYS = (0.5, 1, 2, 4, 8, 15, 30)
# Publishing in a request tries the broker once and briefly: the user never
# waits on an outage, and the sweep is the retry.
PUBLISH_CONNECTION = {
    "connect_timeout": 1,
    "transport_options": {"max_retries": 0, "socket_connect_timeout": 1},
}
# The sweep runs every minute and takes rows in batches of this size, batch
# after batch until none is left, so that each query stays short.
SWEEP_BATCH_SIZE = 100

UNCERTAIN_PREFIX = DELIVERY_UNCERTAIN_PREFIX
UNCERTAIN_DELIVERY = (
    f"{UNCERTAIN_PREFIX} the worker stopped after handing this message to the mail server "
    "and before hearing its reply (attempt {attempt}, started {claimed}). It may have "
    "arrived. Check with the recipient before retrying."
)


class TransientDeliveryError(Exception):
    """The mail server or network said "not now": the task retries with back-off."""


class PermanentDeliveryError(Exception):
    """The mail server refused the message for good (5xx)."""


class _BrokerOutage:
    """Logs an outage once when it starts and once when it ends, not a traceback per try."""

    def __init__(self) -> None:
        self.since: datetime | None = None

    def failed(self, exc: Exception, waiting: int) -> None:
        if self.since is None:
            self.since = timezone.now()
            logger.warning(
                "Broker unreachable (%s: %s); %d notice(s) wait for the outbox sweep.",
                type(exc).__name__,
                exc,
                waiting,
            )

    def succeeded(self) -> None:
        if self.since is not None:
            logger.warning("Broker reachable again after %s.", timezone.now() - self.since)
            self.since = None


_broker_outage = _BrokerOutage()
# What an unreachable broker raises, whatever the transport.
BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError)


def publish_sends(notification_ids: Sequence[int]) -> list[int]:
    """Hand send tasks to the broker in one brief try; returns the ids it took.

    One connection for all, with a 1 s connect timeout and no retries
    (``PUBLISH_CONNECTION``): a request never waits on a broker outage, which
    ends the try for every row. A row that fails on its own is logged and
    skipped. Rows the broker took get ``published_at``; the others keep it
    empty and the outbox sweep publishes them within about a minute of the
    broker's return.
    """
    published: list[int] = []
    try:
        with current_app.connection_for_write(**PUBLISH_CONNECTION) as broker:
            for notification_id in notification_ids:
                try:
                    _publish_one(broker, notification_id)
                except BROKER_ERRORS:
                    raise
                except Exception:  # this row only: the others still go
                    logger.exception("Could not publish notification %s", notification_id)
                else:
                    published.append(notification_id)
    except BROKER_ERRORS as exc:
        _broker_outage.failed(exc, waiting=len(notification_ids) - len(published))
    else:
        _broker_outage.succeeded()
    if published:
        Notification.objects.filter(pk__in=published).update(published_at=timezone.now())
    return published


def _publish_one(broker, notification_id: int) -> None:
    """The task is found by its registered name, so that services never import
    the Celery task module (which imports them)."""
    current_app.tasks[SEND_TASK].apply_async(
        kwargs={"notification_id": notification_id}, retry=False, connection=broker
    )


def _claim(notification_id: int) -> bool:
    """queued → sending in one UPDATE, counting the attempt: exactly one caller wins."""
    return bool(
        Notification.objects.filter(pk=notification_id, status=Notification.Status.QUEUED).update(
            status=Notification.Status.SENDING,
            attempts=models.F("attempts") + 1,
            claimed_at=timezone.now(),
        )
    )


def _sender(notification: Notification) -> tuple[str, list[str]]:
    """The From and Reply-To of a notice.

    An outside notice comes from us by name (the organisation profile) and
    sends replies where the profile says a person reads them; internal mail
    keeps the configured sender.
    """
    if not notification.is_external:
        return settings.DEFAULT_FROM_EMAIL, []
    profile = OrganisationProfile.current()
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    sender = formataddr((organisation_name(profile), address))
    return sender, [profile.reply_to] if profile.reply_to else []


def _message(notification: Notification) -> EmailMultiAlternatives:
    from_email, reply_to = _sender(notification)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=from_email,
        to=[notification.recipient_email],
        reply_to=reply_to,
        headers={
            "Message-ID": notification.message_id,
            "X-BreachDesk-Incident": notification.incident.reference,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(notification.body_html, "text/html")
    return message


def _classify(exc: Exception) -> Exception:
    """Which SMTP and network failures are worth retrying."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        transient = all(400 <= code < 500 for code in codes)
        return (TransientDeliveryError if transient else PermanentDeliveryError)(
            "; ".join(
                f"{addr}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                for addr, (code, msg) in exc.recipients.items()
            )
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        error_class = (
            TransientDeliveryError if 400 <= exc.smtp_code < 500 else PermanentDeliveryError
        )
        return error_class(f"{exc.smtp_code} {text}")
    if isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError, OSError)):
        return TransientDeliveryError(f"mail server unreachable: {exc}")
    return PermanentDeliveryError(f"{type(exc).__name__}: {exc}")


def notification_send(*, notification_id: int) -> str:
    """Send one claimed notification; returns what happened ("sent", "failed", "skipped"…).

    Raises ``TransientDeliveryError`` when the mail server or the network said
    "later" (the row is queued again and the task retries).
    """
    if not _claim(notification_id):
        return "skipped"
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=notification_id
    )
    attempt = notification.attempts
    try:
        _message(notification).send()
    except Exception as exc:  # classified below; nothing is lost either way
        error = _classify(exc)
        if isinstance(error, TransientDeliveryError):
            _record(OUTCOME_REQUEUED, notification_id, attempt, str(error))
            raise error from exc
        _record(OUTCOME_FAILED, notification_id, attempt, str(error))
        return "failed"
    _record(OUTCOME_SENT, notification_id, attempt, "")
    return "sent"


OUTCOME_SENT = "sent"
OUTCOME_FAILED = "failed"
OUTCOME_REQUEUED = "requeued"


def _record(outcome: str, notification_id: int, attempt: int, error: str) -> None:
    """Record the mail server's answer to ``attempt``, whatever the database does meanwhile.

    Retries with a fresh connection after each ``RECORD_DELAYS`` pause; if the
    database is still away after the last, the answer goes to the broker
    (``RECORD_TASK``, retried until it is recorded), so that it is never lost
    with this worker.
    """
    for delay in (*RECORD_DELAYS, None):
        try:
            notification_record_outcome(
                notification_id=notification_id, attempt=attempt, outcome=outcome, error=error
            )
            return
        except (OperationalError, InterfaceError) as exc:
            # A connection the server dropped stays broken: the next try opens
            # a new one. (The recorders are durable, so only a test's own
            # transaction can be around this; that connection is not ours.)
            if not connection.in_atomic_block:
                connection.close()
            if delay is None:
                logger.warning(
                    "Database unreachable (%s); the broker keeps notification %s's outcome (%s).",
                    exc,
                    notification_id,
                    outcome,
                )
                current_app.tasks[RECORD_TASK].apply_async(
                    kwargs={
                        "notification_id": notification_id,
                        "attempt": attempt,
                        "outcome": outcome,
                        "error": error,
                    }
                )
                return
            logger.warning(
                "Database unreachable (%s) recording notification %s (%s); again in %s s.",
                exc,
                notification_id,
                outcome,
                delay,
            )
            time.sleep(delay)


def notification_record_outcome(
    *, notification_id: int, attempt: int, outcome: str, error: str = ""
) -> bool:
    """Settle ``attempt`` of a notification with the mail server's answer; idempotent.

    ``outcome`` is ``OUTCOME_SENT`` (the server accepted the message),
    ``OUTCOME_FAILED`` (it refused it for good) or ``OUTCOME_REQUEUED`` (it
    said "later"). Applies only while the row is still on that attempt and
    unsettled; a row the uncertainty sweep marked failed meanwhile is settled
    by the answer, which is what happened. Returns whether anything changed.
    Raises ``OperationalError`` / ``InterfaceError`` when the database is away.
    """
    recorders: dict[str, Callable[[int, int, str], bool]] = {
        OUTCOME_SENT: _mark_sent,
        OUTCOME_FAILED: _mark_refused,
        OUTCOME_REQUEUED: _mark_requeued,
    }
    return recorders[outcome](notification_id, attempt, error)


def _on_attempt(notification_id: int, attempt: int) -> models.QuerySet:
    """The row, while ``attempt`` is its latest and only the uncertainty sweep settled it."""
    return Notification.objects.filter(pk=notification_id, attempts=attempt).filter(
        models.Q(status=Notification.Status.SENDING)
        | models.Q(status=Notification.Status.FAILED, last_error__startswith=UNCERTAIN_PREFIX)
    )


@transaction.atomic(durable=True)
def _mark_sent(notification_id: int, attempt: int, error: str) -> bool:
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=notification_id
    )
    notification.incident = lock_incident(
        notification.incident, actor=None, need=None, open_only=False
    )
    now = timezone.now()
    if not _on_attempt(notification_id, attempt).update(
        status=Notification.Status.SENT,
        sent_at=now,
        accepted_attempt=attempt,
        failed_at=None,
        last_error="",
    ):
        return False
    notification.refresh_from_db()
    timeline.record_notification_sent(notification=notification)
    deadline_met_by_notification(notification)
    partner_notices = notification.incident.notifications.filter(
        kind=Notification.Kind.PARTNER_NOTICE
    )
    if (
        notification.kind == Notification.Kind.PARTNER_NOTICE
        and not partner_notices.exclude(status=Notification.Status.SENT).exists()
    ):
        playbook_tasks_complete_for_action(
            incident=notification.incident, action=Task.Action.NOTIFY_PARTNERS, actor=None
        )
    return True


def _mark_refused(notification_id: int, attempt: int, error: str) -> bool:
    return notification_mark_failed(notification_id=notification_id, error=error, attempt=attempt)


def _mark_requeued(notification_id: int, attempt: int, error: str) -> bool:
    """The server said "later": queued again for the task's own retry."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, attempts=attempt, status=Notification.Status.SENDING
        ).update(
            status=Notification.Status.QUEUED,
            queued_at=timezone.now(),
            # The task's own retry is the next publication.
            published_at=timezone.now(),
            last_error=error,
        )
    )


@transaction.atomic(durable=True)
def notification_mark_failed(
    *, notification_id: int, error: str, attempt: int | None = None
) -> bool:
    """The last word on a message that could not be sent: the row, and the timeline.

    With ``attempt``, only while the row is still on that attempt. Returns
    whether the row changed (a settled row is left as it is).
    """
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=notification_id
    )
    notification.incident = lock_incident(
        notification.incident, actor=None, need=None, open_only=False
    )
    unsettled = Notification.objects.filter(
        pk=notification_id,
        status__in=[Notification.Status.QUEUED, Notification.Status.SENDING],
    )
    if attempt is not None:
        unsettled = unsettled.filter(attempts=attempt)
    if not unsettled.update(
        status=Notification.Status.FAILED, failed_at=timezone.now(), last_error=error[:2000]
    ):
        return False
    notification.refresh_from_db()
    timeline.record_notification_failed(notification=notification)
    return True


@dataclass
class SweepReport:
    republished: int = 0
    uncertain: int = 0
    failed: int = 0


def notifications_sweep(*, now: datetime | None = None) -> SweepReport:
    """Publish what the broker never took or lost; surface what a dead worker left half-done.

    A queued row the broker did not take (``published_at`` empty) is published
    once ``UNPUBLISHED_GRACE`` has passed, so within a minute of the broker's
    return; a published one still queued after ``QUEUED_GRACE`` was lost and is
    published again. Takes batches until nothing is left, so however many rows
    wait, every one is handled in this run; a batch the broker refuses is left
    for the next run without stopping the uncertainty check.
    """
    now = now or timezone.now()
    report = SweepReport()
    waiting = Notification.objects.filter(status=Notification.Status.QUEUED).filter(
        models.Q(published_at__isnull=True, queued_at__lt=now - UNPUBLISHED_GRACE)
        | models.Q(published_at__lt=now - QUEUED_GRACE)
    )
    # Each row once per run: published ones look "lost" again to a sweep run
    # with a ``now`` ahead of the clock, and refused ones wait for the next run.
    handled: set[int] = set()
    while batch := list(
        waiting.exclude(pk__in=handled)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    ):
        handled.update(batch)
        published = publish_sends(batch)
        report.republished += len(published)
        report.failed += len(batch) - len(published)
        if _broker_outage.since is not None:
            break
    failed: set[int] = set()
    while stuck := list(
        Notification.objects.filter(
            status=Notification.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
        )
        .exclude(pk__in=failed)
        .order_by("claimed_at", "pk")
        .values_list("pk", "claimed_at", "attempts")[:SWEEP_BATCH_SIZE]
    ):
        for notification_id, claimed_at, attempt in stuck:
            try:
                notification_mark_failed(
                    notification_id=notification_id,
                    attempt=attempt,
                    error=UNCERTAIN_DELIVERY.format(
                        attempt=attempt, claimed=f"{claimed_at:%Y-%m-%d %H:%M} UTC"
                    ),
                )
                report.uncertain += 1
            except Exception:  # one row must never stop the others
                logger.exception("Could not mark notification %s uncertain", notification_id)
                failed.add(notification_id)
                report.failed += 1
    return report
