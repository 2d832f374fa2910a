"""Reads for vendor questionnaires: the signed link, the answers as people read them, and
what the answers offer (the vendor-aware time, the assets for the scope review)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from incidents.models import (
    Deadline,
    Incident,
    Questionnaire,
    QuestionnaireDraft,
    QuestionnaireQuestion,
    QuestionnaireResponse,
)
from vendors.models import DataAsset, Vendor

QUESTIONNAIRE_SALT = "breachdesk.vendor-questionnaire"


def questionnaire_token(nonce: uuid.UUID) -> str:
    """The link's token: a signature of the questionnaire's nonce, the same every time.

    It names one questionnaire and nothing else; it expires
    ``QUESTIONNAIRE_LINK_DAYS`` after sending (checked on use).
    """
    return signing.Signer(salt=QUESTIONNAIRE_SALT).sign(str(nonce))


def questionnaire_url(nonce: uuid.UUID) -> str:
    return settings.SITE_URL + reverse(
        "questionnaire-answer", kwargs={"token": questionnaire_token(nonce)}
    )


def link_expires_at(questionnaire: Questionnaire) -> datetime | None:
    if questionnaire.sent_at is None:
        return None
    return questionnaire.sent_at + timedelta(days=settings.QUESTIONNAIRE_LINK_DAYS)


@dataclass(frozen=True)
class LinkLookup:
    """What a link leads to: ``open`` (answerable), ``withdrawn``, or ``invalid``.

    ``invalid`` covers a tampered token, one for no questionnaire, one not sent
    yet and one expired alike: the page must not hint which part failed.
    """

    outcome: str
    questionnaire: Questionnaire | None = None


def questionnaire_by_token(token: str) -> LinkLookup:
    try:
        nonce = uuid.UUID(signing.Signer(salt=QUESTIONNAIRE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return LinkLookup("invalid")
    questionnaire = (
        Questionnaire.objects.select_related("incident", "vendor").filter(nonce=nonce).first()
    )
    if questionnaire is None or questionnaire.sent_at is None:
        return LinkLookup("invalid")
    if timezone.now() > link_expires_at(questionnaire):
        return LinkLookup("invalid")
    if questionnaire.status == Questionnaire.Status.WITHDRAWN:
        return LinkLookup("withdrawn", questionnaire)
    return LinkLookup("open", questionnaire)


def questionnaire_draft_answers(*, questionnaire: Questionnaire) -> QuestionnaireDraft | None:
    """The vendor's saved draft, if any."""
    return QuestionnaireDraft.objects.filter(questionnaire=questionnaire).first()


def assets_shared_with(vendor: Vendor) -> QuerySet[DataAsset]:
    """Our data assets this vendor held through any engagement: all a vendor may name."""
    return DataAsset.objects.filter(engagements__vendor=vendor).distinct().order_by("name", "pk")


# --- answers as people read them -----------------------------------------------------------


@dataclass
class AnswerShown:
    """One question with its answer in one version, ready for a template."""

    question: QuestionnaireQuestion
    answered: bool = False
    text: str = ""
    moment: datetime | None = None
    zone: str = ""
    assets: list[dict] = field(default_factory=list)
    file: dict | None = None


def answers_shown(questions: list[QuestionnaireQuestion], answers: dict) -> list[AnswerShown]:
    """Each question beside its answer (``answers`` keyed by question id as text)."""
    shown = []
    for question in questions:
        value = answers.get(str(question.pk))
        row = AnswerShown(question=question, answered=value not in (None, "", [], {}))
        if not row.answered:
            shown.append(row)
            continue
        kind = question.kind
        if kind == question.Kind.DATETIME:
            row.moment = parse_datetime(value.get("at", ""))
            row.zone = value.get("zone", "")
            row.text = value.get("local", "").replace("T", " ")
        elif kind == question.Kind.DATA_ASSETS:
            row.assets = list(value)
        elif kind == question.Kind.FILE:
            row.file = value
        else:
            row.text = str(value)
        shown.append(row)
    return shown


