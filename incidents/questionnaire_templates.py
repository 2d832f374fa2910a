"""The vendor-breach questionnaire offered by default (admin-editable afterwards).

Migration 0015 loads a frozen copy of these into a new database;
``ensure_default_questionnaire`` puts them back where a test emptied the
tables that migrations fill.
"""

from incidents.models import (
    QuestionFeeds,
    QuestionKind,
    QuestionnaireTemplate,
    QuestionnaireTemplateQuestion,
)

NAME = "Vendor breach: first questions"
DESCRIPTION = "What every customer asks a breached vendor first."
# (text, help text, kind, choices, required, feeds)
QUESTIONS = [
    (
        "When did you become aware of the incident?",
        "The date, time and time zone when your organisation first knew. Your contract "
        "with us counts from this moment.",
        QuestionKind.DATETIME,
        [],
        True,
        QuestionFeeds.VENDOR_AWARE_AT,
    ),
    (
        "What happened, as far as you know today?",
        "How the attacker got in, what they did and when, in a few sentences.",
        QuestionKind.TEXT,
        [],
        True,
        QuestionFeeds.NOTHING,
    ),
    (
        "Which of our data did the attacker reach, and how many records of each?",
        "Tick each of our data assets that was reached; give the number of records if known.",
        QuestionKind.DATA_ASSETS,
        [],
        False,
        QuestionFeeds.NOTHING,
    ),
    (
        "Were any credentials or keys we gave you exposed?",
        "",
        QuestionKind.YES_NO,
        [],
        False,
        QuestionFeeds.NOTHING,
    ),
    (
        "Is the incident contained?",
        "",
        QuestionKind.CHOICE,
        ["Contained", "Being contained", "Not yet", "Unknown"],
        False,
        QuestionFeeds.NOTHING,
    ),
    (
        "What should we look for on our side?",
        "Indicators of compromise: addresses, file hashes, account names, times.",
        QuestionKind.TEXT,
        [],
        False,
        QuestionFeeds.NOTHING,
    ),
    (
        "Your incident report or forensic summary, if you can share it",
        "PDF, text, CSV, JSON, images, ZIP or Office documents.",
        QuestionKind.FILE,
        [],
        False,
        QuestionFeeds.NOTHING,
    ),
]


def question_fields():
    """Each question as model field values, in order."""
    for order, (text, help_text, kind, choices, required, feeds) in enumerate(QUESTIONS, 1):
        yield {
            "order": order * 10,
            "text": text,
            "help_text": help_text,
            "kind": str(kind),
            "choices": list(choices),
            "required": required,
            "feeds": str(feeds),
        }


def ensure_default_questionnaire() -> QuestionnaireTemplate:
    """The default questionnaire template, created with its questions if there is none."""
    existing = QuestionnaireTemplate.objects.filter(is_default=True).first()
    if existing is not None:
        return existing
    template = QuestionnaireTemplate.objects.create(
        name=NAME, description=DESCRIPTION, is_default=True
    )
    QuestionnaireTemplateQuestion.objects.bulk_create(
        QuestionnaireTemplateQuestion(template=template, **fields) for fields in question_fields()
    )
    return template
