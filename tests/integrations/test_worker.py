"""With a real worker and broker: a hanging receiver never holds up the request behind the event."""

import time

import pytest
from django.urls import reverse

from integrations.models import WebhookDelivery, WebhookEndpoint

pytestmark = [
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker_env():
    return {"WEBHOOK_ALLOW_PRIVATE": "1"}


def _wait_for(condition, timeout=30, message="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.2)


def _last_error() -> str:
    return WebhookDelivery.objects.values_list("last_error", flat=True).get()


def test_a_hanging_receiver_times_out_without_holding_up_the_request(
    client, incident, commander, receiver, allow_loopback, celery_worker
):
    WebhookEndpoint.objects.create(
        name="SIEM", url=receiver.url, event_kinds=["incident.phase_changed"]
    )
    receiver.answers = ["hang"]
    client.force_login(commander)

    response = client.post(
        reverse("incidents:phase", args=[incident.reference]),
        {"to_phase": "containment", "override_reason": "Vendor silent"},
        headers={"HX-Request": "true"},
    )
    error_when_the_request_returned = _last_error()

    assert response.status_code == 200
    assert error_when_the_request_returned == ""
    assert receiver.got_request.wait(timeout=30), celery_worker.log()
    _wait_for(lambda: _last_error().startswith("No answer within"), message="the timeout")
    assert not receiver.release.is_set()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts) == (WebhookDelivery.Status.PENDING, 1)
