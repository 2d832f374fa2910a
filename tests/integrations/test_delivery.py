"""Deliveries to a real HTTP receiver on loopback: signed, at least once, never redirected."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from integrations import delivery as webhook_delivery
from integrations.delivery import BACKOFF, MAX_ATTEMPTS, webhooks_sweep
from integrations.models import EventKind, WebhookDelivery, WebhookEndpoint
from integrations.signing import (
    EVENT_ID_HEADER,
    EVENT_KIND_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)

pytestmark = pytest.mark.django_db


def _advance(incident, commander, callbacks):
    """Moves the incident to containment and runs what waits for the commit (the delivery)."""
    with callbacks(execute=True):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
        )
    return WebhookDelivery.objects.get(incident=incident, event_kind=EventKind.PHASE_CHANGED)


def _sweep_after(time_machine, wait):
    at = timezone.now() + wait + timedelta(seconds=1)
    time_machine.move_to(at, tick=False)
    return webhooks_sweep(now=at)


def test_the_receiver_verifies_the_signature(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks
):
    row = _advance(incident, commander, django_capture_on_commit_callbacks)

    [request] = receiver.received
    assert verify(
        secret="s3cret-for-tests",
        timestamp=request.headers[TIMESTAMP_HEADER],
        signature_header=request.headers[SIGNATURE_HEADER],
        body=request.body,
        now=timezone.now().timestamp(),
    )
    assert request.headers[EVENT_ID_HEADER] == str(row.event_id)
    assert request.headers[EVENT_KIND_HEADER] == "incident.phase_changed"
    assert request.event["id"] == str(row.event_id)
    assert row.status == WebhookDelivery.Status.DELIVERED


def test_a_signature_under_another_secret_or_an_altered_body_does_not_verify(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks
):
    _advance(incident, commander, django_capture_on_commit_callbacks)
    [request] = receiver.received
    signed = {
        "timestamp": request.headers[TIMESTAMP_HEADER],
        "signature_header": request.headers[SIGNATURE_HEADER],
        "now": timezone.now().timestamp(),
    }

    assert not verify(secret="another", body=request.body, **signed)
    assert not verify(secret="s3cret-for-tests", body=request.body + b" ", **signed)


def test_a_request_older_than_the_replay_window_is_refused_by_the_receiver(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks
):
    _advance(incident, commander, django_capture_on_commit_callbacks)
    [request] = receiver.received

    assert not verify(
        secret="s3cret-for-tests",
        timestamp=request.headers[TIMESTAMP_HEADER],
        signature_header=request.headers[SIGNATURE_HEADER],
        body=request.body,
        now=timezone.now().timestamp() + 5 * 60 + 1,
    )


def test_a_500_then_a_200_delivers_the_event_once(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks, time_machine
):
    receiver.answers = [500]
    row = _advance(incident, commander, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert (row.status, row.last_status_code) == (WebhookDelivery.Status.PENDING, 500)
    assert row.next_attempt_at == timezone.now() + BACKOFF[0]

    _sweep_after(time_machine, BACKOFF[0])
    _sweep_after(time_machine, BACKOFF[1])

    row.refresh_from_db()
    assert receiver.accepted_event_ids() == {str(row.event_id): 1}
    assert len(receiver.received) == 2
    assert (row.status, row.attempts, row.last_error) == (WebhookDelivery.Status.DELIVERED, 2, "")


def test_the_sweep_does_not_publish_a_retry_before_its_back_off(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks, time_machine
):
    receiver.answers = [503]
    _advance(incident, commander, django_capture_on_commit_callbacks)

    _sweep_after(time_machine, BACKOFF[0] - timedelta(seconds=10))

    assert len(receiver.received) == 1


def test_a_redirect_is_not_followed_and_is_a_failure(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]

    row = _advance(incident, commander, django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert len(receiver.received) == 1
    assert row.status == WebhookDelivery.Status.PENDING
    assert row.last_status_code == 302
    assert "redirects are not followed" in row.last_error


def test_after_the_last_attempt_the_delivery_is_failed_and_shows_why(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks, time_machine
):
    receiver.answers = [404] * MAX_ATTEMPTS
    row = _advance(incident, commander, django_capture_on_commit_callbacks)

    for wait in BACKOFF:
        _sweep_after(time_machine, wait)

    row.refresh_from_db()
    assert len(receiver.received) == MAX_ATTEMPTS
    assert (row.status, row.attempts) == (WebhookDelivery.Status.FAILED, MAX_ATTEMPTS)
    assert row.next_attempt_at is None
    assert row.last_error.startswith("Answered 404")


def test_an_administrators_retry_tries_a_failed_delivery_again(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [404]
    row = _advance(incident, commander, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=row.pk).update(status=WebhookDelivery.Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery.webhook_deliveries_retry(delivery_ids=[row.pk])

    row.refresh_from_db()
    assert row.status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.accepted) == 1


def test_a_slow_receiver_times_out_and_the_delivery_waits_for_its_retry(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(webhook_delivery, "READ_TIMEOUT", 0.5)
    receiver.answers = ["hang"]

    row = _advance(incident, commander, django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert row.status == WebhookDelivery.Status.PENDING
    assert row.last_error.startswith("No answer within")
    assert receiver.accepted == []


def test_a_broker_that_lost_the_task_is_made_good_by_the_sweep(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks, time_machine
):
    with django_capture_on_commit_callbacks(execute=False):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
        )
    WebhookDelivery.objects.update(published_at=timezone.now())

    _sweep_after(time_machine, webhook_delivery.LOST_GRACE)

    assert len(receiver.accepted) == 1


def test_a_try_left_half_done_by_a_dead_worker_is_tried_again(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks, time_machine
):
    with django_capture_on_commit_callbacks(execute=False):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
        )
    WebhookDelivery.objects.update(
        status=WebhookDelivery.Status.SENDING, attempts=1, claimed_at=timezone.now()
    )

    _sweep_after(time_machine, webhook_delivery.SENDING_TIMEOUT)

    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts) == (WebhookDelivery.Status.DELIVERED, 2)


def test_a_duplicate_task_finds_nothing_to_send(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks
):
    row = _advance(incident, commander, django_capture_on_commit_callbacks)

    assert webhook_delivery.webhook_deliver(delivery_id=row.pk) == "skipped"
    assert len(receiver.received) == 1


def test_a_private_address_is_refused_at_delivery_without_the_setting(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    row = _advance(incident, commander, django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert receiver.received == []
    assert "points inside the network (127.0.0.1)" in row.last_error


def test_a_name_that_now_resolves_inside_the_network_is_refused_at_delivery(
    incident, commander, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    WebhookEndpoint.objects.create(name="Rebound", url="https://hooks.example.com/in")
    monkeypatch.setattr(
        "integrations.addresses.resolve", lambda host, port: ["93.184.215.14", "10.0.0.7"]
    )

    row = _advance(incident, commander, django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert "10.0.0.7" in row.last_error
    assert row.attempts == 1


def test_a_global_delivery_for_an_incident_restricted_since_is_not_sent(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
        )
    incident.restricted = True
    incident.save(update_fields=["restricted"])

    row = WebhookDelivery.objects.get(event_kind=EventKind.PHASE_CHANGED)
    webhook_delivery.webhook_deliver(delivery_id=row.pk)

    row.refresh_from_db()
    assert receiver.received == []
    assert row.status == WebhookDelivery.Status.FAILED


def test_a_global_endpoint_receives_nothing_for_a_restricted_incident(
    commander, breached_vendor, endpoint, receiver, django_capture_on_commit_callbacks
):
    from tests.factories import IncidentFactory

    with django_capture_on_commit_callbacks(execute=True):
        incident = IncidentFactory(commander=commander, vendors=[breached_vendor], restricted=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
        )

    assert receiver.received == []
    assert not WebhookDelivery.objects.filter(incident=incident).exists()


def test_a_slack_endpoint_gets_a_slack_message(
    incident, commander, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(name="#incidents", url=receiver.url, format="slack")

    _advance(incident, commander, django_capture_on_commit_callbacks)

    [request] = receiver.received
    message = json.loads(request.body)
    assert message["text"].endswith("Phase changed from triage to containment")
    assert message["blocks"][0]["type"] == "section"


def test_the_readmes_verification_example_accepts_a_real_request(
    incident, commander, endpoint, receiver, django_capture_on_commit_callbacks
):
    from tests.manage_child import REPO

    readme = (REPO / "README.md").read_text()
    start = readme.index("import hashlib, hmac, time")
    example = readme[start : readme.index("```", start)]
    namespace: dict = {}
    exec(example, namespace)  # noqa: S102 - our own README's example
    _advance(incident, commander, django_capture_on_commit_callbacks)
    [request] = receiver.received

    assert namespace["verify"]("s3cret-for-tests", request.headers, request.body)
    assert not namespace["verify"]("another secret", request.headers, request.body)
