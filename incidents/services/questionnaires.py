"""Vendor questionnaires: draft, approve, send, answer, chase, withdraw, and accept what they say.

A questionnaire to a vendor follows the approvals table of DESIGN.md: the
commander drafts it, the commander or Legal approves it (not its drafter when
``NOTICE_FOUR_EYES`` is on), the commander sends it. Sending writes one
outbox row per security contact (delivery.py sends each exactly once). The
vendor answers through a signed link; every submission is a new version on
the timeline as a commitment to its answers, with the answers beside it.
Chasers are claimed like deadline reminders (a unique row per chaser number,
inserted before anything is sent) and stop once the vendor answers, the
questionnaire is withdrawn or the incident closes. What the answers offer
(the vendor-aware time, the assets reached) waits for a person to accept it.
"""

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from breachdesk.models import User
from breachdesk.submissions import submission_claim
from incidents import timeline
from incidents.chain import commitment
from incidents.models import (
    Incident,
    Notification,
    OrganisationProfile,
    Questionnaire,
    QuestionnaireChaser,
    QuestionnaireDraft,
    QuestionnaireQuestion,
    QuestionnaireResponse,
    QuestionnaireTemplate,
)
from incidents.selectors.questionnaires import link_expires_at, questionnaire_url
from incidents.services.common import CLOCK_SKEW, Need, lock_incident
from incidents.services.deadlines import deadlines_refresh
from incidents.services.evidence import (
    StoredUpload,
    evidence_discard_stored,
    evidence_record_vendor_file,
    evidence_store_upload,
)
from incidents.services.notice_composition import NoticeFacts, compose_notice, organisation_name
from incidents.services.notifications import notification_queue_internal, queue_for_sending
from vendors.models import Vendor, VendorContact

logger = logging.getLogger(__name__)

CANNOT_DRAFT = "Only the incident commander drafts, sends and withdraws questionnaires."
CANNOT_APPROVE = "Only the incident commander or Legal approve questionnaires."
FOUR_EYES = "You drafted this questionnaire; someone else (the commander or Legal) must approve it."
NOT_A_DRAFT = "Only a draft can be approved; this questionnaire is {status}."
NOT_APPROVED = "Only an approved questionnaire can be sent; this one is {status}."
VENDOR_NOT_OURS = "That vendor is not one of this incident's vendors."
TEMPLATE_EMPTY = "This questionnaire has no questions; add some in the admin first."
NO_SECURITY_CONTACT = (
    "{vendor} has no security contact: mark one of its contacts as the security contact on "
    "the vendor page, then send."
)
ALREADY_WITHDRAWN = "This questionnaire is already withdrawn."
WITHDRAW_NEEDS_REASON = "Say why the questionnaire is withdrawn; it goes on the timeline."
REASON_TOO_LONG = "Keep the reason under {limit:,} characters."
FOLLOW_UP_NOT_SENT = "Ask follow-up questions once this questionnaire has been sent."
FOLLOW_UP_EMPTY = "Write at least one question, one per line."
FOLLOW_UP_TOO_MANY = "Ask at most {limit} questions in one round."
QUESTION_TOO_LONG = "Keep each question under {limit} characters."
NOTHING_TO_ACCEPT = "The vendor has not said when it became aware."
AWARE_IN_FUTURE = "The vendor's answer is in the future; it cannot be accepted as is."
AWARE_BEFORE_BREACH = (
    "The vendor's answer is before the breach occurred (our estimate); correct the estimate "
    "first or ask the vendor again."
)
CLOSED_TO_ANSWERS = "This questionnaire no longer takes answers."

MAX_REASON_LENGTH = 2_000
MAX_FOLLOW_UP_QUESTIONS = 20
MAX_QUESTION_LENGTH = QuestionnaireQuestion._meta.get_field("text").max_length
# The sweep runs every minute; a batch this size keeps each query short, and
# it takes batch after batch until nothing is due.
SWEEP_BATCH_SIZE = 200


class QuestionnaireClosed(Exception):
    """The vendor answered a questionnaire that no longer takes answers (withdrawn, expired)."""


# --- drafting, approving, sending, withdrawing ------------------------------------------------


