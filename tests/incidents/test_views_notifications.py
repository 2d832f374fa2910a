import re

import pytest
from django.core import mail
from django.urls import reverse

from incidents import services
from incidents.models import Notification
from incidents.services import notice_composition
from incidents.services import notifications as outbox
from tests.factories import StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoped(incident, responder):
    StakeholderContactFactory(
        stakeholder=Stakeholder.objects.get(name="Helix Health"), email="privacy@helix.example"
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    return incident


def _url(incident, name, **kwargs):
    return reverse(name, kwargs={"reference": incident.reference, **kwargs})


def _htmx_post(client, url, data=None):
    return client.post(url, data or {}, headers={"HX-Request": "true"})


def test_the_commander_drafts_legal_approves_the_commander_sends(
    client, scoped, commander, legal, django_capture_on_commit_callbacks
):
    client.force_login(commander)
    drafted = _htmx_post(client, _url(scoped, "incidents:notifications-draft"))
    notice = Notification.objects.get()
    client.force_login(legal)
    approved = _htmx_post(
        client, _url(scoped, "incidents:notification-approve", notification_id=notice.pk)
    )
    client.force_login(commander)
    with django_capture_on_commit_callbacks(execute=True):
        sent = _htmx_post(client, _url(scoped, "incidents:notifications-send"))

    assert drafted.status_code == approved.status_code == sent.status_code == 200
    assert "privacy@helix.example" in drafted.content.decode()
    assert "Approved by" in approved.content.decode()
    assert [m.to for m in mail.outbox] == [["privacy@helix.example"]]


def test_sending_with_drafts_unapproved_says_so_in_the_panel(client, scoped, commander):
    client.force_login(commander)
    _htmx_post(client, _url(scoped, "incidents:notifications-draft"))

    response = _htmx_post(client, _url(scoped, "incidents:notifications-send"))

    assert response.status_code == 422
    assert "still need approval" in response.content.decode()
    assert mail.outbox == []


def test_a_partner_without_contact_is_named_in_the_panel(client, incident, commander, responder):
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Teleop logs"),
        status="confirmed",
    )
    client.force_login(commander)

    response = _htmx_post(client, _url(incident, "incidents:notifications-draft"))

    assert response.status_code == 422
    assert "No notice for Orbital Robotics" in response.content.decode()


def test_the_commander_edits_a_draft_and_bad_addresses_are_refused(client, scoped, commander):
    client.force_login(commander)
    _htmx_post(client, _url(scoped, "incidents:notifications-draft"))
    notice = Notification.objects.get()
    url = _url(scoped, "incidents:notification", notification_id=notice.pk)
    data = {"recipient_name": "Mira", "subject": "Notice", "body_text": "Dear Mira"}

    refused = client.post(url, {**data, "recipient_email": "a@b.c\r\nBcc: x@evil.example"})
    saved = client.post(url, {**data, "recipient_email": "mira@helix.example"})

    assert refused.status_code == 422
    assert "is not a single valid email address" in refused.content.decode()
    assert saved.status_code == 302
    notice.refresh_from_db()
    assert (notice.recipient_email, notice.body_text) == ("mira@helix.example", "Dear Mira")


def test_a_responder_reads_but_cannot_edit_a_notice(client, scoped, commander, responder):
    client.force_login(commander)
    _htmx_post(client, _url(scoped, "incidents:notifications-draft"))
    notice = Notification.objects.get()
    url = _url(scoped, "incidents:notification", notification_id=notice.pk)
    client.force_login(responder)

    page = client.get(url)
    refused = client.post(url, {"recipient_email": "x@y.example", "subject": "s", "body_text": "b"})

    assert page.status_code == 200
    assert 'name="body_text"' not in page.content.decode()
    assert refused.status_code == 403


