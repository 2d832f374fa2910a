"""``seed_scale``: test data at scale, built in bulk, whose chains verify; never with DEBUG off."""

import pytest
from django.core.management import CommandError, call_command

from breachdesk.models import User
from incidents import services, timeline
from incidents.management.commands.seed_scale import ScaleBuilder
from incidents.models import Deadline, Incident
from incidents.selectors import visible_incidents

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    ScaleBuilder(incidents=30, entries=6, big_entries=40).run()
    return Incident.objects.order_by("reference")


def test_every_chain_verifies(seeded):
    for incident in seeded:
        assert timeline.verify_chain(incident).ok, incident.reference


def test_one_incident_has_the_big_timeline(seeded):
    counts = sorted(incident.timeline.count() for incident in seeded)

    assert counts == [6] * 29 + [40]


def test_the_next_deadline_is_what_the_deadline_services_would_set(seeded):
    for incident in seeded:
        stored = incident.next_deadline_at
        services.incident_next_deadline_refresh(incident)
        assert incident.next_deadline_at == stored


def test_the_scoped_responder_sees_one_incident_in_ten_and_the_big_one(seeded):
    responder = User.objects.get(username="responder")

    assert visible_incidents(user=responder).count() == 4


def test_deadlines_are_pending_with_a_reminder_ahead_for_open_incidents(seeded):
    open_incidents = seeded.exclude(phase=Incident.Phase.CLOSED)
    pending = Deadline.objects.filter(status=Deadline.Status.PENDING)

    assert pending.count() == open_incidents.count() * 14
    assert not pending.filter(next_reminder_at__isnull=True).exists()


def test_a_new_incident_gets_the_next_reference(seeded):
    from tests.factories import IncidentFactory

    incident = IncidentFactory(commander=User.objects.get(username="commander"))

    assert incident.reference.endswith("-0031")


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_scale", "--incidents", "1", "--entries-per-incident", "1")

    assert not Incident.objects.exists()


def test_it_refuses_a_database_that_has_incidents(seeded):
    with pytest.raises(CommandError, match="empty database"):
        ScaleBuilder(incidents=1, entries=1).run()
