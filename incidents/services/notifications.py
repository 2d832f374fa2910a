"""Notices by email through an outbox: draft, approve, queue, claim, send, acknowledge.

The Notification row is the truth. It is written, with its timeline entry,
before anything is sent; the send task is published only after that commit;
a worker sends only a row it has claimed (queued → sending in one UPDATE), so
a duplicated or redelivered task finds nothing to do. A row left ``queued``
(the broker was down) is published again by the sweep. A row left ``sending``
(the worker died while talking to the mail server) may or may not have been
delivered, so it is never resent on its own: it is marked failed with that
explanation, for a person to decide.
"""

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from breachdesk.models import User
from breachdesk.text import fit
from incidents import events, notices
from incidents.models import EmailTemplate, Incident, Notification, Task
from incidents.permissions import abilities_for
from incidents.selectors import (
    held_assets,
    incident_scope_items,
    incident_visible_to,
    summarise_scope,
)
from incidents.services.common import lock_incident
from incidents.services.deadlines import met_by_notification
from incidents.services.tasks import complete_action_tasks
from vendors.jurisdictions import jurisdictions as jurisdiction_names
from vendors.models import Engagement, Stakeholder

logger = logging.getLogger(__name__)

ACK_SALT = "breachdesk.notification-ack"
ACK_LINK_MAX_AGE = timedelta(days=30)
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

CANNOT_DRAFT = "Only the incident commander drafts and edits notices."
CANNOT_APPROVE = "Only the incident commander or Legal approve notices."
CANNOT_SEND = "Only the incident commander sends notices."
FOUR_EYES = (
    "You drafted or last edited this notice; someone else (the commander or Legal) must approve it."
)
NOT_A_DRAFT = "Only a draft can be changed or approved; this notice is {status}."
NOTHING_AFFECTED = (
    "The scope review names no affected partner yet: mark the exposed data assets first."
)
UNAPPROVED_DRAFTS = "{count} draft notice(s) still need approval before anything is sent."
NOTHING_TO_SEND = "There is no approved notice to send."
NOT_FAILED = "Only a failed notice can be retried."
SUBJECT_ONE_LINE = "The subject must be a single line."
SUBJECT_TOO_LONG = "Keep the subject under {limit} characters."
BODY_TOO_LONG = "The message is {length:,} characters long; the limit is {limit:,}."
BODY_EMPTY = "The message is empty."
BAD_ADDRESS = "“{address}” is not a single valid email address."
UNCERTAIN_DELIVERY = (
    "Delivery uncertain: the worker stopped while handing this message to the mail server "
    "(claimed {claimed}). It may have arrived. Check with the recipient before retrying."
)

NOTIFY_KINDS = (Stakeholder.Kind.PARTNER, Stakeholder.Kind.CUSTOMER)
RECIPIENT_NAME_LENGTH = Notification._meta.get_field("recipient_name").max_length


class TransientDeliveryError(Exception):
    """The mail server or network said "not now": the task retries with back-off."""


class PermanentDeliveryError(Exception):
    """The mail server refused the message for good (5xx)."""


# --- acknowledgement links -----------------------------------------------------


def ack_token(nonce: uuid.UUID) -> str:
    """The same token every time for one notice, so text, HTML and resends agree.

    It expires ``ACK_LINK_MAX_AGE`` after the notice was sent (checked on use).
    """
    return signing.Signer(salt=ACK_SALT).sign(str(nonce))


def ack_url(nonce: uuid.UUID) -> str:
    return settings.SITE_URL + reverse("ack", kwargs={"token": ack_token(nonce)})


@dataclass(frozen=True)
class AckResult:
    outcome: str  # "ready", "acknowledged", "already", "expired", "invalid"
    notification: Notification | None = None