def _next_round(incident: Incident, vendor: Vendor) -> int:
    last = (
        Questionnaire.objects.filter(incident=incident, vendor=vendor)
        .order_by("-round")
        .values_list("round", flat=True)
        .first()
    )
    return (last or 0) + 1


def _create(
    incident: Incident,
    actor: User,
    *,
    vendor: Vendor,
    title: str,
    questions: list[dict[str, Any]],
    template: QuestionnaireTemplate | None = None,
    follows: Questionnaire | None = None,
) -> Questionnaire:
    questionnaire = Questionnaire.objects.create(
        incident=incident,
        vendor=vendor,
        round=_next_round(incident, vendor),
        follows=follows,
        template=template,
        title=title[:200],
        created_by=actor,
        created_at=timezone.now(),
    )
    QuestionnaireQuestion.objects.bulk_create(
        QuestionnaireQuestion(questionnaire=questionnaire, **fields) for fields in questions
    )
    timeline.record_questionnaire_drafted(questionnaire=questionnaire, actor=actor)
    return questionnaire


@transaction.atomic(durable=True)
def questionnaire_draft(
    *,
    incident: Incident,
    actor: User,
    vendor: Vendor,
    template: QuestionnaireTemplate,
    submission_token=None,
) -> Questionnaire:
    """A draft questionnaire to ``vendor`` with a copy of ``template``'s questions.

    Raises PermissionDenied for anyone but the commander, ValidationError for
    a vendor not on the incident or a template with no question, and
    AlreadySubmitted for a ``submission_token`` seen before.
    """
    incident = lock_incident(incident, actor=actor, need=Need.COMMAND, refused=CANNOT_DRAFT)
    submission_claim(submission_token, user=actor)
    if not incident.vendors.filter(pk=vendor.pk).exists():
        raise ValidationError({"vendor": [VENDOR_NOT_OURS]})
    questions = [
        {
            "order": question.order,
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "choices": list(question.choices),
            "required": question.required,
            "feeds": question.feeds,
        }
        for question in template.questions.order_by("order", "pk")
    ]
    if not questions:
        raise ValidationError({"template": [TEMPLATE_EMPTY]})
    return _create(
        incident, actor, vendor=vendor, title=template.name, questions=questions, template=template
    )


@transaction.atomic(durable=True)
def questionnaire_follow_up(
    *, questionnaire: Questionnaire, actor: User, questions: list[str], submission_token=None
) -> Questionnaire:
    """A new round of free-text questions to the same vendor, following ``questionnaire``.

    It is a draft like any other: approved and sent the same way.
    """
    incident = lock_incident(
        questionnaire.incident, actor=actor, need=Need.COMMAND, refused=CANNOT_DRAFT
    )
    submission_claim(submission_token, user=actor)
    previous = Questionnaire.objects.select_related("vendor").get(pk=questionnaire.pk)
    if previous.sent_at is None:
        raise ValidationError(FOLLOW_UP_NOT_SENT)
    texts = [text.strip() for text in questions if text.strip()]
    if not texts:
        raise ValidationError({"questions": [FOLLOW_UP_EMPTY]})
    if len(texts) > MAX_FOLLOW_UP_QUESTIONS:
        raise ValidationError(
            {"questions": [FOLLOW_UP_TOO_MANY.format(limit=MAX_FOLLOW_UP_QUESTIONS)]}
        )
    if any(len(text) > MAX_QUESTION_LENGTH for text in texts):
        raise ValidationError({"questions": [QUESTION_TOO_LONG.format(limit=MAX_QUESTION_LENGTH)]})
    return _create(
        incident,
        actor,
        vendor=previous.vendor,
        title="Follow-up questions",
        follows=previous,
        questions=[
            {"order": order * 10, "text": text, "kind": QuestionnaireQuestion.Kind.TEXT}
            for order, text in enumerate(texts, 1)
        ],
    )


def _locked(questionnaire: Questionnaire, actor: User | None, need: Need | None, refused: str):
    incident = lock_incident(
        questionnaire.incident, actor=actor, need=need, open_only=False, refused=refused
    )
    locked = (
        Questionnaire.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .get(pk=questionnaire.pk)
    )
    locked.incident = incident
    return locked


