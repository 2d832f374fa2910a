"""Notices through database drops and broker outages: delivered once, recorded, never twice."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Notification, TimelineEntry
from incidents.services import delivery
from tests.faults.helpers import HELIX_CONTACTS, statuses, wait_for

pytestmark = [
    pytest.mark.services("postgres", "redis-server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _terminate_other_connections():
    """What a failover or an administrator's pg_terminate_backend does to the worker."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_a_database_drop_while_the_mail_server_replies_still_marks_the_notice_sent(
    incident, commander, approved, smtp_server, celery_worker
):
    notice = approved[0]
    Notification.objects.filter(incident=incident).exclude(pk=notice.pk).delete()
    smtp_server.hold = 4
    services.notifications_send_approved(incident=incident, actor=commander)
    assert smtp_server.entered.wait(30), "the worker never reached the mail server"

    assert _terminate_other_connections() >= 1

    wait_for(lambda: statuses([notice]) == {Notification.Status.SENT}, 30, "sent")
    notice.refresh_from_db()
    assert notice.accepted_attempt == 1
    assert TimelineEntry.objects.filter(incident=incident, kind="notification_sent").count() == 1
    services.notifications_sweep(
        now=timezone.now() + delivery.SENDING_TIMEOUT + timedelta(seconds=1)
    )
    time.sleep(2)
    assert statuses([notice]) == {Notification.Status.SENT}
    assert len(smtp_server.envelopes) == 1


def test_a_broker_outage_during_send_answers_at_once_and_delivers_each_notice_once_after(
    client, incident, commander, approved, smtp_server, own_redis, celery_worker
):
    own_redis.stop()
    client.force_login(commander)

    started = time.monotonic()
    response = client.post(
        reverse("incidents:notifications-send", args=[incident.reference]),
        headers={"HX-Request": "true"},
    )
    waited = time.monotonic() - started

    assert response.status_code == 200
    # Before, each of the five hand-offs blocked about 6 s (gunicorn kills at 30 s).
    assert waited < 5
    assert "Waiting for the mail worker" in response.text
    assert statuses(approved) == {Notification.Status.QUEUED}

    own_redis.start()
    services.notifications_sweep(
        now=timezone.now() + delivery.UNPUBLISHED_GRACE + timedelta(seconds=1)
    )

    wait_for(lambda: statuses(approved) == {Notification.Status.SENT}, 120, "all sent")
    time.sleep(1)
    assert sorted(rcpt for e in smtp_server.envelopes for rcpt in e.rcpt_tos) == sorted(
        HELIX_CONTACTS
    )