@pytest.fixture
def sent_notice(scoped, commander, legal, django_capture_on_commit_callbacks):
    drafts, _ = services.notifications_draft_partner_notices(incident=scoped, actor=commander)
    services.notification_approve(notification=drafts[0], actor=legal)
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=scoped, actor=commander)
    return Notification.objects.get(pk=drafts[0].pk)


def test_opening_the_link_shows_the_notice_without_recording(client, sent_notice):
    response = client.get(
        reverse("ack", kwargs={"token": notice_composition.ack_token(sent_notice.ack_nonce)})
    )

    sent_notice.refresh_from_db()
    assert response.status_code == 200
    assert "Confirm receipt" in response.content.decode()
    assert sent_notice.acknowledged_at is None


def test_confirming_records_it_without_signing_in(client, sent_notice):
    url = reverse("ack", kwargs={"token": notice_composition.ack_token(sent_notice.ack_nonce)})

    response = client.post(url)

    sent_notice.refresh_from_db()
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert sent_notice.acknowledged_at is not None


def test_a_reused_link_says_it_was_already_acknowledged(client, sent_notice):
    url = reverse("ack", kwargs={"token": notice_composition.ack_token(sent_notice.ack_nonce)})
    client.post(url)

    response = client.post(url)

    assert "Already acknowledged" in response.content.decode()
    assert sent_notice.incident.timeline.filter(kind="notification_acknowledged").count() == 1


def test_a_tampered_link_gets_a_clear_page(client, sent_notice):
    response = client.post(reverse("ack", kwargs={"token": "not-a-real-token:abc:def"}))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_the_panel_shows_sent_and_acknowledged(client, sent_notice, viewer):
    outbox.notification_acknowledge(token=notice_composition.ack_token(sent_notice.ack_nonce))
    client.force_login(viewer)

    html = client.get(sent_notice.incident.get_absolute_url()).content.decode()

    assert '<span aria-hidden="true">✓</span> Sent' in html
    assert '<span aria-hidden="true">✓</span> Acknowledged' in html


HTMX = {"HX-Request": "true"}
SEEN = re.compile(r"panel=notifications&amp;seen=([0-9a-f]{16})")


def _approved(client, scoped, commander, legal):
    """Partner notices drafted and approved, and the commander signed in to send them."""
    drafts, _ = services.notifications_draft_partner_notices(incident=scoped, actor=commander)
    for draft in drafts:
        services.notification_approve(notification=draft, actor=legal)
    client.force_login(commander)


def test_a_poll_after_the_worker_sent_refreshes_the_timeline_and_deadlines(
    client, scoped, commander, legal, django_capture_on_commit_callbacks
):
    _approved(client, scoped, commander, legal)
    with django_capture_on_commit_callbacks() as published:
        queued = _htmx_post(client, _url(scoped, "incidents:notifications-send"))
    seen = SEEN.search(queued.content.decode()).group(1)
    for send in published:
        send()

    poll = client.get(
        scoped.get_absolute_url(), {"panel": "notifications", "seen": seen}, headers=HTMX
    ).content.decode()

    assert 'id="timeline-latest" aria-labelledby="timeline-heading" hx-swap-oob="true"' in poll
    assert 'id="deadlines" aria-labelledby="deadlines-heading" hx-swap-oob="true"' in poll
    assert 'id="incident-header" class="incident-header" hx-swap-oob="true"' in poll
    assert "Sent “" in poll.split('id="timeline-latest"', 1)[1]


def test_a_poll_with_nothing_new_answers_the_panel_alone(
    client, scoped, commander, legal, django_capture_on_commit_callbacks
):
    _approved(client, scoped, commander, legal)
    with django_capture_on_commit_callbacks():
        queued = _htmx_post(client, _url(scoped, "incidents:notifications-send"))
    seen = SEEN.search(queued.content.decode()).group(1)

    poll = client.get(
        scoped.get_absolute_url(), {"panel": "notifications", "seen": seen}, headers=HTMX
    ).content.decode()

    assert 'id="notifications"' in poll
    assert 'id="timeline-latest"' not in poll
