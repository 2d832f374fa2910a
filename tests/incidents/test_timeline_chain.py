"""The timeline is append-only and hash-chained; breaks are found; writers never fork it."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from incidents import services, timeline
from incidents.models import Incident, TimelineEntry, TimelineIsAppendOnly
from tests.factories import IncidentFactory, VendorFactory


def _bypass_trigger():
    """Simulate someone with database access: switch off the append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; settle them before altering the table.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE incidents_timelineentry DISABLE TRIGGER incidents_timeline_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER incidents_timeline_append_only")


@pytest.mark.django_db
def test_a_fresh_chain_verifies(incident):
    result = timeline.verify_chain(incident)

    assert result.ok
    assert result.entries_checked == incident.timeline.count() == 4


@pytest.mark.django_db
def test_each_entry_links_to_the_one_before(incident):
    entries = list(incident.timeline.order_by("seq"))

    assert entries[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert [e.seq for e in entries] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_an_entry_altered_in_the_database_is_found(incident, responder):
    services.note_add(incident=incident, actor=responder, text="The vendor called at 10:00.")
    services.note_add(incident=incident, actor=responder, text="Later note.")
    _bypass_trigger()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_timelineentry SET summary = %s WHERE incident_id = %s AND seq = 5",
            ["The vendor called at 14:00.", incident.pk],
        )

    result = timeline.verify_chain(incident)

    assert not result.ok
    assert result.broken_seq == 5
    assert result.entries_checked == 4
    assert "altered" in result.problem


@pytest.mark.django_db
def test_a_deleted_entry_is_found(incident, responder):
    services.note_add(incident=incident, actor=responder, text="One")
    services.note_add(incident=incident, actor=responder, text="Two")
    _bypass_trigger()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM incidents_timelineentry WHERE incident_id = %s AND seq = 5", [incident.pk]
        )

    result = timeline.verify_chain(incident)

    assert (result.ok, result.broken_seq) == (False, 5)


@pytest.mark.django_db
def test_the_orm_refuses_to_change_an_entry(incident):
    entry = incident.timeline.first()
    entry.summary = "rewritten"

    with pytest.raises(TimelineIsAppendOnly):
        entry.save()
    with pytest.raises(TimelineIsAppendOnly):
        TimelineEntry.objects.filter(pk=entry.pk).update(summary="rewritten")


@pytest.mark.django_db
def test_the_orm_refuses_to_delete_an_entry(incident):
    with pytest.raises(TimelineIsAppendOnly):
        incident.timeline.first().delete()
    with pytest.raises(TimelineIsAppendOnly):
        TimelineEntry.objects.filter(incident=incident).delete()


@pytest.mark.django_db
def test_the_database_refuses_a_direct_update(incident):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE incidents_timelineentry SET summary = 'x'")

    assert timeline.verify_chain(incident).ok


@pytest.mark.services("postgres")
@pytest.mark.django_db
def test_postgresql_refuses_a_direct_delete(incident):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM incidents_timelineentry")

    assert incident.timeline.count() == 4


@pytest.mark.django_db
def test_an_incident_with_a_timeline_cannot_be_deleted(incident):
    with pytest.raises(Exception, match="protected"):
        incident.delete()


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as exc:  # reported by the test that runs the threads
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_keep_one_valid_chain(incident, responder):
    notes_per_writer = 10

    def write_notes(index):
        for n in range(notes_per_writer):
            services.note_add(incident=incident, actor=responder, text=f"writer {index} note {n}")

    errors = _in_threads(6, write_notes)

    assert errors == []
    seqs = list(incident.timeline.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 4 + 6 * notes_per_writer + 1))
    assert timeline.verify_chain(incident).ok


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_incidents_opened_at_the_same_moment_get_distinct_consecutive_references(commander):
    vendor = VendorFactory()

    errors = _in_threads(8, lambda index: IncidentFactory(commander=commander, vendors=[vendor]))

    assert errors == []
    numbers = sorted(
        int(ref.rsplit("-", 1)[1]) for ref in Incident.objects.values_list("reference", flat=True)
    )
    assert numbers == list(range(1, 9))