@transaction.atomic(durable=True)
def questionnaire_approve(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    questionnaire = _locked(questionnaire, actor, Need.COMMAND_OR_LEGAL, CANNOT_APPROVE)
    if questionnaire.status != Questionnaire.Status.DRAFT:
        raise ValidationError(NOT_A_DRAFT.format(status=questionnaire.get_status_display().lower()))
    if settings.NOTICE_FOUR_EYES and actor.pk == questionnaire.created_by_id:
        raise ValidationError(FOUR_EYES)
    questionnaire.status = Questionnaire.Status.APPROVED
    questionnaire.approved_by = actor
    questionnaire.approved_at = timezone.now()
    questionnaire.save(update_fields=["status", "approved_by", "approved_at"])
    timeline.record_questionnaire_approved(questionnaire=questionnaire, actor=actor)
    return questionnaire


def _compose(
    questionnaire: Questionnaire, contacts: list[VendorContact], *, kind: str, actor: User | None
) -> list[Notification]:
    """One queued email per contact, naming only this vendor and carrying no facts of scope."""
    # The vendor learns nothing of our scope review, our pauses or other vendors.
    profile = OrganisationProfile.current()
    facts = NoticeFacts(
        items=[],
        held_count=0,
        vendors=questionnaire.vendor.name,
        organisation=organisation_name(profile),
        public_contact=profile.public_contact,
        engagement_status="",
    )
    url = questionnaire_url(questionnaire.nonce)
    notifications = [
        compose_notice(
            questionnaire.incident,
            kind=kind,
            recipient_name=contact.name,
            recipient_email=contact.email,
            actor=actor,
            status=Notification.Status.QUEUED,
            facts=facts,
            questionnaire=questionnaire,
            questionnaire_url=url,
        )
        for contact in contacts
    ]
    queue_for_sending(notifications)
    return notifications


@transaction.atomic(durable=True)
def questionnaire_send(*, questionnaire: Questionnaire, actor: User) -> list[Notification]:
    """Queue the approved questionnaire to each of the vendor's security contacts (the outbox).

    Starts the chasers' clock. Raises ValidationError for a questionnaire that
    is not approved, or a vendor with no security contact.
    """
    questionnaire = _locked(questionnaire, actor, Need.COMMAND, CANNOT_DRAFT)
    if questionnaire.incident.is_closed:
        raise ValidationError("This incident is closed; reopen it first.")
    if questionnaire.status != Questionnaire.Status.APPROVED:
        raise ValidationError(
            NOT_APPROVED.format(status=questionnaire.get_status_display().lower())
        )
    contacts = list(questionnaire.vendor.contacts.filter(is_security_contact=True))
    if not contacts:
        raise ValidationError(NO_SECURITY_CONTACT.format(vendor=questionnaire.vendor.name))
    notifications = _compose(
        questionnaire, contacts, kind=Notification.Kind.VENDOR_QUESTIONNAIRE, actor=actor
    )
    # The approval is the questionnaire's, recorded on each of its emails too.
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        approved_by=questionnaire.approved_by, approved_at=questionnaire.approved_at
    )
    now = timezone.now()
    questionnaire.status = Questionnaire.Status.SENT
    questionnaire.sent_by = actor
    questionnaire.sent_at = now
    questionnaire.next_chaser_at = now + _interval()
    questionnaire.save(update_fields=["status", "sent_by", "sent_at", "next_chaser_at"])
    timeline.record_questionnaire_sent(
        questionnaire=questionnaire, actor=actor, notifications=notifications
    )
    return notifications


@transaction.atomic(durable=True)
def questionnaire_withdraw(
    *, questionnaire: Questionnaire, actor: User, reason: str
) -> Questionnaire:
    """Stop asking: the link then says the questionnaire was withdrawn, and chasers stop."""
    questionnaire = _locked(questionnaire, actor, Need.COMMAND, CANNOT_DRAFT)
    if questionnaire.status == Questionnaire.Status.WITHDRAWN:
        raise ValidationError(ALREADY_WITHDRAWN)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [WITHDRAW_NEEDS_REASON]})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": [REASON_TOO_LONG.format(limit=MAX_REASON_LENGTH)]})
    questionnaire.status = Questionnaire.Status.WITHDRAWN
    questionnaire.withdrawn_by = actor
    questionnaire.withdrawn_at = timezone.now()
    questionnaire.withdraw_reason = reason
    questionnaire.next_chaser_at = None
    questionnaire.save(
        update_fields=[
            "status",
            "withdrawn_by",
            "withdrawn_at",
            "withdraw_reason",
            "next_chaser_at",
        ]
    )
    timeline.record_questionnaire_withdrawn(questionnaire=questionnaire, actor=actor, reason=reason)
    return questionnaire


