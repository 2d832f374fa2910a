"""Shared steps of the questionnaire tests: a vendor with contacts, a questionnaire sent to it,
and the vendor's answers as its form posts them."""

from django.urls import reverse

from incidents.models import Questionnaire, QuestionnaireQuestion
from incidents.questionnaire_templates import ensure_default_questionnaire
from incidents.selectors.questionnaires import questionnaire_token
from incidents.services import questionnaires as services

SECURITY_EMAIL = "security@parallax.example"
OTHER_EMAIL = "owner@parallax.example"


def draft(incident, commander) -> Questionnaire:
    return services.questionnaire_draft(
        incident=incident,
        actor=commander,
        vendor=incident.vendors.get(),
        template=ensure_default_questionnaire(),
    )


def link(questionnaire: Questionnaire) -> str:
    return reverse(
        "questionnaire-answer", kwargs={"token": questionnaire_token(questionnaire.nonce)}
    )


def question(questionnaire: Questionnaire, kind: str) -> QuestionnaireQuestion:
    return questionnaire.questions.filter(kind=kind).order_by("order").first()


def answers_post(questionnaire: Questionnaire, *, action="submit", assets=(), **overrides) -> dict:
    """What the vendor's form posts: the required questions answered, ``assets`` as (asset, records)."""
    kinds = QuestionnaireQuestion.Kind
    aware = question(questionnaire, kinds.DATETIME)
    text = question(questionnaire, kinds.TEXT)
    data = {
        "action": action,
        "respondent_name": "Sam Secure",
        "respondent_email": SECURITY_EMAIL,
        f"q{aware.pk}": "2026-02-28 08:00",
        f"q{aware.pk}_zone": "Europe/Berlin",
        f"q{text.pk}": "Phished admin account; the annotation bucket was copied.",
    }
    reached = question(questionnaire, kinds.DATA_ASSETS)
    if assets:
        data[f"q{reached.pk}"] = [str(asset.pk) for asset, _records in assets]
        for asset, records in assets:
            data[f"q{reached.pk}_records_{asset.pk}"] = "" if records is None else str(records)
    data.update(overrides)
    return data
