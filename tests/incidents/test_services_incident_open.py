from datetime import timedelta
from unittest import mock
from uuid import uuid4

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import Incident, IncidentMember, Task, TimelineEntry
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db


def open_incident(*, commander, vendors=None, **overrides):
    """Open an incident through the service, as the commander does in the form."""
    fields = {
        "title": "Vendor breach",
        "source": "press_report",
        "discovered_at": timezone.now() - timedelta(hours=2),
        **overrides,
    }
    return services.incident_open(actor=commander, vendors=vendors or [VendorFactory()], **fields)


def test_opening_allocates_the_first_reference_of_the_year(commander):
    incident = open_incident(commander=commander)

    assert incident.reference == f"INC-{timezone.now().year}-0001"


def test_references_count_up_without_gaps(commander):
    references = [open_incident(commander=commander).reference for _ in range(3)]

    year = timezone.now().year
    assert references == [f"INC-{year}-0001", f"INC-{year}-0002", f"INC-{year}-0003"]


def test_a_failed_opening_does_not_use_up_a_number(commander):
    open_incident(commander=commander)
    with (
        mock.patch("incidents.services.incidents._create_tasks", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        open_incident(commander=commander)

    third = open_incident(commander=commander)

    assert third.reference.endswith("-0002")
    assert Incident.objects.count() == 2


def test_opening_creates_the_playbook_tasks_due_from_awareness(commander):
    discovered_at = timezone.now() - timedelta(hours=3)

    incident = open_incident(commander=commander, discovered_at=discovered_at)

    tasks = incident.tasks.order_by("order")
    assert tasks.count() == 15
    first = tasks.first()
    assert first.phase == Incident.Phase.TRIAGE
    assert first.title.startswith("Confirm the report")
    assert first.due_at == discovered_at + timedelta(hours=2)
    assert set(incident.tasks.values_list("phase", flat=True)) == set(Incident.Phase.values) - {
        "closed"
    }


def test_the_commander_becomes_a_member_and_the_opening_is_on_the_timeline(commander):
    incident = open_incident(commander=commander)

    assert incident.members.get().role == IncidentMember.Role.COMMANDER
    entry = TimelineEntry.objects.get(incident=incident)
    assert (entry.seq, entry.kind, entry.actor_name) == (1, "incident_opened", "commander")
    assert entry.data["vendors"][0]["name"] == incident.vendors.get().name


def test_a_time_in_the_future_is_refused(commander):
    with pytest.raises(ValidationError) as caught:
        open_incident(commander=commander, discovered_at=timezone.now() + timedelta(hours=1))

    assert "in the future" in caught.value.message_dict["discovered_at"][0]
    assert not Incident.objects.exists()


def test_awareness_before_the_breach_is_refused(commander):
    now = timezone.now()

    with pytest.raises(ValidationError) as caught:
        open_incident(
            commander=commander,
            occurred_at=now - timedelta(days=1),
            discovered_at=now - timedelta(days=2),
        )

    assert caught.value.message_dict["discovered_at"] == [
        "We cannot have become aware before the breach occurred."
    ]


def test_an_incident_needs_a_vendor(commander):
    with pytest.raises(ValidationError, match="Choose the vendor"):
        services.incident_open(
            actor=commander,
            title="x",
            vendors=[],
            source="press_report",
            discovered_at=timezone.now(),
        )


def test_only_commanders_and_staff_open_incidents(responder):
    with pytest.raises(PermissionDenied):
        open_incident(commander=responder)

    assert not Incident.objects.exists()


def test_a_double_submitted_form_opens_one_incident(commander):
    token = uuid4()
    vendor = VendorFactory()

    first = open_incident(commander=commander, vendors=[vendor], submission_token=token)
    second = open_incident(commander=commander, vendors=[vendor], submission_token=token)

    assert first.pk == second.pk
    assert Incident.objects.count() == 1
    assert Task.objects.filter(incident=first).count() == 15
