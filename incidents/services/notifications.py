"""The notice workflow: draft, edit, approve, queue, retry, acknowledge.

Every step writes its timeline entry in the step's own transaction; a queued
notice's send task is published only after that commit (delivery.py sends
it). Outside notices need a person's approval, by someone other than their
drafter when ``NOTICE_FOUR_EYES`` is on (DESIGN.md, who approves what);
internal messages (reminders, escalations, pauses) are queued at once.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from breachdesk.models import User
from incidents import notices, timeline
from incidents.exceptions import NothingChanged
from incidents.models import EmailTemplate, Incident, IncidentMember, Notification, TimelineEntry
from incidents.selectors import incident_scope_items, incident_visible_to, summarise_scope
from incidents.services.common import Need, lock_incident
from incidents.services.delivery import publish_sends
from incidents.services.notice_composition import (
    AckResult,
    ack_lookup,
    ack_url,
    compose_need_to_know,
    compose_notice,
    notice_facts,
    stakeholder_deadline,
)
from vendors.models import Stakeholder

CANNOT_DRAFT = "Only the incident commander drafts and edits notices."
CANNOT_APPROVE = "Only the incident commander or Legal approve notices."
CANNOT_SEND = "Only the incident commander sends notices."
FOUR_EYES = "You drafted or last edited this notice, so someone else must approve it: {approvers}."
NO_OTHER_APPROVER = (
    "the incident commander or someone with the Legal role (add a Legal member to the team)"
)
NOT_A_DRAFT = "Only a draft can be changed or approved; this notice is {status}."
NOTHING_AFFECTED = (
    "Nothing to draft: no data asset marked exposed or suspected holds a partner's or "
    "customer's data. Mark the exposed data assets in the scope review first."
)
NOTHING_REVIEWED = (
    "Nothing to draft: the scope review has not marked any data asset yet, so no partner is "
    "known to be affected. Open the scope review and mark what the vendor held."
)
ALL_DRAFTED = (
    "Nothing to draft: every contact of {partners} already has a notice. Edit, approve or "
    "retry those below, or draft follow-up notices once there is news."
)
NO_SENT_NOTICES = (
    "Nothing to follow up: no partner notice has been sent yet. Send the first notices, then "
    "draft follow-ups when there is news."
)
FOLLOW_UPS_PENDING = (
    "Nothing to draft: every partner notice already has a follow-up waiting to be approved or sent."
)
NOTHING_NEW = (
    "Nothing to follow up: no new facts since the last notice to {recipients} (scope review, "
    "pauses or the public summary). Record what changed first."
)
UNAPPROVED_DRAFTS = "{count} draft notice(s) still need approval before anything is sent."
NOTHING_TO_SEND = "There is no approved notice to send."
NOT_FAILED = "Only a failed notice can be retried."
SUBJECT_ONE_LINE = "The subject must be a single line."
SUBJECT_TOO_LONG = "Keep the subject under {limit} characters."
BODY_TOO_LONG = "The message is {length:,} characters long; the limit is {limit:,}."
BODY_EMPTY = "The message is empty."
BAD_ADDRESS = "“{address}” is not a single valid email address."

NOTIFY_KINDS = (Stakeholder.Kind.PARTNER, Stakeholder.Kind.CUSTOMER)


@transaction.atomic(durable=True)
def notification_acknowledge(*, token: str) -> AckResult:
    """Record the recipient's acknowledgement, once; a reused link changes nothing."""
    result = ack_lookup(token)
    if result.outcome != "ready":
        return result
    lock_incident(result.notification.incident, actor=None, need=None, open_only=False)
    claimed = Notification.objects.filter(
        pk=result.notification.pk, acknowledged_at__isnull=True
    ).update(acknowledged_at=timezone.now())
    notification = Notification.objects.select_related("incident", "stakeholder").get(
        pk=result.notification.pk
    )
    if not claimed:
        return AckResult("already", notification)
    timeline.record_notification_acknowledged(notification=notification)
    return AckResult("acknowledged", notification)


