"""Delivering notices: claim a queued row, send it over SMTP once, record the outcome.

The Notification row is the truth. A worker sends only a row it has claimed
(queued → sending in one UPDATE), so a duplicated or redelivered task finds
nothing to do. A row left ``queued`` (the broker was down) is published again
by the sweep. A row left ``sending`` (the worker died while talking to the
mail server) may or may not have been delivered, so it is never resent on its
own: it is marked failed with that explanation, for a person to decide.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.utils import timezone

from incidents import timeline
from incidents.models import Notification, Task
from incidents.services.common import lock_incident
from incidents.services.deadlines import deadline_met_by_notification
from incidents.services.playbook_tasks import playbook_tasks_complete_for_action

logger = logging.getLogger(__name__)

SEND_TASK = "incidents.tasks.notification_send_task"

# Past this, a queued row's task was lost (broker down or restarted): publish
# it again. Longer than the task's longest retry back-off, so that a row
# waiting for its retry is left to it.
QUEUED_GRACE = timedelta(minutes=15)
# A send holds ``sending`` for one SMTP conversation (30 s timeout); a row
# still there after this belonged to a worker that died.
SENDING_TIMEOUT = timedelta(minutes=10)
# The sweep runs every minute and takes rows in batches of this size, batch
# after batch until none is left, so that each query stays short.
SWEEP_BATCH_SIZE = 100

UNCERTAIN_DELIVERY = (
    "Delivery uncertain: the worker stopped while handing this message to the mail server "
    "(claimed {claimed}). It may have arrived. Check with the recipient before retrying."
)


class TransientDeliveryError(Exception):
    """The mail server or network said "not now": the task retries with back-off."""


class PermanentDeliveryError(Exception):
    """The mail server refused the message for good (5xx)."""


def publish_send(notification_id: int) -> None:
    """Hand the send to the broker; if it is unreachable, the row waits for the sweep.

    The task is found by its registered name, so that services never import the
    Celery task module (which imports them).
    """
    try:
        current_app.tasks[SEND_TASK].apply_async(
            kwargs={"notification_id": notification_id}, retry=False
        )
    except Exception:  # the broker's own errors vary by transport; the row is safe
        logger.warning(
            "Could not publish notification %s; the outbox sweep will send it.",
            notification_id,
            exc_info=True,
        )


def _claim(notification_id: int) -> bool:
    """queued → sending in one UPDATE: exactly one caller wins."""
    return bool(
        Notification.objects.filter(pk=notification_id, status=Notification.Status.QUEUED).update(
            status=Notification.Status.SENDING,
            attempts=models.F("attempts") + 1,
            claimed_at=timezone.now(),
        )
    )


def _message(notification: Notification) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient_email],
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
    """Send one claimed notification; returns what happened ("sent", "skipped", …)."""
    if not _claim(notification_id):
        return "skipped"
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=notification_id
    )
    try:
        _message(notification).send()
    except Exception as exc:  # classified below; nothing is lost either way
        error = _classify(exc)
        if isinstance(error, TransientDeliveryError):
            Notification.objects.filter(
                pk=notification_id, status=Notification.Status.SENDING
            ).update(
                status=Notification.Status.QUEUED, queued_at=timezone.now(), last_error=str(error)
            )
            raise error from exc
        notification_mark_failed(notification_id=notification_id, error=str(error))
        return "failed"
    _mark_sent(notification_id)
    return "sent"


@transaction.atomic(durable=True)
def _mark_sent(notification_id: int) -> None:
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=notification_id
    )
    notification.incident = lock_incident(
        notification.incident, actor=None, need=None, open_only=False
    )
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "last_error"])
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


@transaction.atomic(durable=True)
def notification_mark_failed(*, notification_id: int, error: str) -> None:
    """The last word on a message that could not be sent: the row, and the timeline."""
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=notification_id
    )
    notification.incident = lock_incident(
        notification.incident, actor=None, need=None, open_only=False
    )
    updated = Notification.objects.filter(
        pk=notification_id,
        status__in=[Notification.Status.QUEUED, Notification.Status.SENDING],
    ).update(status=Notification.Status.FAILED, failed_at=timezone.now(), last_error=error[:2000])
    if not updated:
        return
    notification.refresh_from_db()
    timeline.record_notification_failed(notification=notification)


@dataclass
class SweepReport:
    republished: int = 0
    uncertain: int = 0
    failed: int = 0


def notifications_sweep(*, now: datetime | None = None) -> SweepReport:
    """Publish again what the broker lost; surface what a dead worker left half-done.

    Takes batches until nothing is left, so however many rows wait, every one
    is handled in this run; one row that fails is logged and left for the next
    run without stopping the others.
    """
    now = now or timezone.now()
    report = SweepReport()
    failed: set[int] = set()
    while lost := list(
        Notification.objects.filter(
            status=Notification.Status.QUEUED, queued_at__lt=now - QUEUED_GRACE
        )
        .exclude(pk__in=failed)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    ):
        for notification_id in lost:
            try:
                # Bumped first, so that the next batch (and sweep) leaves it to this publication.
                Notification.objects.filter(
                    pk=notification_id, status=Notification.Status.QUEUED
                ).update(queued_at=now)
                publish_send(notification_id)
                report.republished += 1
            except Exception:  # one row must never stop the others
                logger.exception("Could not publish notification %s again", notification_id)
                failed.add(notification_id)
                report.failed += 1
    while stuck := list(
        Notification.objects.filter(
            status=Notification.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
        )
        .exclude(pk__in=failed)
        .order_by("claimed_at", "pk")
        .values_list("pk", "claimed_at")[:SWEEP_BATCH_SIZE]
    ):
        for notification_id, claimed_at in stuck:
            try:
                notification_mark_failed(
                    notification_id=notification_id,
                    error=UNCERTAIN_DELIVERY.format(claimed=f"{claimed_at:%Y-%m-%d %H:%M} UTC"),
                )
                report.uncertain += 1
            except Exception:  # one row must never stop the others
                logger.exception("Could not mark notification %s uncertain", notification_id)
                failed.add(notification_id)
                report.failed += 1
    return report