# --- the vendor's side ------------------------------------------------------------------------


def _lock_open(questionnaire: Questionnaire) -> Questionnaire:
    locked = (
        Questionnaire.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .get(pk=questionnaire.pk)
    )
    if not locked.is_open or timezone.now() > link_expires_at(locked):
        raise QuestionnaireClosed(CLOSED_TO_ANSWERS)
    return locked


@transaction.atomic(durable=True)
def questionnaire_save_draft(
    *,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    respondent_name: str,
    respondent_email: str,
) -> QuestionnaireDraft:
    """Keep the vendor's unfinished answers (files are attached only when submitting).

    A draft is the vendor's to change, so it is overwritten and not on the
    timeline; only a submission is a record. Raises QuestionnaireClosed.
    """
    questionnaire = _lock_open(questionnaire)
    draft, _created = QuestionnaireDraft.objects.update_or_create(
        questionnaire=questionnaire,
        defaults={
            "answers": answers,
            "respondent_name": respondent_name[:200],
            "respondent_email": respondent_email[:254],
            "saved_at": timezone.now(),
        },
    )
    return draft


def canonical_answers(answers: dict[str, Any]) -> str:
    """The answers as the commitment covers them: DESIGN.md's canonical JSON, as text."""
    return json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def questionnaire_submit(
    *,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    files: dict[str, UploadedFile],
    respondent_name: str,
    respondent_email: str,
) -> QuestionnaireResponse:
    """Record a new version of the vendor's answers, with its files as evidence.

    ``answers`` are keyed by question id (text) and hold JSON values;
    ``files`` are the uploads, by question id. Each file goes through the
    evidence pipeline first (type sniffed, size limited, stored), outside the
    incident's lock; it is removed again if the answers cannot be recorded.
    Raises ValidationError for a file the pipeline refuses (keyed by the
    question id) and QuestionnaireClosed for a questionnaire that no longer
    takes answers.
    """
    stored: dict[str, StoredUpload] = {}
    try:
        for question_id, upload in files.items():
            try:
                stored[question_id] = evidence_store_upload(
                    incident=questionnaire.incident, upload=upload
                )
            except ValidationError as exc:
                raise ValidationError({question_id: exc.messages}) from None
        return _record_submission(
            questionnaire=questionnaire,
            answers=answers,
            stored=stored,
            respondent_name=respondent_name,
            respondent_email=respondent_email,
        )
    except BaseException:
        for upload in stored.values():
            evidence_discard_stored(upload.stored)
        raise


@transaction.atomic(durable=True)
def _record_submission(
    *,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    stored: dict[str, StoredUpload],
    respondent_name: str,
    respondent_email: str,
) -> QuestionnaireResponse:
    incident = lock_incident(questionnaire.incident, actor=None, need=None, open_only=False)
    questionnaire = _lock_open(questionnaire)
    questionnaire.incident = incident
    sender = f"{respondent_name} <{respondent_email}> ({questionnaire.vendor.name})"
    answers = dict(answers)
    files = []
    for question_id, upload in sorted(stored.items()):
        evidence = evidence_record_vendor_file(
            incident=incident,
            upload=upload,
            uploaded_by_name=sender,
            description=f"Attached by the vendor to questionnaire “{questionnaire.title}”",
        )
        answers[question_id] = {
            "name": upload.original_name,
            "sha256": upload.sha256,
            "size": upload.size,
            "content_type": upload.content_type,
            "evidence": evidence.pk,
        }
        files.append(
            {"question": question_id, "name": upload.original_name, "sha256": upload.sha256}
        )
    version = questionnaire.responses.count() + 1
    nonce = secrets.token_hex(16)
    answers_sha256 = commitment(nonce, canonical_answers(answers))
    entry = timeline.record_questionnaire_answered(
        questionnaire=questionnaire,
        version=version,
        answers_sha256=answers_sha256,
        files=files,
        respondent_name=respondent_name,
        respondent_email=respondent_email,
    )
    response = QuestionnaireResponse.objects.create(
        questionnaire=questionnaire,
        version=version,
        answers=answers,
        nonce=nonce,
        answers_sha256=answers_sha256,
        respondent_name=respondent_name[:200],
        respondent_email=respondent_email[:254],
        submitted_at=entry.recorded_at,
        entry=entry,
    )
    questionnaire.status = Questionnaire.Status.ANSWERED
    questionnaire.answered_at = entry.recorded_at
    # Answered: no more chasers, whatever was due.
    questionnaire.next_chaser_at = None
    questionnaire.save(update_fields=["status", "answered_at", "next_chaser_at"])
    QuestionnaireDraft.objects.filter(questionnaire=questionnaire).delete()
    return response