@transaction.atomic(durable=True)
def notifications_draft_partner_notices(
    *, incident: Incident, actor: User
) -> tuple[list[Notification], list[Stakeholder]]:
    """One draft per contact of every affected partner; returns (drafts, partners without contact).

    A contact who already has a notice gets no second draft: a failed one is retried.
    """
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=CANNOT_DRAFT
    )
    items = incident_scope_items(incident=incident)
    scope = summarise_scope(items, 0)
    stakeholder_ids = [s["id"] for s in scope.stakeholders]
    stakeholders = list(
        Stakeholder.objects.filter(pk__in=stakeholder_ids, kind__in=NOTIFY_KINDS)
        .prefetch_related("contacts")
        .order_by("name")
    )
    if not stakeholders:
        raise NothingChanged(NOTHING_AFFECTED if items else NOTHING_REVIEWED)
    already = {
        email.lower()
        for email in incident.notifications.filter(
            kind=Notification.Kind.PARTNER_NOTICE
        ).values_list("recipient_email", flat=True)
    }
    drafts, without_contact = [], []
    template = EmailTemplate.objects.get(kind=Notification.Kind.PARTNER_NOTICE)
    facts = notice_facts(incident)
    for stakeholder in stakeholders:
        contacts = list(stakeholder.contacts.all())
        if not contacts:
            without_contact.append(stakeholder)
        for contact in contacts:
            if contact.email.lower() in already:
                continue
            drafts.append(
                compose_notice(
                    incident,
                    kind=Notification.Kind.PARTNER_NOTICE,
                    recipient_name=contact.name,
                    recipient_email=contact.email,
                    stakeholder=stakeholder,
                    actor=actor,
                    status=Notification.Status.DRAFT,
                    deadline=stakeholder_deadline(incident, stakeholder),
                    template=template,
                    facts=facts,
                )
            )
    if drafts:
        timeline.record_notifications_drafted(incident=incident, actor=actor, notifications=drafts)
    elif not without_contact:
        raise NothingChanged(ALL_DRAFTED.format(partners=", ".join(s.name for s in stakeholders)))
    return drafts, without_contact


# What partners are told about: a follow-up needs one of these after the last notice.
NEWS_KINDS = (
    TimelineEntry.Kind.SCOPE_REVIEWED,
    TimelineEntry.Kind.ENGAGEMENT_PAUSED,
    TimelineEntry.Kind.ENGAGEMENT_RESUMED,
    TimelineEntry.Kind.PUBLIC_SUMMARY_CHANGED,
)


@transaction.atomic(durable=True)
def notifications_draft_follow_ups(*, incident: Incident, actor: User) -> list[Notification]:
    """A follow-up draft ("Update 2", "Update 3"…) for each sent partner notice with news since.

    Each goes to the same recipient and partner as the notice it ``follows``
    (the latest of its series), from the facts as they stand now. Raises
    NothingChanged, saying why, when no notice was sent, when every series
    already has a follow-up on its way, or when nothing new was recorded
    since the last one was sent.
    """
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=CANNOT_DRAFT
    )
    partner_notices = incident.notifications.filter(kind=Notification.Kind.PARTNER_NOTICE)
    latest = list(
        partner_notices.filter(follow_ups__isnull=True)
        .select_related("stakeholder")
        .order_by("sent_at", "pk")
    )
    sent = [n for n in latest if n.status == Notification.Status.SENT]
    if not sent:
        if partner_notices.filter(status=Notification.Status.SENT).exists():
            raise NothingChanged(FOLLOW_UPS_PENDING)
        raise NothingChanged(NO_SENT_NOTICES)
    news = list(
        incident.timeline.filter(kind__in=NEWS_KINDS, recorded_at__gt=sent[0].sent_at)
        .order_by()
        .values_list("recorded_at", flat=True)
    )
    with_news = [n for n in sent if any(moment > n.sent_at for moment in news)]
    if not with_news:
        recipients = ", ".join(n.recipient_email for n in sent)
        raise NothingChanged(NOTHING_NEW.format(recipients=recipients))
    template = EmailTemplate.objects.get(kind=Notification.Kind.PARTNER_NOTICE)
    facts = notice_facts(incident)
    drafts = [
        compose_notice(
            incident,
            kind=Notification.Kind.PARTNER_NOTICE,
            recipient_name=previous.recipient_name,
            recipient_email=previous.recipient_email,
            stakeholder=previous.stakeholder,
            actor=actor,
            status=Notification.Status.DRAFT,
            deadline=stakeholder_deadline(incident, previous.stakeholder)
            if previous.stakeholder
            else "",
            template=template,
            facts=facts,
            follows=previous,
        )
        for previous in with_news
    ]
    timeline.record_follow_ups_drafted(incident=incident, actor=actor, notifications=drafts)
    return drafts


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


