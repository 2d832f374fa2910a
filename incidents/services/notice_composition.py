"""What a notice says, and the link its recipient acknowledges it by.

Composition fills the admin-edited template of a kind with the incident's
facts (for a partner: only the assets that hold that partner's data), or,
for someone who may not see the incident, a fixed message with no facts.
Acknowledgement links are a signature of the notice's nonce: the same link
every time, valid for ``ACK_LINK_MAX_AGE`` after sending. Nothing here
writes the timeline; the workflow (notifications.py) does.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from breachdesk.models import User
from breachdesk.text import fit
from incidents import notices
from incidents.models import EmailTemplate, Incident, Notification, OrganisationProfile
from incidents.selectors import held_assets, incident_scope_items, summarise_scope
from vendors.jurisdictions import jurisdictions as jurisdiction_names
from vendors.models import Engagement, Stakeholder

ACK_SALT = "breachdesk.notification-ack"
ACK_LINK_MAX_AGE = timedelta(days=30)
RECIPIENT_NAME_LENGTH = Notification._meta.get_field("recipient_name").max_length


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


@dataclass(frozen=True)
class NoticeFacts:
    """What every notice of one incident draws on: read once for a batch of notices."""

    items: list
    held_count: int
    vendors: str
    organisation: str
    public_contact: str
    engagement_status: str


def organisation_name(profile: OrganisationProfile) -> str:
    """How notices name us: the profile's name, else the sender's display name."""
    if profile.name:
        return profile.name
    display = settings.DEFAULT_FROM_EMAIL.split("<", 1)[0].strip(' "')
    return display or settings.DEFAULT_FROM_EMAIL


def _moment(value) -> str:
    return f"{value.astimezone(UTC):%d %b %Y, %H:%M} UTC"


def engagement_status(incident: Incident) -> str:
    """What this incident did to the work with the vendor, from its pauses: no fixed claim."""
    pauses = list(incident.pauses.order_by("paused_at").values_list("paused_at", "resumed_at"))
    if not pauses:
        return "Our work with the vendor has not been paused."
    first = _moment(pauses[0][0])
    if all(resumed for _paused, resumed in pauses):
        last = _moment(max(resumed for _paused, resumed in pauses))
        return f"We paused our work with the vendor on {first} and resumed it on {last}."
    return f"We paused our work with the vendor on {first}."


def scope_status(items: list, held_count: int) -> str:
    """How far the review of what the vendor held has got, without counting our assets."""
    if not items:
        return "We have not yet reviewed which of our data the vendor held."
    if len(items) < held_count:
        return "Our review of what the vendor held is under way."
    return "We have reviewed every data asset the vendor held."


def notice_facts(incident: Incident) -> NoticeFacts:
    profile = OrganisationProfile.current()
    return NoticeFacts(
        items=incident_scope_items(incident=incident),
        held_count=held_assets(incident).count(),
        vendors=", ".join(v.name for v in incident.vendors.order_by("name")),
        organisation=organisation_name(profile),
        public_contact=profile.public_contact,
        engagement_status=engagement_status(incident),
    )


def incident_link(incident: Incident) -> str:
    """The incident's page at ``SITE_URL``: for internal messages to people who may see it."""
    return settings.SITE_URL + incident.get_absolute_url()


# What a partner notice says happened when the commander has written no public
# summary yet: nothing from the internal title or summary.
NO_PUBLIC_SUMMARY = "a security incident at the vendor; we will share details as we confirm them."