# --- what the answers offer -------------------------------------------------------------------


@transaction.atomic(durable=True)
def incident_accept_vendor_aware(*, questionnaire: Questionnaire, actor: User) -> Incident:
    """The commander takes the vendor's latest "when did you become aware" as ``vendor_aware_at``.

    Recomputes the clocks (the vendor's contractual duty to tell us is met or
    missed by it) and records where the time came from. Raises
    ValidationError when there is no such answer or it cannot be true.
    """
    questionnaire = _locked(questionnaire, actor, Need.COMMAND, CANNOT_DRAFT)
    incident = questionnaire.incident
    if incident.is_closed:
        raise ValidationError("This incident is closed; reopen it first.")
    response = questionnaire.responses.order_by("-version").first()
    moment = None
    if response is not None:
        for question in questionnaire.questions.filter(
            feeds=QuestionnaireQuestion.Feeds.VENDOR_AWARE_AT
        ):
            value = response.answers.get(str(question.pk))
            if isinstance(value, dict):
                moment = parse_datetime(value.get("at", ""))
                break
    if moment is None:
        raise ValidationError(NOTHING_TO_ACCEPT)
    if moment > timezone.now() + CLOCK_SKEW:
        raise ValidationError(AWARE_IN_FUTURE)
    if incident.occurred_at and moment < incident.occurred_at:
        raise ValidationError(AWARE_BEFORE_BREACH)
    previous = incident.vendor_aware_at
    if previous == moment:
        return incident
    incident.vendor_aware_at = moment
    incident.save(update_fields=["vendor_aware_at", "updated_at"])
    timeline.record_vendor_aware_accepted(
        incident=incident,
        actor=actor,
        previous=previous,
        questionnaire=questionnaire,
        version=response.version,
    )
    deadlines_refresh(incident=incident, actor=actor)
    return incident


# --- chasers ----------------------------------------------------------------------------------


def _interval() -> timedelta:
    return timedelta(hours=settings.QUESTIONNAIRE_CHASER_HOURS)


def chaser_due_at(questionnaire: Questionnaire, number: int) -> datetime:
    """Chaser ``number`` (1, 2, …) is due ``number`` intervals after sending."""
    return questionnaire.sent_at + number * _interval()


def chaser_escalates(questionnaire: Questionnaire, number: int) -> bool:
    """From a second interval after the first chaser, chasers go to every contact."""
    escalate_at = chaser_due_at(questionnaire, 1) + timedelta(
        hours=settings.QUESTIONNAIRE_ESCALATION_HOURS
    )
    return chaser_due_at(questionnaire, number) >= escalate_at


def next_chaser_time(questionnaire: Questionnaire, claimed: set[int]) -> datetime | None:
    """When the next unclaimed chaser is due; None once answered, withdrawn or the link expired."""
    if questionnaire.status != Questionnaire.Status.SENT or questionnaire.sent_at is None:
        return None
    number = max(claimed, default=0) + 1
    due = chaser_due_at(questionnaire, number)
    return due if due < link_expires_at(questionnaire) else None


