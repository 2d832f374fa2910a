"""Rows kept only for a while are purged by beat, hourly."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from breachdesk.models import Submission
from breachdesk.tasks import housekeeping_purge_task
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

SESSION_LIFETIME = timedelta(hours=settings.SESSION_MAX_HOURS)


def _token_made_at(moment) -> Submission:
    with time_machine.travel(moment, tick=False):
        return Submission.objects.create(token=uuid.uuid4())


def test_a_token_older_than_any_session_is_purged():
    _token_made_at(FROZEN_NOW - SESSION_LIFETIME - timedelta(minutes=1))

    purged = housekeeping_purge_task.delay().get()

    assert purged == 1
    assert not Submission.objects.exists()


def test_a_token_a_live_session_could_still_send_is_kept():
    kept = _token_made_at(FROZEN_NOW - SESSION_LIFETIME + timedelta(minutes=1))

    housekeeping_purge_task.delay()

    assert list(Submission.objects.all()) == [kept]


def test_expired_sessions_are_cleared_and_live_ones_kept():
    expired, live = SessionStore(), SessionStore()
    expired.set_expiry(FROZEN_NOW - timedelta(seconds=1))
    expired.create()
    live.set_expiry(FROZEN_NOW + timedelta(hours=1))
    live.create()

    housekeeping_purge_task.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_beat_runs_the_purge_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-rows"]

    assert entry["task"] == housekeeping_purge_task.name
    assert entry["schedule"] == 3600.0
