"""The mail server's answer is recorded whatever the database and the broker do meanwhile."""

import logging
from datetime import timedelta

import pytest
from celery.utils.time import get_exponential_backoff_interval
from django.core import mail
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from breachdesk.celery import app as celery_app
from incidents import services
from incidents.models import Notification, TimelineEntry
from incidents.services import delivery
from incidents.tasks import notification_send_task
from tests.factories import StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(incident, commander, responder, legal):
    """Three partner contacts' notices, approved and ready to send."""
    for address in ("privacy@helix.example", "dpo@helix.example", "legal@helix.example"):
        StakeholderContactFactory(
            stakeholder=Stakeholder.objects.get(name="Helix Health"), email=address
        )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    for draft in drafts:
        services.notification_approve(notification=draft, actor=legal)
    return drafts


@pytest.fixture
def queued(approved, incident, commander):
    """The approved notices queued; the publication after commit has not run."""
    services.notifications_send_approved(incident=incident, actor=commander)
    return approved[0]


@pytest.fixture
def database_drops(monkeypatch):
    """The next ``times`` recordings of an outcome find the database connection dropped."""
    real = delivery.lock_incident
    left = {"times": 0}

    def lock_incident(*args, **kwargs):
        if left["times"]:
            left["times"] -= 1
            raise OperationalError("terminating connection due to administrator command")
        return real(*args, **kwargs)

    monkeypatch.setattr(delivery, "lock_incident", lock_incident)
    monkeypatch.setattr(delivery.time, "sleep", lambda seconds: None)

    def drop(times):
        left["times"] = times

    return drop


@pytest.fixture
def broker_unreachable(monkeypatch):
    """Publishing really talks to a broker, and nothing listens where it points."""
    original = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(delivery, "_broker_outage", delivery._BrokerOutage())
    yield
    celery_app.conf.task_always_eager = True
    celery_app.conf.broker_url = original