def _claim_chaser(questionnaire: Questionnaire, number: int, *, escalated: bool, notified: bool):
    try:
        with transaction.atomic():
            QuestionnaireChaser.objects.create(
                questionnaire=questionnaire, number=number, escalated=escalated, notified=notified
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic(durable=True)
def _chase(questionnaire_id: int, now: datetime) -> None:
    unlocked = Questionnaire.objects.select_related("incident").get(pk=questionnaire_id)
    if unlocked.next_chaser_at is None or unlocked.next_chaser_at > now:
        return
    questionnaire = _locked(unlocked, None, None, "")
    incident = questionnaire.incident
    claimed = set(questionnaire.chasers.values_list("number", flat=True))
    if (
        questionnaire.status != Questionnaire.Status.SENT
        or incident.is_closed
        or questionnaire.next_chaser_at is None
        or questionnaire.next_chaser_at > now
    ):
        # Answered, withdrawn or closed since it was scheduled: nothing more to chase.
        if questionnaire.status != Questionnaire.Status.SENT or incident.is_closed:
            questionnaire.next_chaser_at = None
            questionnaire.save(update_fields=["next_chaser_at"])
        return
    expires = link_expires_at(questionnaire)
    due = []
    number = max(claimed, default=0) + 1
    while (
        chaser_due_at(questionnaire, number) <= now
        and chaser_due_at(questionnaire, number) < expires
    ):
        due.append(number)
        number += 1
    if due:
        # If the sweep was away, only the latest chaser is worth an email; the
        # earlier ones are claimed as skipped so that they never arrive late.
        *skipped, latest = due
        for number in skipped:
            _claim_chaser(
                questionnaire,
                number,
                escalated=chaser_escalates(questionnaire, number),
                notified=False,
            )
        escalated = chaser_escalates(questionnaire, latest)
        told_before = questionnaire.chasers.filter(escalated=True, notified=True).exists()
        if _claim_chaser(questionnaire, latest, escalated=escalated, notified=True):
            _send_chaser(
                questionnaire,
                latest,
                escalated=escalated,
                tell_commander=escalated and not told_before,
            )
        claimed.update(due)
    questionnaire.next_chaser_at = next_chaser_time(questionnaire, claimed)
    questionnaire.save(update_fields=["next_chaser_at"])


def _send_chaser(
    questionnaire: Questionnaire, number: int, *, escalated: bool, tell_commander: bool
) -> None:
    contacts = questionnaire.vendor.contacts.all()
    if not escalated:
        contacts = contacts.filter(is_security_contact=True)
    notifications = _compose(
        questionnaire,
        list(contacts.order_by("-is_security_contact", "email")),
        kind=Notification.Kind.QUESTIONNAIRE_CHASER,
        actor=None,
    )
    commander_told = False
    if tell_commander:
        sent = f"{questionnaire.sent_at:%d %b %Y, %H:%M} UTC"
        about = (
            f"{questionnaire.vendor.name} has not answered the questionnaire "
            f"“{questionnaire.title}” sent {sent}; chasers now go to all its contacts"
        )
        commander_told = (
            notification_queue_internal(
                questionnaire.incident,
                kind=Notification.Kind.ESCALATION,
                recipient=questionnaire.incident.commander,
                actor=None,
                deadline=about,
            )
            is not None
        )
    timeline.record_questionnaire_chased(
        questionnaire=questionnaire,
        number=number,
        escalated=escalated,
        notifications=notifications,
        commander_told=commander_told,
    )


@dataclass
class SweepReport:
    chased: int = 0
    failed: int = 0


def questionnaires_sweep(*, now: datetime | None = None) -> SweepReport:
    """Send every due chaser exactly once, oldest due first, in batches until none is due.

    A questionnaire that fails is logged and left for the next run without
    stopping the others.
    """
    now = now or timezone.now()
    report = SweepReport()
    failed: set[int] = set()
    previous: list[int] = []
    while batch := list(
        Questionnaire.objects.filter(next_chaser_at__lte=now)
        .exclude(pk__in=failed)
        .order_by("next_chaser_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    ):
        if batch == previous:
            logger.error("The questionnaire sweep made no progress on %s", batch)
            break
        previous = batch
        for questionnaire_id in batch:
            try:
                _chase(questionnaire_id, now)
                report.chased += 1
            except Exception:  # one questionnaire must never stop the others
                logger.exception("Could not chase questionnaire %s", questionnaire_id)
                failed.add(questionnaire_id)
                report.failed += 1
    return report
