from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident

pytestmark = pytest.mark.django_db


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form(vendor, **overrides):
    now = timezone.now()
    return {
        "title": "Parallax breach",
        "vendors": [vendor.pk],
        "severity": "sev2",
        "source": "press_report",
        "discovered_at": _local(now - timedelta(hours=1)),
        "occurred_at": _local(now - timedelta(days=3)),
        "submission_token": "7c1f6f1e-3c5a-4a5e-9a55-0c1d2b3a4f5e",
        **overrides,
    }


def test_a_commander_opens_an_incident_and_lands_on_it(client, commander, breached_vendor):
    client.force_login(commander)

    response = client.post(reverse("incidents:create"), _form(breached_vendor))

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == incident.get_absolute_url()
    assert incident.commander == commander


def test_times_are_read_in_the_users_time_zone(client, commander, breached_vendor):
    commander.time_zone = "Asia/Tokyo"
    commander.save()
    client.force_login(commander)

    client.post(
        reverse("incidents:create"),
        _form(breached_vendor, discovered_at="2026-01-10T09:00", occurred_at=""),
    )

    discovered = Incident.objects.get().discovered_at
    assert discovered.astimezone(timezone.UTC).strftime("%Y-%m-%d %H:%M") == "2026-01-10 00:00"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"discovered_at": "2099-01-01T00:00"}, "discovered_at", "in the future"),
        ({"occurred_at": "2099-01-01T00:00"}, "occurred_at", "in the future"),
        (
            {"occurred_at": "2026-01-10T00:00", "discovered_at": "2026-01-09T00:00"},
            "discovered_at",
            "cannot have become aware before the breach occurred",
        ),
        ({"vendors": ["999999"]}, "vendors", "not in the inventory"),
        ({"vendors": []}, "vendors", "Choose the vendor"),
        ({"discovered_at": "yesterday"}, "discovered_at", "Enter a date and time"),
        ({"title": ""}, "title", "This field is required"),
        ({"severity": "sev0"}, "severity", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_next_to_the_field(
    client, commander, breached_vendor, overrides, field, message
):
    client.force_login(commander)

    response = client.post(reverse("incidents:create"), _form(breached_vendor, **overrides))

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not Incident.objects.exists()


def test_a_double_submitted_form_opens_one_incident(client, commander, breached_vendor):
    client.force_login(commander)

    first = client.post(reverse("incidents:create"), _form(breached_vendor))
    second = client.post(reverse("incidents:create"), _form(breached_vendor))

    assert Incident.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize("persona", ["responder", "viewer", "legal"])
def test_only_commanders_open_incidents(client, request, persona, breached_vendor):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("incidents:create")).status_code == 403
    assert client.post(reverse("incidents:create"), _form(breached_vendor)).status_code == 403
    assert not Incident.objects.exists()
