"""Chasers for unanswered questionnaires, swept by beat with frozen time.

Each chaser goes once (a unique claim row per questionnaire and chaser
number, inserted before anything is sent), every ``QUESTIONNAIRE_CHASER_HOURS``
after sending; from ``QUESTIONNAIRE_ESCALATION_HOURS`` after the first, to
every contact of the vendor and, once, to the commander. None after the
answer, the withdrawal or the incident's close.
"""

from datetime import timedelta

import pytest
import time_machine

from incidents.models import Incident, Notification, QuestionnaireChaser, TimelineEntry
from incidents.services import questionnaires as services
from tests.conftest import FROZEN_NOW
from tests.incidents.questionnaire_helpers import (
    OTHER_EMAIL,
    SECURITY_EMAIL,
    answers_post,
    draft,
    link,
)

pytestmark = pytest.mark.django_db


def _sweep_at(hours: float):
    with time_machine.travel(FROZEN_NOW + timedelta(hours=hours), tick=False):
        return services.questionnaires_sweep()


def _chasers(questionnaire) -> list[str]:
    """The recipient of every chaser email sent so far, sorted."""
    rows = Notification.objects.filter(
        questionnaire=questionnaire, kind=Notification.Kind.QUESTIONNAIRE_CHASER
    ).order_by("pk")
    return sorted(row.recipient_email for row in rows)


def _commander_told(incident) -> int:
    return Notification.objects.filter(
        incident=incident,
        kind=Notification.Kind.ESCALATION,
        recipient_email=incident.commander.email,
    ).count()


def _chased_entries(incident) -> int:
    return incident.timeline.filter(kind=TimelineEntry.Kind.QUESTIONNAIRE_CHASED).count()


def test_no_chaser_before_the_first_interval(sent):
    _sweep_at(23.9)

    assert _chasers(sent) == []
    assert not QuestionnaireChaser.objects.exists()


def test_the_first_chaser_goes_to_the_security_contact_once(sent):
    _sweep_at(24)
    _sweep_at(24.5)
    _sweep_at(47)

    assert _chasers(sent) == [SECURITY_EMAIL]
    assert list(sent.chasers.values_list("number", "escalated", "notified")) == [(1, False, True)]
    assert _chased_entries(sent.incident) == 1
    assert _commander_told(sent.incident) == 0


def test_the_second_interval_escalates_to_every_contact_and_tells_the_commander(sent):
    _sweep_at(24)
    _sweep_at(48)

    assert _chasers(sent) == sorted([SECURITY_EMAIL, SECURITY_EMAIL, OTHER_EMAIL])
    assert sent.chasers.get(number=2).escalated
    assert _commander_told(sent.incident) == 1
    entry = sent.incident.timeline.filter(kind=TimelineEntry.Kind.QUESTIONNAIRE_CHASED).last()
    assert entry.data["escalated"] and entry.data["commander_told"]


def test_later_chasers_stay_escalated_and_tell_the_commander_only_once(sent):
    for hours in (24, 48, 72, 72.5):
        _sweep_at(hours)

    assert list(sent.chasers.order_by("number").values_list("number", "escalated")) == [
        (1, False),
        (2, True),
        (3, True),
    ]
    assert _commander_told(sent.incident) == 1
    assert _chased_entries(sent.incident) == 3


def test_a_sweep_that_was_away_sends_only_the_latest_chaser(sent):
    _sweep_at(73)

    assert list(sent.chasers.order_by("number").values_list("number", "notified")) == [
        (1, False),
        (2, False),
        (3, True),
    ]
    assert _chasers(sent) == sorted([SECURITY_EMAIL, OTHER_EMAIL])
    assert _chased_entries(sent.incident) == 1
    assert _commander_told(sent.incident) == 1


def test_two_sweeps_at_once_send_one_chaser(sent):
    with time_machine.travel(FROZEN_NOW + timedelta(hours=24), tick=False):
        services._chase(sent.pk, FROZEN_NOW + timedelta(hours=24))
        sent.refresh_from_db()
        sent.next_chaser_at = FROZEN_NOW + timedelta(hours=24)
        sent.save(update_fields=["next_chaser_at"])
        services._chase(sent.pk, FROZEN_NOW + timedelta(hours=24))

    assert _chasers(sent) == [SECURITY_EMAIL]


def test_no_chaser_after_the_answer(client, sent):
    with time_machine.travel(FROZEN_NOW + timedelta(hours=10), tick=False):
        client.post(link(sent), answers_post(sent))

    _sweep_at(24)
    _sweep_at(48)

    assert _chasers(sent) == []
    sent.refresh_from_db()
    assert sent.next_chaser_at is None


def test_no_chaser_after_the_incident_closes(sent):
    Incident.objects.filter(pk=sent.incident_id).update(phase=Incident.Phase.CLOSED)

    _sweep_at(24)
    _sweep_at(48)

    assert _chasers(sent) == []
    sent.refresh_from_db()
    assert sent.next_chaser_at is None


def test_no_chaser_after_withdrawal(sent, commander):
    services.questionnaire_withdraw(questionnaire=sent, actor=commander, reason="Answered by phone")

    _sweep_at(24)

    assert _chasers(sent) == []


def test_chasers_stop_when_the_link_expires(sent, settings):
    for day in range(1, 35):
        _sweep_at(24 * day)

    assert sent.chasers.count() == settings.QUESTIONNAIRE_LINK_DAYS - 1
    sent.refresh_from_db()
    assert sent.next_chaser_at is None


def test_the_interval_is_a_setting(incident, commander, legal, vendor_contacts, settings):
    settings.QUESTIONNAIRE_CHASER_HOURS = 6
    settings.QUESTIONNAIRE_ESCALATION_HOURS = 12
    questionnaire = draft(incident, commander)
    services.questionnaire_approve(questionnaire=questionnaire, actor=legal)
    services.questionnaire_send(questionnaire=questionnaire, actor=commander)

    _sweep_at(6)
    _sweep_at(12)
    _sweep_at(18)

    assert list(questionnaire.chasers.order_by("number").values_list("number", "escalated")) == [
        (1, False),
        (2, False),
        (3, True),
    ]


def test_the_chaser_carries_the_same_link(sent, settings):
    _sweep_at(24)

    row = Notification.objects.get(questionnaire=sent, kind=Notification.Kind.QUESTIONNAIRE_CHASER)
    assert settings.SITE_URL + link(sent) in row.body_text
    assert row.status == Notification.Status.QUEUED