def ack_lookup(token: str) -> AckResult:
    try:
        nonce = uuid.UUID(signing.Signer(salt=ACK_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return AckResult("invalid")
    notification = Notification.objects.select_related("incident").filter(ack_nonce=nonce).first()
    if notification is None or notification.status != Notification.Status.SENT:
        return AckResult("invalid")
    if notification.acknowledged_at:
        return AckResult("already", notification)
    if timezone.now() > notification.sent_at + ACK_LINK_MAX_AGE:
        return AckResult("expired", notification)
    return AckResult("ready", notification)


@transaction.atomic(durable=True)
def notification_acknowledge(*, token: str) -> AckResult:
    """Record the recipient's acknowledgement, once; a reused link changes nothing."""
    result = ack_lookup(token)
    if result.outcome != "ready":
        return result
    Incident.objects.select_for_update().get(pk=result.notification.incident_id)
    claimed = Notification.objects.filter(
        pk=result.notification.pk, acknowledged_at__isnull=True
    ).update(acknowledged_at=timezone.now())
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=result.notification.pk
    )
    if not claimed:
        return AckResult("already", notification)
    events.record_notification_acknowledged(notification=notification)
    return AckResult("acknowledged", notification)


# --- composing -----------------------------------------------------------------------


def _words(codes: list[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(code, code) for code in codes)


# In the order a reader expects: the general category first.
DATA_CATEGORY_WORDS = {
    "personal": "personal data",
    "special_category": "special-category data",
    "health": "health data",
    "financial": "financial data",
}


def _category_words(codes: list[str]) -> str:
    return ", ".join(words for code, words in DATA_CATEGORY_WORDS.items() if code in codes)


def notice_context(
    incident: Incident,
    *,
    recipient_name: str,
    stakeholder: Stakeholder | None = None,
    ack_link: str = "",
    deadline: str = "",
    engagement: Engagement | None = None,
    reason: str = "",
) -> dict[str, str]:
    """The documented variables (notices.CONTEXT_VARIABLES), filled for this incident.

    For a stakeholder, the scope is narrowed to the assets holding *their* data:
    a partner is told about its own data, not about everyone's.
    """
    items = incident_scope_items(incident=incident)
    if stakeholder is not None:
        items = [
            item
            for item in items
            if any(s["id"] == stakeholder.pk for s in item.snapshot.get("stakeholders", []))
        ]
    scope = summarise_scope(items, held_assets(incident).count())
    if not scope.records_unknown:
        records = f"{scope.records_affected:,}"
    elif scope.records_affected:
        records = f"at least {scope.records_affected:,} (some counts still unknown)"
    else:
        records = "not yet known"
    if any(item.is_affected for item in items):
        categories = _category_words(scope.data_categories) or "no personal data identified"
        places = _words(scope.jurisdictions, jurisdiction_names()) or "none identified"
    else:
        categories = places = "under review"
    return {
        "incident_reference": incident.reference,
        "incident_title": incident.title,
        "vendor": ", ".join(v.name for v in incident.vendors.order_by("name")),
        "phase": incident.get_phase_display(),
        "severity": incident.get_severity_display(),
        "data_categories": categories,
        "jurisdictions": places,
        "records_affected": records,
        "recipient_name": recipient_name,
        "stakeholder_name": stakeholder.name if stakeholder else "",
        "deadline": deadline,
        "ack_url": ack_link,
        "engagement": engagement.name if engagement else "",
        "reason": reason,
        "commander": incident.commander.display_name,
    }


def _stakeholder_deadline(incident: Incident, stakeholder: Stakeholder) -> str:
    if not stakeholder.notify_within_hours:
        return "as soon as we can"
    due = (incident.discovered_at + timedelta(hours=stakeholder.notify_within_hours)).astimezone(
        UTC
    )
    return (
        f"within {stakeholder.notify_within_hours} hours of becoming aware "
        f"(by {due:%d %b %Y, %H:%M} UTC)"
    )


def _compose(
    incident: Incident,
    *,
    kind: str,
    recipient_name: str,
    recipient_email: str,
    actor: User | None,
    status: str,
    stakeholder: Stakeholder | None = None,
    **context_extra,
) -> Notification:
    template = EmailTemplate.objects.get(kind=kind)
    nonce = uuid.uuid4()
    link = (
        ack_url(nonce)
        if kind in (Notification.Kind.PARTNER_NOTICE, Notification.Kind.REGULATOR_NOTICE)
        else ""
    )
    context = notice_context(
        incident,
        recipient_name=recipient_name,
        stakeholder=stakeholder,
        ack_link=link,
        **context_extra,
    )
    try:
        subject, body = notices.render_notice(
            template.subject, template.body, context, fit_subject=True
        )
    except notices.NoticeTemplateError as exc:
        raise ValidationError(
            f"The “{template.get_kind_display()}” email template cannot be used: {exc} "
            "Fix it in the admin."
        ) from None
    notification = Notification(
        incident=incident,
        kind=kind,
        stakeholder=stakeholder,
        recipient_name=fit(recipient_name, RECIPIENT_NAME_LENGTH),
        recipient_email=recipient_email,
        subject=subject,
        body_text=body,
        body_html=notices.notice_html(
            body_text=body, ack_url=link, incident_reference=incident.reference
        ),
        status=status,
        message_id=_message_id(),
        ack_nonce=nonce,
        created_by=actor,
        edited_by=actor,
        queued_at=timezone.now() if status == Notification.Status.QUEUED else None,
    )
    notification.full_clean()
    notification.save()
    return notification


def _message_id() -> str:
    """A stable Message-ID, fixed before the first attempt: a resend is the same message."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "breachdesk.invalid"
    return f"<{uuid.uuid4()}@{domain}>"


@transaction.atomic(durable=True)
def notifications_draft_partner_notices(
    *, incident: Incident, actor: User
) -> tuple[list[Notification], list[Stakeholder]]:
    """One draft per contact of every affected partner; returns (drafts, partners without contact).

    A contact who already has a notice gets no second draft: a failed one is retried.
    """
    incident = lock_incident(incident)
    if not abilities_for(actor, incident).commands:
        raise PermissionDenied(CANNOT_DRAFT)
    scope = summarise_scope(incident_scope_items(incident=incident), 0)
    stakeholder_ids = [s["id"] for s in scope.stakeholders]
    stakeholders = list(
        Stakeholder.objects.filter(pk__in=stakeholder_ids, kind__in=NOTIFY_KINDS)
        .prefetch_related("contacts")
        .order_by("name")
    )
    if not stakeholders:
        raise ValidationError(NOTHING_AFFECTED)
    already = {
        email.lower()
        for email in incident.notifications.filter(
            kind=Notification.Kind.PARTNER_NOTICE
        ).values_list("recipient_email", flat=True)
    }
    drafts, without_contact = [], []
    for stakeholder in stakeholders:
        contacts = list(stakeholder.contacts.all())
        if not contacts:
            without_contact.append(stakeholder)
        for contact in contacts:
            if contact.email.lower() in already:
                continue
            drafts.append(
                _compose(
                    incident,
                    kind=Notification.Kind.PARTNER_NOTICE,
                    recipient_name=contact.name,
                    recipient_email=contact.email,
                    stakeholder=stakeholder,
                    actor=actor,
                    status=Notification.Status.DRAFT,
                    deadline=_stakeholder_deadline(incident, stakeholder),
                )
            )
    if drafts:
        events.record_notifications_drafted(incident=incident, actor=actor, notifications=drafts)
    return drafts, without_contact


def _clean_message(*, subject: str, body_text: str, recipient_email: str) -> None:
    errors: dict[str, list[str]] = {}
    if "\n" in subject or "\r" in subject:
        errors.setdefault("subject", []).append(SUBJECT_ONE_LINE)
    if len(subject) > notices.MAX_SUBJECT_LENGTH:
        errors.setdefault("subject", []).append(
            SUBJECT_TOO_LONG.format(limit=notices.MAX_SUBJECT_LENGTH)
        )
    if not body_text.strip():
        errors.setdefault("body_text", []).append(BODY_EMPTY)
    if len(body_text) > notices.MAX_BODY_LENGTH:
        errors.setdefault("body_text", []).append(
            BODY_TOO_LONG.format(length=len(body_text), limit=notices.MAX_BODY_LENGTH)
        )
    try:
        if any(c in recipient_email for c in "\r\n,;"):
            raise ValidationError("several addresses")
        validate_email(recipient_email)
    except ValidationError:
        errors.setdefault("recipient_email", []).append(BAD_ADDRESS.format(address=recipient_email))
    if errors:
        raise ValidationError(errors)


def _locked_notification(notification: Notification) -> Notification:
    incident = lock_incident(notification.incident)
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("stakeholder")
        .get(pk=notification.pk)
    )
    notification.incident = incident
    return notification


@transaction.atomic(durable=True)
def notification_update_draft(
    *,
    notification: Notification,
    actor: User,
    subject: str,
    body_text: str,
    recipient_email: str,
    recipient_name: str,
) -> Notification:
    notification = _locked_notification(notification)
    if not abilities_for(actor, notification.incident).commands:
        raise PermissionDenied(CANNOT_DRAFT)
    if notification.status != Notification.Status.DRAFT:
        raise ValidationError(NOT_A_DRAFT.format(status=notification.get_status_display().lower()))
    _clean_message(subject=subject, body_text=body_text, recipient_email=recipient_email)
    notification.subject = subject.strip()
    notification.body_text = body_text.strip()
    notification.recipient_email = recipient_email.strip()
    notification.recipient_name = recipient_name.strip()
    link = ack_url(notification.ack_nonce) if notification.is_external else ""
    notification.body_html = notices.notice_html(
        body_text=notification.body_text,
        ack_url=link,
        incident_reference=notification.incident.reference,
    )
    notification.edited_by = actor
    notification.full_clean()
    notification.save(
        update_fields=[
            "subject",
            "body_text",
            "body_html",
            "recipient_email",
            "recipient_name",
            "edited_by",
        ]
    )
    return notification


@transaction.atomic(durable=True)
def notification_approve(*, notification: Notification, actor: User) -> Notification:
    notification = _locked_notification(notification)
    abilities = abilities_for(actor, notification.incident)
    if not (abilities.commands or abilities.approves_as_legal):
        raise PermissionDenied(CANNOT_APPROVE)
    if notification.status != Notification.Status.DRAFT:
        raise ValidationError(NOT_A_DRAFT.format(status=notification.get_status_display().lower()))
    if settings.NOTICE_FOUR_EYES and actor.pk in (
        notification.created_by_id,
        notification.edited_by_id,
    ):
        raise ValidationError(FOUR_EYES)
    notification.status = Notification.Status.APPROVED
    notification.approved_by = actor
    notification.approved_at = timezone.now()
    notification.save(update_fields=["status", "approved_by", "approved_at"])
    events.record_notification_approved(notification=notification, actor=actor)
    return notification


def _queue(notifications: list[Notification]) -> None:
    """Mark rows queued and publish their send tasks once this transaction commits."""
    now = timezone.now()
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        status=Notification.Status.QUEUED, queued_at=now, last_error=""
    )
    for notification in notifications:
        notification.status = Notification.Status.QUEUED
        notification.queued_at = now
        transaction.on_commit(lambda pk=notification.pk: publish_send(pk))


def publish_send(notification_id: int) -> None:
    """Hand the send to the broker; if it is unreachable, the row waits for the sweep."""
    from incidents.tasks import notification_send_task

    try:
        notification_send_task.apply_async(kwargs={"notification_id": notification_id}, retry=False)
    except Exception:  # the broker's own errors vary by transport; the row is safe
        logger.warning(
            "Could not publish notification %s; the outbox sweep will send it.",
            notification_id,
            exc_info=True,
        )


@transaction.atomic(durable=True)
def notifications_send_approved(*, incident: Incident, actor: User) -> list[Notification]:
    incident = lock_incident(incident)
    if not abilities_for(actor, incident).commands:
        raise PermissionDenied(CANNOT_SEND)
    drafts = incident.notifications.filter(
        status=Notification.Status.DRAFT,
        kind__in=[Notification.Kind.PARTNER_NOTICE, Notification.Kind.REGULATOR_NOTICE],
    ).count()
    if drafts:
        raise ValidationError(UNAPPROVED_DRAFTS.format(count=drafts))
    approved = list(
        incident.notifications.select_for_update(of=("self",))
        .select_related("stakeholder")
        .filter(status=Notification.Status.APPROVED)
    )
    if not approved:
        raise ValidationError(NOTHING_TO_SEND)
    _queue(approved)
    events.record_notifications_queued(incident=incident, actor=actor, notifications=approved)
    return approved


@transaction.atomic(durable=True)
def notification_retry(*, notification: Notification, actor: User) -> Notification:
    notification = _locked_notification(notification)
    if not abilities_for(actor, notification.incident).commands:
        raise PermissionDenied(CANNOT_SEND)
    if notification.status != Notification.Status.FAILED:
        raise ValidationError(NOT_FAILED)
    _queue([notification])
    events.record_notifications_queued(
        incident=notification.incident, actor=actor, notifications=[notification]
    )
    return notification


def queue_internal_notice(
    incident: Incident, *, kind: str, recipient: User, actor: User | None, **context_extra
) -> Notification | None:
    """An internal message (no approval needed), queued in the caller's transaction.

    Returns None for a recipient who cannot receive it (inactive, or no email).
    A recipient who may not see the incident gets only its reference and whom
    to ask (DESIGN.md: every outbound channel carries only what its recipient
    may see), never its title, reason or facts.
    """
    if not recipient.is_active or not recipient.email:
        return None
    if incident_visible_to(user=recipient, incident=incident):
        notification = _compose(
            incident,
            kind=kind,
            recipient_name=recipient.display_name,
            recipient_email=recipient.email,
            actor=actor,
            status=Notification.Status.QUEUED,
            **context_extra,
        )
    else:
        notification = _compose_need_to_know(
            incident,
            kind=kind,
            recipient=recipient,
            actor=actor,
            engagement=context_extra.get("engagement"),
        )
    _queue([notification])
    return notification


def _compose_need_to_know(
    incident: Incident,
    *,
    kind: str,
    recipient: User,
    actor: User | None,
    engagement: Engagement | None,
) -> Notification:
    """The message for someone told about an incident they may not see: whom to ask, no facts.

    Its wording is fixed (templates/emails/need-to-know-*.txt), not admin-edited,
    so that no template change can put an incident's facts into it.
    """
    context = {
        "incident_reference": incident.reference,
        "commander": incident.commander.display_name,
        "recipient_name": recipient.display_name,
        "engagement": engagement.name if engagement else "",
        "vendor": engagement.vendor.name if engagement else "",
    }
    subject = fit(
        " ".join(render_to_string("emails/need-to-know-subject.txt", context).split()),
        notices.MAX_SUBJECT_LENGTH,
    )
    body = render_to_string("emails/need-to-know-body.txt", context).strip()
    notification = Notification(
        incident=incident,
        kind=kind,
        recipient_name=fit(recipient.display_name, RECIPIENT_NAME_LENGTH),
        recipient_email=recipient.email,
        subject=subject,
        body_text=body,
        body_html=notices.notice_html(
            body_text=body, ack_url="", incident_reference=incident.reference
        ),
        status=Notification.Status.QUEUED,
        message_id=_message_id(),
        ack_nonce=uuid.uuid4(),
        created_by=actor,
        edited_by=actor,
        queued_at=timezone.now(),
    )
    notification.full_clean()
    notification.save()
    return notification


# --- delivery (the worker) --------------------------------------------------------------


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
    Incident.objects.select_for_update().filter(pk=notification.incident_id).values_list("pk").get()
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "last_error"])
    events.record_notification_sent(notification=notification)
    met_by_notification(notification)
    partner_notices = notification.incident.notifications.filter(
        kind=Notification.Kind.PARTNER_NOTICE
    )
    if (
        notification.kind == Notification.Kind.PARTNER_NOTICE
        and not partner_notices.exclude(status=Notification.Status.SENT).exists()
    ):
        complete_action_tasks(
            incident=notification.incident, action=Task.Action.NOTIFY_PARTNERS, actor=None
        )


@transaction.atomic(durable=True)
def notification_mark_failed(*, notification_id: int, error: str) -> None:
    """The last word on a message that could not be sent: the row, and the timeline."""
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=notification_id
    )
    Incident.objects.select_for_update().filter(pk=notification.incident_id).values_list("pk").get()
    updated = Notification.objects.filter(
        pk=notification_id,
        status__in=[Notification.Status.QUEUED, Notification.Status.SENDING],
    ).update(status=Notification.Status.FAILED, failed_at=timezone.now(), last_error=error[:2000])
    if not updated:
        return
    notification.refresh_from_db()
    events.record_notification_failed(notification=notification)


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
