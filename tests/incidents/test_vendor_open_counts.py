"""The open incidents per vendor that PostgreSQL keeps for the dashboard (``VendorOpenCount``).

Every change of an incident's vendors, phase or restriction, however it is
made, leaves the kept counts equal to counting the links live.
"""

import importlib
import threading

import psycopg
import pytest
from django.db import connection
from django.db.models import Count

from incidents.models import Incident, VendorOpenCount
from incidents.selectors.lists import vendors_with_open_incidents
from tests.conftest import _database_url_of_test_database
from tests.factories import IncidentFactory, UserFactory, VendorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.services("postgres")]

CLOSED = Incident.Phase.CLOSED


def kept() -> dict[int, int]:
    rows = VendorOpenCount.objects.exclude(open_unrestricted=0)
    return dict(rows.values_list("vendor_id", "open_unrestricted"))


def counted_live() -> dict[int, int]:
    links = Incident.vendors.through.objects.filter(incident__restricted=False).exclude(
        incident__phase=CLOSED
    )
    return dict(
        links.order_by().values("vendor").annotate(n=Count("pk")).values_list("vendor", "n")
    )


def test_opening_an_incident_counts_each_of_its_vendors(commander):
    first, second = VendorFactory(), VendorFactory()

    IncidentFactory(commander=commander, vendors=[first, second])
    IncidentFactory(commander=commander, vendors=[first])

    assert kept() == {first.pk: 2, second.pk: 1} == counted_live()


def test_a_restricted_incident_is_not_counted(commander):
    vendor = VendorFactory()

    IncidentFactory(commander=commander, vendors=[vendor], restricted=True)

    assert kept() == {} == counted_live()


@pytest.mark.parametrize("how", ["save", "update"])
def test_closing_an_incident_takes_its_vendors_off_and_reopening_puts_them_back(commander, how):
    vendor = VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[vendor])

    def set_phase(phase):
        if how == "save":
            incident.phase = phase
            incident.save(update_fields=["phase"])
        else:
            Incident.objects.filter(pk=incident.pk).update(phase=phase)

    set_phase(CLOSED)
    closed = kept()
    set_phase(Incident.Phase.RECOVERY)

    assert closed == {}
    assert kept() == {vendor.pk: 1} == counted_live()


def test_moving_between_open_phases_changes_no_count(commander):
    vendor = VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[vendor])

    Incident.objects.filter(pk=incident.pk).update(phase=Incident.Phase.NOTIFICATION)

    assert kept() == {vendor.pk: 1}


def test_restricting_an_open_incident_takes_it_off_and_lifting_it_puts_it_back(commander):
    vendor = VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[vendor])

    Incident.objects.filter(pk=incident.pk).update(restricted=True)
    restricted = kept()
    Incident.objects.filter(pk=incident.pk).update(restricted=False)

    assert restricted == {}
    assert kept() == {vendor.pk: 1} == counted_live()


def test_lifting_the_restriction_of_a_closed_incident_counts_nothing(commander):
    vendor = VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[vendor], restricted=True)
    Incident.objects.filter(pk=incident.pk).update(phase=CLOSED)

    Incident.objects.filter(pk=incident.pk).update(restricted=False)

    assert kept() == {} == counted_live()


def test_a_vendor_added_or_removed_later_is_counted_or_taken_off(commander):
    first, second = VendorFactory(), VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[first])

    incident.vendors.add(second)
    incident.vendors.remove(first)

    assert kept() == {second.pk: 1} == counted_live()


def test_a_link_moved_to_another_vendor_moves_the_count(commander):
    first, second = VendorFactory(), VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[first])

    Incident.vendors.through.objects.filter(incident=incident).update(vendor=second)

    assert kept() == {second.pk: 1} == counted_live()


def test_links_of_a_closed_incident_change_no_count(commander):
    first, second = VendorFactory(), VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[first])
    Incident.objects.filter(pk=incident.pk).update(phase=CLOSED)

    incident.vendors.add(second)
    incident.vendors.remove(first)

    assert kept() == {} == counted_live()


def test_the_migration_counts_existing_incidents_as_the_triggers_would(commander):
    first, second = VendorFactory(), VendorFactory()
    IncidentFactory(commander=commander, vendors=[first, second])
    IncidentFactory(commander=commander, vendors=[second], restricted=True)
    closed = IncidentFactory(commander=commander, vendors=[first])
    Incident.objects.filter(pk=closed.pk).update(phase=CLOSED)
    before = kept()
    migration = importlib.import_module("incidents.migrations.0019_vendor_open_counts")
    VendorOpenCount.objects.all().delete()

    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)

    assert kept() == before == {first.pk: 1, second.pk: 1}


def test_the_panel_adds_the_restricted_incidents_the_reader_is_on(commander):
    vendor = VendorFactory()
    other_commander = UserFactory(roles=["Commander"])
    IncidentFactory(commander=commander, vendors=[vendor])
    IncidentFactory(commander=commander, vendors=[vendor], restricted=True)

    on_team = vendors_with_open_incidents(user=commander)
    not_on_team = vendors_with_open_incidents(user=other_commander)

    assert [(v.pk, v.open_incidents) for v in on_team] == [(vendor.pk, 2)]
    assert [(v.pk, v.open_incidents) for v in not_on_team] == [(vendor.pk, 1)]


def test_a_reader_of_their_own_incidents_only_counts_those(commander, responder):
    vendor = VendorFactory()
    IncidentFactory(commander=commander, vendors=[vendor], team={responder: "responder"})
    IncidentFactory(commander=commander, vendors=[vendor])

    shown = vendors_with_open_incidents(user=responder)

    assert [(v.pk, v.open_incidents) for v in shown] == [(vendor.pk, 1)]


def test_emptying_the_links_empties_the_counts(commander):
    IncidentFactory(commander=commander, vendors=[VendorFactory()])

    with connection.cursor() as cursor:
        # The foreign keys' checks, deferred to the commit, would forbid TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE incidents_incident_vendors")

    assert kept() == {} == counted_live()


# Two transactions at once, each on a connection of its own: one changes the
# incident's phase, the other adds a vendor to it; whichever commits second
# must count the link (the triggers lock the incident to make it so).
PHASE_CHANGES = {"reopened": (CLOSED, "recovery"), "closed": ("recovery", CLOSED)}


def _in_own_transaction(step) -> None:
    with psycopg.connect(_database_url_of_test_database(), autocommit=True) as other:
        step(other)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", PHASE_CHANGES)
@pytest.mark.parametrize("first", ["the phase change", "the vendor's link"])
def test_a_vendor_added_while_the_phase_changes_is_counted_once(commander, change, first):
    before, after = PHASE_CHANGES[change]
    vendor, added = VendorFactory(), VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[vendor])
    Incident.objects.filter(pk=incident.pk).update(phase=before)
    steps = {
        "the phase change": lambda db: db.execute(
            "UPDATE incidents_incident SET phase = %s WHERE id = %s", [after, incident.pk]
        ),
        "the vendor's link": lambda db: db.execute(
            "INSERT INTO incidents_incident_vendors (incident_id, vendor_id) VALUES (%s, %s)",
            [incident.pk, added.pk],
        ),
    }
    second = next(name for name in steps if name != first)

    with psycopg.connect(_database_url_of_test_database()) as holding:
        steps[first](holding)
        waiting = threading.Thread(target=_in_own_transaction, args=(steps[second],))
        waiting.start()
        waiting.join(timeout=1)
        waited = waiting.is_alive()
        holding.commit()
    waiting.join(timeout=10)

    assert waited, f"{second} went ahead before {first} committed"
    assert kept() == counted_live()
