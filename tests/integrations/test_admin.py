"""Administrators register endpoints in the admin; the delivery log is read there."""

import pytest
from django.urls import reverse

from integrations import addresses
from integrations.models import EventKind, WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:integrations_webhookendpoint_add")


def _form(**fields):
    return {
        "name": "SIEM",
        "url": "https://siem.example.com/hooks/breachdesk",
        "format": "webhook",
        "secret": "a-long-shared-secret",
        "event_kinds": [EventKind.DEADLINE_MISSED, EventKind.INCIDENT_OPENED],
        "incident": "",
        "active": "on",
        **fields,
    }


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    monkeypatch.setattr(
        addresses,
        "resolve",
        lambda host, port: {"siem.example.com": ["93.184.215.14"]}.get(host, [host]),
    )


def test_an_administrator_registers_an_endpoint(admin_client):
    response = admin_client.post(ADD, _form())

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_kinds == [EventKind.INCIDENT_OPENED, EventKind.DEADLINE_MISSED]
    assert endpoint.is_global


def test_a_private_address_is_refused_when_saved(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    response = admin_client.post(ADD, _form(url="http://169.254.169.254/latest/"))

    assert response.status_code == 200
    assert "points inside the network" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_private_address_is_accepted_when_the_setting_allows_it(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True

    response = admin_client.post(ADD, _form(url="http://10.0.0.5:9000/hook"))

    assert response.status_code == 302


def test_an_endpoint_needs_at_least_one_event(admin_client):
    response = admin_client.post(ADD, _form(event_kinds=[]))

    assert response.status_code == 200
    assert "Choose at least one event to send." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_staff_who_are_not_superusers_cannot_register_endpoints(client):
    staff = UserFactory(is_staff=True, roles=["Commander"])
    client.force_login(staff)

    response = client.post(ADD, _form())

    assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_status_attempts_response_and_next_try(
    admin_client, incident, commander
):
    from incidents import services

    WebhookEndpoint.objects.create(name="SIEM", url="http://127.0.0.1:9/")
    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )
    WebhookDelivery.objects.update(attempts=3, last_status_code=502, last_error="Answered 502")

    response = admin_client.get(reverse("admin:integrations_webhookdelivery_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Answered 502" in page
    assert "502" in page
    assert "Phase changed" in page


def test_the_delivery_log_hides_a_restricted_incident_from_a_superuser_off_its_team(
    admin_client, commander, breached_vendor
):
    from incidents import services
    from tests.factories import IncidentFactory

    incident = IncidentFactory(
        commander=commander, vendors=[breached_vendor], title="Quiet matter", restricted=True
    )
    WebhookEndpoint.objects.create(name="War room", url="http://127.0.0.1:9/", incident=incident)
    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )

    response = admin_client.get(reverse("admin:integrations_webhookdelivery_changelist"))
    endpoints = admin_client.get(reverse("admin:integrations_webhookendpoint_changelist"))

    assert WebhookDelivery.objects.filter(incident=incident).count() == 1
    assert incident.reference not in response.content.decode()
    assert incident.reference in endpoints.content.decode()
    assert "Quiet matter" not in endpoints.content.decode()