def _locked_notification(
    notification: Notification, actor: User, need: Need, refused: str
) -> Notification:
    incident = lock_incident(
        notification.incident, actor=actor, need=need, open_only=False, refused=refused
    )
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
    notification = _locked_notification(notification, actor, Need.COMMAND, CANNOT_DRAFT)
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
    notification = _locked_notification(notification, actor, Need.COMMAND_OR_LEGAL, CANNOT_APPROVE)
    if notification.status != Notification.Status.DRAFT:
        raise ValidationError(NOT_A_DRAFT.format(status=notification.get_status_display().lower()))
    if settings.NOTICE_FOUR_EYES and actor.pk in (
        notification.created_by_id,
        notification.edited_by_id,
    ):
        raise ValidationError(FOUR_EYES.format(approvers=approvers_in_words(notification)))
    notification.status = Notification.Status.APPROVED
    notification.approved_by = actor
    notification.approved_at = timezone.now()
    notification.save(update_fields=["status", "approved_by", "approved_at"])
    timeline.record_notification_approved(notification=notification, actor=actor)
    return notification


def queue_for_sending(notifications: list[Notification]) -> None:
    """Queue rows composed in the caller's transaction; they are published after it commits."""
    _queue(notifications)


def may_approve_now(notification: Notification, user: User) -> bool:
    """Whether approving would not be refused by four eyes (the role is checked elsewhere)."""
    return not settings.NOTICE_FOUR_EYES or user.pk not in (
        notification.created_by_id,
        notification.edited_by_id,
    )


def approvers_in_words(notification: Notification) -> str:
    """Who may approve this notice besides its drafter and last editor, by name.

    The incident commander and the incident's Legal members (DESIGN.md: who
    approves what); when none of them is left, what role to bring in.
    """
    excluded = {notification.created_by_id, notification.edited_by_id}
    incident = notification.incident
    names = []
    if incident.commander_id not in excluded:
        names.append(f"{incident.commander.display_name} (commander)")
    legal = (
        IncidentMember.objects.filter(incident=incident, role=IncidentMember.Role.LEGAL)
        .exclude(user_id__in=[pk for pk in excluded if pk])
        .select_related("user")
        .order_by("user__username")
    )
    names += [f"{member.user.display_name} (Legal)" for member in legal]
    return ", ".join(names) or NO_OTHER_APPROVER


def _queue(notifications: list[Notification]) -> None:
    """Mark rows queued and publish their send tasks once this transaction commits."""
    now = timezone.now()
    ids = [n.pk for n in notifications]
    Notification.objects.filter(pk__in=ids).update(
        status=Notification.Status.QUEUED, queued_at=now, published_at=None, last_error=""
    )
    for notification in notifications:
        notification.status = Notification.Status.QUEUED
        notification.queued_at = now
        notification.published_at = None
    transaction.on_commit(lambda: publish_sends(ids))


@transaction.atomic(durable=True)
def notifications_send_approved(*, incident: Incident, actor: User) -> list[Notification]:
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=CANNOT_SEND
    )
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
    timeline.record_notifications_queued(incident=incident, actor=actor, notifications=approved)
    return approved


@transaction.atomic(durable=True)
def notification_retry(*, notification: Notification, actor: User) -> Notification:
    notification = _locked_notification(notification, actor, Need.COMMAND, CANNOT_SEND)
    if notification.status != Notification.Status.FAILED:
        raise ValidationError(NOT_FAILED)
    _queue([notification])
    timeline.record_notifications_queued(
        incident=notification.incident, actor=actor, notifications=[notification]
    )
    return notification


def notification_queue_internal(
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
        notification = compose_notice(
            incident,
            kind=kind,
            recipient_name=recipient.display_name,
            recipient_email=recipient.email,
            actor=actor,
            status=Notification.Status.QUEUED,
            **context_extra,
        )
    else:
        notification = compose_need_to_know(
            incident,
            kind=kind,
            recipient=recipient,
            actor=actor,
            engagement=context_extra.get("engagement"),
        )
    # Composed as queued, with nothing published yet: only the publishing is left.
    transaction.on_commit(lambda: publish_sends([notification.pk]))
    return notification
