"""The outbox with a real Celery worker, Redis and an SMTP server: never lost, never twice."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from breachdesk.celery import app as celery_app
from incidents import services
from incidents.models import Notification
from incidents.services import delivery
from tests.factories import StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = [
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker_env(smtp_server):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "SMTP_TLS": "0"}


@pytest.fixture
def approved_notice(incident, commander, responder, legal):
    StakeholderContactFactory(
        stakeholder=Stakeholder.objects.get(name="Helix Health"),
        name="Mira Albrecht",
        email="privacy@helix.example",
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    services.notification_approve(notification=drafts[0], actor=legal)
    return drafts[0]


def _wait_for(condition, timeout=30, message="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.2)


def _status(notice):
    return Notification.objects.values_list("status", flat=True).get(pk=notice.pk)


@pytest.fixture
def broker_down():
    """Point this process at a broker that does not answer, then back.

    Celery keeps a producer pool per broker URL; dropping the cached one makes
    the next publish connect to whatever the URL now says.
    """
    original = celery_app.conf.broker_url

    def switch(url):
        celery_app.conf.broker_url = url
        celery_app.amqp._producer_pool = None

    switch("redis://127.0.0.1:1/0")
    yield lambda: switch(original)
    switch(original)


def test_approve_and_send_delivers_exactly_once(
    incident, commander, approved_notice, smtp_server, celery_worker
):
    services.notifications_send_approved(incident=incident, actor=commander)

    _wait_for(lambda: _status(approved_notice) == Notification.Status.SENT, message="sent")
    time.sleep(1)
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["privacy@helix.example"]]


def test_a_broker_outage_at_send_time_is_caught_up_by_the_sweep(
    incident, commander, approved_notice, smtp_server, celery_worker, broker_down
):
    services.notifications_send_approved(incident=incident, actor=commander)
    time.sleep(2)
    assert _status(approved_notice) == Notification.Status.QUEUED
    assert smtp_server.envelopes == []

    broker_back = broker_down
    broker_back()
    services.notifications_sweep(now=timezone.now() + delivery.QUEUED_GRACE + timedelta(seconds=1))

    _wait_for(lambda: _status(approved_notice) == Notification.Status.SENT, message="sent")
    time.sleep(1)
    assert len(smtp_server.envelopes) == 1


def test_a_worker_killed_while_sending_causes_no_second_email(
    incident, commander, approved_notice, smtp_server, celery_worker
):
    smtp_server.hold = 3
    services.notifications_send_approved(incident=incident, actor=commander)
    assert smtp_server.entered.wait(30), "the worker never reached the mail server"

    celery_worker.kill()
    time.sleep(smtp_server.hold + 1)
    celery_worker.start()
    services.notifications_sweep(
        now=timezone.now() + delivery.SENDING_TIMEOUT + timedelta(seconds=1)
    )
    time.sleep(3)

    approved_notice.refresh_from_db()
    assert len(smtp_server.envelopes) == 1
    assert approved_notice.status == Notification.Status.FAILED
    assert approved_notice.last_error.startswith("Delivery uncertain")
    connection.close()
