"""A mail server that says "later" or "never", and a worker killed mid-send.

Every message is counted at the SMTP server by its Message-ID: a notice is
delivered at most once, and when the worker died before hearing the reply the
page says that delivery is uncertain instead of sending it again.
"""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Notification, TimelineEntry
from incidents.services import delivery
from incidents.tasks import notification_send_task
from tests.faults.helpers import statuses, wait_for

pytestmark = [
    pytest.mark.services("postgres", "redis-server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def notice(incident, approved):
    """One approved partner notice, alone on the incident."""
    Notification.objects.filter(incident=incident).exclude(pk=approved[0].pk).delete()
    return approved[0]


def _notifications_panel(client, incident, user) -> str:
    client.force_login(user)
    response = client.get(
        reverse("incidents:detail", args=[incident.reference]) + "?panel=notifications",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return response.text


def test_a_worker_killed_before_the_mail_server_replies_never_resends_and_says_uncertain(
    client, incident, commander, notice, smtp_server, celery_worker
):
    # The server keeps the message, then waits before its 250: the worker dies in between.
    smtp_server.hold = 5
    services.notifications_send_approved(incident=incident, actor=commander)
    assert smtp_server.entered.wait(30), "the worker never reached the mail server"
    celery_worker.kill()
    celery_worker.start()

    # What the broker does after its visibility timeout: the killed worker's task again.
    notification_send_task.delay(notification_id=notice.pk)
    wait_for(lambda: "'skipped'" in celery_worker.log(), 30, "the redelivered task")
    assert statuses([notice]) == {Notification.Status.SENDING}

    report = services.notifications_sweep(
        now=timezone.now() + delivery.SENDING_TIMEOUT + timedelta(seconds=1)
    )
    services.notifications_sweep(now=timezone.now() + delivery.QUEUED_GRACE + timedelta(seconds=1))
    time.sleep(2)

    assert report.uncertain == 1
    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED
    assert notice.last_error.startswith(delivery.UNCERTAIN_PREFIX)
    assert smtp_server.message_ids() == [notice.message_id]
    panel = _notifications_panel(client, incident, commander)
    assert "Delivery uncertain: the worker stopped after handing this message" in panel
    assert "Check with the recipient before retrying." in panel
    assert TimelineEntry.objects.filter(incident=incident, kind="notification_failed").count() == 1


def test_a_mail_server_saying_try_later_twice_gets_the_notice_once_after_backing_off(
    incident, commander, notice, smtp_server, celery_worker
):
    smtp_server.replies = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]

    services.notifications_send_approved(incident=incident, actor=commander)
    wait_for(lambda: statuses([notice]) == {Notification.Status.SENT}, 60, "sent")
    time.sleep(1)

    assert smtp_server.message_ids() == [notice.message_id]
    first, second, third = smtp_server.offered_at
    # The task backs off 5 s, then 10 s (incidents/tasks.py); never "Retry in 0s".
    assert second - first >= 4
    assert third - second >= 8
    notice.refresh_from_db()
    assert (notice.attempts, notice.accepted_attempt) == (3, 3)
    assert TimelineEntry.objects.filter(incident=incident, kind="notification_sent").count() == 1


def test_a_mail_server_refusing_for_good_fails_the_notice_visibly_without_retrying(
    client, incident, commander, notice, smtp_server, celery_worker
):
    smtp_server.replies = ["550 5.1.1 No such user here"]

    services.notifications_send_approved(incident=incident, actor=commander)
    wait_for(lambda: statuses([notice]) == {Notification.Status.FAILED}, 30, "failed")
    time.sleep(2)

    assert smtp_server.message_ids() == []
    assert len(smtp_server.offered_at) == 1
    panel = _notifications_panel(client, incident, commander)
    assert "Failed" in panel
    assert "550 5.1.1 No such user here" in panel
    assert ">Retry</button>" in panel
    assert TimelineEntry.objects.filter(incident=incident, kind="notification_failed").count() == 1