def notice_context(
    incident: Incident,
    *,
    recipient_name: str,
    stakeholder: Stakeholder | None = None,
    ack_link: str = "",
    deadline: str = "",
    engagement: Engagement | None = None,
    reason: str = "",
    facts: NoticeFacts | None = None,
    questionnaire_url: str = "",
    update_label: str = "",
    incident_url: str = "",
) -> dict[str, str]:
    """The documented variables (notices.CONTEXT_VARIABLES), filled for this incident.

    For a stakeholder, the scope is narrowed to the assets holding *their* data:
    a partner is told about its own data, not about everyone's. ``incident_url``
    is for internal messages only: partners cannot sign in.
    """
    facts = facts or notice_facts(incident)
    items = facts.items
    if stakeholder is not None:
        items = [
            item
            for item in items
            if any(s["id"] == stakeholder.pk for s in item.snapshot.get("stakeholders", []))
        ]
    scope = summarise_scope(items, facts.held_count)
    if not scope.records_unknown:
        records = f"{scope.records_affected:,}"
    elif scope.records_affected:
        records = f"at least {scope.records_affected:,} (some counts still unknown)"
    else:
        records = "not yet known"
    affected = [item for item in items if item.is_affected]
    if affected:
        categories = _category_words(scope.data_categories) or "no personal data identified"
        places = _words(scope.jurisdictions, jurisdiction_names()) or "none identified"
        assets = ", ".join(sorted({item.snapshot.get("name", "") for item in affected}))
    else:
        categories = places = assets = "under review"
    return {
        "incident_reference": incident.reference,
        "incident_title": incident.title,
        "vendor": facts.vendors,
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
        "organisation": facts.organisation,
        "questionnaire_url": questionnaire_url,
        "public_contact": facts.public_contact,
        "public_summary": incident.public_summary.strip() or NO_PUBLIC_SUMMARY,
        "assets": assets,
        "engagement_status": facts.engagement_status,
        "scope_status": scope_status(facts.items, facts.held_count),
        "update_label": update_label,
        "incident_url": incident_url,
    }


def stakeholder_deadline(incident: Incident, stakeholder: Stakeholder) -> str:
    if not stakeholder.notify_within_hours:
        return "as soon as we can"
    due = (incident.discovered_at + timedelta(hours=stakeholder.notify_within_hours)).astimezone(
        UTC
    )
    return (
        f"within {stakeholder.notify_within_hours} hours of becoming aware "
        f"(by {due:%d %b %Y, %H:%M} UTC)"
    )


def compose_notice(
    incident: Incident,
    *,
    kind: str,
    recipient_name: str,
    recipient_email: str,
    actor: User | None,
    status: str,
    stakeholder: Stakeholder | None = None,
    template: EmailTemplate | None = None,
    facts: NoticeFacts | None = None,
    questionnaire=None,
    follows: Notification | None = None,
    **context_extra,
) -> Notification:
    """A new Notification row (``status`` as given) from the kind's template and the facts.

    Drafting many notices at once passes the ``template`` and ``facts`` read
    once. A follow-up names the notice it ``follows``: it is "Update N" in its
    subject whatever the template says. Raises ValidationError when the
    template cannot be used, in words for the admin who must fix it. The
    caller's transaction holds the row.
    """
    template = template or EmailTemplate.objects.get(kind=kind)
    nonce = uuid.uuid4()
    external = kind in (Notification.Kind.PARTNER_NOTICE, Notification.Kind.REGULATOR_NOTICE)
    link = ack_url(nonce) if external else ""
    update_number = follows.update_number + 1 if follows else 1
    update_label = f"Update {update_number}" if follows else ""
    context = notice_context(
        incident,
        recipient_name=recipient_name,
        stakeholder=stakeholder,
        ack_link=link,
        facts=facts,
        update_label=update_label,
        incident_url="" if external else incident_link(incident),
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
    if update_label and update_label not in subject:
        # An admin's template without {{ update_label }} still says it is an update.
        subject = fit(f"{update_label}: {subject}", notices.MAX_SUBJECT_LENGTH)
    return _saved(
        Notification(
            incident=incident,
            kind=kind,
            stakeholder=stakeholder,
            questionnaire=questionnaire,
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
            follows=follows,
            update_number=update_number,
        )
    )


def _saved(notification: Notification) -> Notification:
    """Check the fields (lengths, the address) and insert the row.

    Its relations, unique ids and choices come from us, not from a person, and
    the database's own constraints stand behind them; checking them here too
    would cost a query each, per notice.
    """
    notification.full_clean(
        exclude=[
            "incident",
            "stakeholder",
            "questionnaire",
            "created_by",
            "edited_by",
            "approved_by",
            "follows",
        ],
        validate_unique=False,
        validate_constraints=False,
    )
    notification.save()
    return notification


def _message_id() -> str:
    """A stable Message-ID, fixed before the first attempt: a resend is the same message."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "breachdesk.invalid"
    return f"<{uuid.uuid4()}@{domain}>"


def compose_need_to_know(
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
    return _saved(notification)