@dataclass
class QuestionnaireView:
    """A questionnaire with its questions, its versions and the latest answers beside them."""

    questionnaire: Questionnaire
    questions: list[QuestionnaireQuestion]
    responses: list[QuestionnaireResponse]
    latest: list[AnswerShown]
    chasers: int

    @property
    def latest_response(self) -> QuestionnaireResponse | None:
        return self.responses[-1] if self.responses else None


def _views(questionnaires) -> list[QuestionnaireView]:
    views = []
    for questionnaire in questionnaires:
        questions = list(questionnaire.questions.all())
        responses = list(questionnaire.responses.all())
        latest = responses[-1].answers if responses else {}
        views.append(
            QuestionnaireView(
                questionnaire=questionnaire,
                questions=questions,
                responses=responses,
                latest=answers_shown(questions, latest),
                chasers=sum(1 for chaser in questionnaire.chasers.all() if chaser.notified),
            )
        )
    return views


def _with_parts(queryset: QuerySet[Questionnaire]) -> QuerySet[Questionnaire]:
    return queryset.select_related(
        "vendor", "created_by", "approved_by", "sent_by", "withdrawn_by"
    ).prefetch_related(
        Prefetch("questions", queryset=QuestionnaireQuestion.objects.order_by("order", "pk")),
        Prefetch("responses", queryset=QuestionnaireResponse.objects.order_by("version")),
        "chasers",
    )


def incident_questionnaires(*, incident: Incident) -> list[QuestionnaireView]:
    """Every questionnaire of the incident, oldest first: five queries however many."""
    return _views(_with_parts(incident.questionnaires.order_by("created_at", "pk")))


def incident_questionnaire(
    *, incident: Incident, questionnaire_id: int
) -> QuestionnaireView | None:
    found = _views(_with_parts(incident.questionnaires.filter(pk=questionnaire_id)))
    return found[0] if found else None


# --- what the answers offer ----------------------------------------------------------------


@dataclass(frozen=True)
class VendorAwareOffer:
    """The vendor's "when did you become aware", for the commander to accept (or not)."""

    moment: datetime
    zone: str
    local: str
    version: int
    accepted: bool


def vendor_aware_offer(view: QuestionnaireView, incident: Incident) -> VendorAwareOffer | None:
    response = view.latest_response
    if response is None:
        return None
    for question in view.questions:
        if question.feeds != question.Feeds.VENDOR_AWARE_AT:
            continue
        value = response.answers.get(str(question.pk))
        moment = parse_datetime(value.get("at", "")) if isinstance(value, dict) else None
        if moment is not None:
            return VendorAwareOffer(
                moment=moment,
                zone=value.get("zone", ""),
                local=value.get("local", "").replace("T", " "),
                version=response.version,
                accepted=incident.vendor_aware_at == moment,
            )
    return None


def vendor_sla(incident: Incident) -> Deadline | None:
    """The clock of the vendor's duty to tell us (met or missed by the facts), if it runs."""
    return incident.deadlines.filter(rule_id="vendor-sla").first()


@dataclass(frozen=True)
class VendorReport:
    """A data asset the vendor says was reached, from its latest answers."""

    records: int | None
    questionnaire: Questionnaire
    version: int
    respondent: str
    submitted_at: datetime


def vendor_reports(*, incident: Incident) -> dict[int, VendorReport]:
    """Per asset id, what the vendor's latest answers say was reached (newest answers win).

    Offered on the scope review for a responder to confirm; never recorded by itself.
    """
    reports: dict[int, VendorReport] = {}
    for view in incident_questionnaires(incident=incident):
        response = view.latest_response
        if response is None:
            continue
        for question in view.questions:
            if question.kind != question.Kind.DATA_ASSETS:
                continue
            for asset in response.answers.get(str(question.pk)) or []:
                previous = reports.get(asset["id"])
                if previous is None or previous.submitted_at <= response.submitted_at:
                    reports[asset["id"]] = VendorReport(
                        records=asset.get("records"),
                        questionnaire=view.questionnaire,
                        version=response.version,
                        respondent=response.respondent_name,
                        submitted_at=response.submitted_at,
                    )
    return reports
