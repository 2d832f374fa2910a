"""Delivery against a real SMTP server on loopback (aiosmtpd in this process)."""

import pytest

from incidents import services
from incidents.models import Notification
from tests.factories import StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db


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


def _send(incident, commander, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=incident, actor=commander)


def test_a_notice_arrives_with_the_right_headers_and_both_bodies(
    incident, commander, approved_notice, smtp_mailer, settings, django_capture_on_commit_callbacks
):
    _send(incident, commander, django_capture_on_commit_callbacks)

    [message] = smtp_mailer.messages()
    approved_notice.refresh_from_db()
    assert message["To"] == "privacy@helix.example"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"].strip() == approved_notice.subject
    assert message["Message-ID"] == approved_notice.message_id
    assert message["X-BreachDesk-Incident"] == incident.reference
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Dear Mira Albrecht" in text
    assert "Acknowledge receipt" in html
    assert approved_notice.status == Notification.Status.SENT


def test_a_4xx_is_retried_and_then_delivered(
    incident, commander, approved_notice, smtp_mailer, django_capture_on_commit_callbacks
):
    smtp_mailer.replies = ["451 4.3.0 Mailbox busy, try again later"]

    _send(incident, commander, django_capture_on_commit_callbacks)

    approved_notice.refresh_from_db()
    assert len(smtp_mailer.envelopes) == 1
    assert approved_notice.status == Notification.Status.SENT
    assert approved_notice.attempts == 2


def test_a_5xx_ends_failed_with_the_error(
    incident, commander, approved_notice, smtp_mailer, django_capture_on_commit_callbacks
):
    smtp_mailer.replies = ["550 5.1.1 <privacy@helix.example>: no such user"]

    _send(incident, commander, django_capture_on_commit_callbacks)

    approved_notice.refresh_from_db()
    assert smtp_mailer.envelopes == []
    assert approved_notice.status == Notification.Status.FAILED
    assert "550 5.1.1" in approved_notice.last_error
    assert approved_notice.attempts == 1


def test_a_mail_server_that_keeps_refusing_ends_failed_after_the_retries(
    incident, commander, approved_notice, smtp_mailer, django_capture_on_commit_callbacks
):
    smtp_mailer.replies = ["451 4.3.0 Try later"] * 20

    _send(incident, commander, django_capture_on_commit_callbacks)

    approved_notice.refresh_from_db()
    assert approved_notice.status == Notification.Status.FAILED
    assert approved_notice.attempts == 7
    assert "451 4.3.0" in approved_notice.last_error
    assert incident.timeline.filter(kind="notification_failed").count() == 1