def _entry_kinds(notice):
    return list(
        TimelineEntry.objects.filter(incident=notice.incident)
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def test_a_database_drop_after_the_server_accepted_still_marks_the_notice_sent(
    queued, database_drops
):
    database_drops(2)

    outcome = services.notification_send(notification_id=queued.pk)

    queued.refresh_from_db()
    assert outcome == "sent"
    assert queued.status == Notification.Status.SENT
    assert queued.accepted_attempt == 1
    assert len(mail.outbox) == 1
    assert _entry_kinds(queued).count("notification_sent") == 1


def test_a_database_drop_after_a_refusal_still_marks_the_notice_failed(
    queued, database_drops, monkeypatch
):
    import smtplib

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({queued.recipient_email: (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    database_drops(2)

    outcome = services.notification_send(notification_id=queued.pk)

    queued.refresh_from_db()
    assert outcome == "failed"
    assert queued.status == Notification.Status.FAILED
    assert "550 No such user" in queued.last_error


def test_an_answer_the_database_never_took_in_time_goes_to_the_broker(
    queued, database_drops, caplog
):
    database_drops(len(delivery.RECORD_DELAYS) + 1)

    with caplog.at_level(logging.WARNING, logger="incidents.services.delivery"):
        services.notification_send(notification_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert any("the broker keeps notification" in r.getMessage() for r in caplog.records)


def test_the_server_answer_overrules_an_uncertainty_flag_on_the_same_attempt(queued):
    Notification.objects.filter(pk=queued.pk).update(
        status=Notification.Status.SENDING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    services.notifications_sweep()

    changed = delivery.notification_record_outcome(
        notification_id=queued.pk, attempt=1, outcome=delivery.OUTCOME_SENT
    )

    queued.refresh_from_db()
    assert changed
    assert queued.status == Notification.Status.SENT
    kinds = _entry_kinds(queued)
    assert kinds.index("notification_failed") < kinds.index("notification_sent")


def test_an_answer_for_an_earlier_attempt_changes_nothing(queued):
    Notification.objects.filter(pk=queued.pk).update(
        status=Notification.Status.SENDING, attempts=2, claimed_at=timezone.now()
    )

    changed = delivery.notification_record_outcome(
        notification_id=queued.pk, attempt=1, outcome=delivery.OUTCOME_SENT
    )

    queued.refresh_from_db()
    assert not changed
    assert queued.status == Notification.Status.SENDING


def test_recording_an_answer_twice_records_it_once(queued):
    services.notification_send(notification_id=queued.pk)

    again = delivery.notification_record_outcome(
        notification_id=queued.pk, attempt=1, outcome=delivery.OUTCOME_SENT
    )

    assert not again
    assert _entry_kinds(queued).count("notification_sent") == 1


def test_the_uncertainty_note_says_the_worker_stopped_before_the_reply(queued):
    Notification.objects.filter(pk=queued.pk).update(
        status=Notification.Status.SENDING,
        attempts=1,
        claimed_at=timezone.now() - delivery.SENDING_TIMEOUT - timedelta(seconds=1),
    )

    services.notifications_sweep()

    queued.refresh_from_db()
    assert queued.last_error.startswith("Delivery uncertain: the worker stopped after handing")
    assert "attempt 1" in queued.last_error


def test_a_retry_after_a_temporary_refusal_never_comes_at_once():
    waits = {
        get_exponential_backoff_interval(
            factor=notification_send_task.retry_backoff,
            retries=0,
            maximum=notification_send_task.retry_backoff_max,
            full_jitter=notification_send_task.retry_jitter,
        )
        for _ in range(50)
    }

    assert min(waits) >= 5


def test_publishing_with_the_broker_down_leaves_every_row_for_the_sweep(
    queued, approved, broker_unreachable
):
    published = delivery.publish_sends([n.pk for n in approved])

    assert published == []
    assert not Notification.objects.filter(
        pk__in=[n.pk for n in approved], published_at__isnull=False
    ).exists()


def test_a_broker_outage_is_logged_once_without_a_traceback(
    queued, approved, broker_unreachable, caplog
):
    with caplog.at_level(logging.WARNING, logger="incidents.services.delivery"):
        for _ in range(3):
            delivery.publish_sends([n.pk for n in approved])

    outage = [r for r in caplog.records if "Broker unreachable" in r.getMessage()]
    assert len(outage) == 1
    assert outage[0].exc_info is None


def test_the_end_of_an_outage_is_logged_once(caplog):
    outage = delivery._BrokerOutage()
    outage.failed(ConnectionError("refused"), waiting=2)

    with caplog.at_level(logging.WARNING, logger="incidents.services.delivery"):
        outage.succeeded()
        outage.succeeded()

    assert len([r for r in caplog.records if "reachable again" in r.getMessage()]) == 1


def test_sending_with_the_broker_down_keeps_the_page_working(
    client, commander, queued, approved, broker_unreachable, django_capture_on_commit_callbacks
):
    incident = queued.incident
    Notification.objects.filter(pk__in=[n.pk for n in approved]).update(
        status=Notification.Status.APPROVED, queued_at=None
    )
    client.force_login(commander)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("incidents:notifications-send", args=[incident.reference]),
            headers={"HX-Request": "true"},
        )

    assert response.status_code == 200
    assert "Waiting for the mail worker" in response.text
    assert set(
        Notification.objects.filter(pk__in=[n.pk for n in approved]).values_list(
            "status", flat=True
        )
    ) == {Notification.Status.QUEUED}


def test_the_next_sweep_publishes_a_row_the_broker_did_not_take(queued):
    report = services.notifications_sweep(
        now=timezone.now() + delivery.UNPUBLISHED_GRACE + timedelta(seconds=1)
    )

    queued.refresh_from_db()
    assert report.republished == 3
    assert queued.status == Notification.Status.SENT


def test_the_sweep_leaves_a_just_queued_row_to_its_publication(queued):
    report = services.notifications_sweep(now=timezone.now() + timedelta(seconds=10))

    assert report.republished == 0


def test_a_published_row_is_not_published_again_before_the_grace(queued, monkeypatch):
    Notification.objects.filter(pk=queued.pk).update(published_at=timezone.now())
    published = []
    monkeypatch.setattr(delivery, "_publish_one", lambda broker, pk: published.append(pk))

    services.notifications_sweep(now=timezone.now() + timedelta(minutes=5))

    assert queued.pk not in published
