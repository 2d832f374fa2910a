"""The vendor's answers, each kind of question fed the hostile corpus.

The answer form makes one field per question, so the URLconf discovery of
``test_forms_hostile.py`` sees only its fixed fields (name, email, action).
Here every question field of the default questionnaire gets the corpus, as a
vendor with no account submits it: never a 500, nothing saved with an error
shown, and no payload unescaped in the answer or on the pages that show the
answers afterwards (the incident page, the questionnaire page, the link).
"""

import contextlib
from datetime import timedelta

import pytest
import time_machine

from incidents.forms import QuestionnaireAnswerForm
from incidents.models import Questionnaire, QuestionnaireQuestion
from incidents.selectors.questionnaires import assets_shared_with
from tests.conftest import FROZEN_NOW
from tests.hostile.corpus import DANGEROUS_MARKUP
from tests.hostile.test_forms_hostile import (  # noqa: F401 (seeded: the module's demo)
    _html,
    fingerprint,
    rolled_back,
    seeded,
    to_post,
    unescaped,
)
from tests.incidents.questionnaire_helpers import answers_post, link
from tests.test_access_by_url import url_for

pytestmark = pytest.mark.django_db

Kind = QuestionnaireQuestion.Kind
# (question kind, which of its fields): every field a vendor can type into.
PARTS = [
    (Kind.TEXT, ""),
    (Kind.YES_NO, ""),
    (Kind.DATETIME, ""),
    (Kind.DATETIME, "_zone"),
    (Kind.CHOICE, ""),
    (Kind.DATA_ASSETS, ""),
    (Kind.DATA_ASSETS, "_records"),
]


@pytest.fixture(autouse=True)
def _no_flood_limit(settings):
    settings.QUESTIONNAIRE_POSTS_PER_HOUR = 1_000_000


def _field_name(questionnaire, kind, part) -> str:
    question = questionnaire.questions.filter(kind=kind).order_by("order").first()
    name = f"q{question.pk}{part}"
    if part == "_records":
        name += f"_{assets_shared_with(questionnaire.vendor).first().pk}"
    return name


# The module's demo is built before each test's own transaction (a module-scoped
# fixture named here); asked for inside the test, it would roll back with it.
@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(("kind", "part"), PARTS, ids=[f"{k}{p}" for k, p in PARTS])
def test_hostile_value_in_an_answer(
    client, request, django_capture_on_commit_callbacks, kind, part
):
    scripted = request.getfixturevalue("seeded")
    questionnaire = Questionnaire.objects.get(pk=scripted.ids["questionnaire_id"])
    form = QuestionnaireAnswerForm(
        questions=questionnaire.questions.all(), assets=assets_shared_with(questionnaire.vendor)
    )
    name = _field_name(questionnaire, kind, part)
    base = answers_post(questionnaire)
    if part == "_records":
        base[name.rsplit("_records_", 1)[0]] = [name.rsplit("_", 1)[1]]
    url = link(questionnaire)
    faults = []

    values = sorted(to_post(form.fields[name]), key=lambda value: value in DANGEROUS_MARKUP)
    for minute, payload in enumerate(values, start=1):
        kept = payload in DANGEROUS_MARKUP
        shown = repr(payload[:40])
        later = time_machine.travel(FROZEN_NOW + timedelta(minutes=minute), tick=False)
        with later, contextlib.nullcontext() if kept else rolled_back():
            before = fingerprint()
            try:
                with django_capture_on_commit_callbacks(execute=True):
                    response = client.post(url, {**base, name: payload})
            except Exception as exc:  # the test client re-raises what would be a 500
                faults.append(f"{shown}: {type(exc).__name__}: {exc}"[:300])
                continue
            status = response.status_code
            if status >= 500:
                faults.append(f"{shown}: {status}")
            elif 400 <= status < 500 and fingerprint() != before:
                faults.append(f"{shown}: {status} but the database changed")
            if unescaped(payload, _html(response)):
                faults.append(f"{shown}: rendered unescaped in the answer")

    client.force_login(scripted.personas["legal"])
    pages = [
        url,
        url_for("incidents:detail", scripted.ids),
        url_for("incidents:questionnaire", scripted.ids),
        url_for("incidents:timeline", scripted.ids),
    ]
    for page in pages:
        html = _html(client.get(page))
        faults.extend(
            f"{payload!r}: unescaped on {page}" for payload in DANGEROUS_MARKUP if payload in html
        )

    assert faults == []
