"""The timeline review page: filters in the URL (django-filter), order, backdated entries,
readable wording, the visual timeline, paging, and bad filter input."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from incidents import services, timeline
from incidents.models import TimelineEntry
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db


def _url(incident) -> str:
    return reverse("incidents:timeline", kwargs={"reference": incident.reference})


def _seqs(response) -> list[int]:
    return [entry.seq for entry in response.context["page"].object_list]


def _get(client, incident, **query):
    return client.get(_url(incident), query)


def test_the_kind_filter_shows_only_that_kind(client, incident, responder, viewer):
    note = services.note_add(incident=incident, actor=responder, text="Vendor called.")
    client.force_login(viewer)

    response = _get(client, incident, kind="note_added")

    assert _seqs(response) == [note.seq]


def test_the_actor_filter_shows_only_what_that_person_recorded(client, incident, responder, legal):
    note = services.note_add(incident=incident, actor=responder, text="Vendor called.")
    client.force_login(legal)

    response = _get(client, incident, actor="responder")

    assert _seqs(response) == [note.seq]


def test_an_unknown_actor_is_a_message_not_an_error(client, incident, viewer):
    client.force_login(viewer)

    response = _get(client, incident, actor="nobody")

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_the_text_search_matches_every_word(client, incident, responder, viewer):
    hit = services.note_add(incident=incident, actor=responder, text="Vendor called back at noon.")
    services.note_add(incident=incident, actor=responder, text="Vendor silent.")
    client.force_login(viewer)

    response = _get(client, incident, q="vendor NOON")

    assert _seqs(response) == [hit.seq]


def test_the_privileged_filter_keeps_or_leaves_out_privileged_notes(client, incident, legal):
    advice = services.note_add(incident=incident, actor=legal, text="Advice.", privileged=True)
    client.force_login(legal)

    only = _seqs(_get(client, incident, privileged="yes"))
    without = _seqs(_get(client, incident, privileged="no"))

    assert only == [advice.seq]
    assert advice.seq not in without
    assert len(without) == incident.timeline.count() - 1


def test_the_date_range_is_read_in_the_readers_time_zone(client, incident, responder, viewer):
    # 23:30 UTC on 1 March is already 2 March in Berlin (UTC+1).
    late = services.note_add(
        incident=incident,
        actor=responder,
        text="Late call.",
        occurred_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
    )
    viewer.time_zone = "Europe/Berlin"
    viewer.save(update_fields=["time_zone"])
    client.force_login(viewer)

    first = _seqs(_get(client, incident, occurred_from="2026-03-01", occurred_to="2026-03-01"))
    second = _seqs(_get(client, incident, occurred_from="2026-03-02", occurred_to="2026-03-02"))

    assert late.seq not in first
    assert late.seq in second


@pytest.mark.parametrize("value", ["2026-13-45", "yesterday", "0001-01-01", "9999-12-31"])
def test_a_malformed_or_out_of_range_date_is_named_next_to_its_field(
    client, incident, viewer, value
):
    client.force_login(viewer)

    response = _get(client, incident, occurred_from=value)

    assert response.status_code == 422
    html = response.content.decode()
    assert "errorlist" in html
    assert len(_seqs(response)) == incident.timeline.count()


def test_backdated_entries_are_marked_with_both_times(client, incident, responder, viewer):
    services.note_add(
        incident=incident,
        actor=responder,
        text="Vendor phoned on Friday.",
        occurred_at=FROZEN_NOW - timedelta(days=3),
    )
    client.force_login(viewer)

    html = _get(client, incident, kind="note_added").content.decode()

    assert "Backdated" in html
    assert "recorded" in html


def test_sorting_by_occurred_puts_a_backdated_entry_at_its_moment(
    client, incident, responder, viewer
):
    backdated = services.note_add(
        incident=incident,
        actor=responder,
        text="The breach began.",
        occurred_at=incident.discovered_at - timedelta(days=1),
    )
    client.force_login(viewer)

    by_recorded = _seqs(_get(client, incident))
    by_occurred = _seqs(_get(client, incident, sort="occurred"))
    newest_first = _seqs(_get(client, incident, sort="-recorded"))

    assert by_recorded[-1] == backdated.seq
    assert by_occurred[0] == backdated.seq
    assert newest_first[0] == backdated.seq


def test_filter_state_is_kept_in_the_paging_links(client, incident, responder, viewer, settings):
    for n in range(105):
        services.note_add(incident=incident, actor=responder, text=f"Note {n}")
    client.force_login(viewer)

    response = _get(client, incident, kind="note_added")

    html = response.content.decode()
    assert "?kind=note_added&amp;page=2" in html
    assert response.context["page"].paginator.count == 105


def test_paging_with_htmx_answers_only_the_results(client, incident, responder, viewer):
    for n in range(105):
        services.note_add(incident=incident, actor=responder, text=f"Note {n}")
    client.force_login(viewer)

    response = client.get(_url(incident), {"page": 2}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert '<div id="results">' in html
    assert "<html" not in html
    assert len(_seqs(response)) == incident.timeline.count() - 100


def test_the_page_reads_a_bounded_number_of_queries(
    client, incident, responder, viewer, django_assert_max_num_queries
):
    for n in range(150):
        services.note_add(incident=incident, actor=responder, text=f"Note {n}")
    client.force_login(viewer)

    with django_assert_max_num_queries(20):
        _get(client, incident, page=2)


def test_an_old_entry_is_worded_from_its_data_in_the_readers_zone(client, incident, viewer):
    due = "2026-12-02T03:21:00.000000Z"
    with transaction.atomic():
        timeline._append(
            incident=incident,
            kind=TimelineEntry.Kind.DEADLINE_SET,
            summary=f"New obligation: GDPR Art. 33 to the supervisory authority, due {due}",
            actor=None,
            data={
                "deadline": {
                    "citation": "GDPR Art. 33",
                    "recipient": "the supervisory authority",
                    "due_at": due,
                    "standard": "72 hours",
                }
            },
        )
    viewer.time_zone = "Europe/Berlin"
    viewer.save(update_fields=["time_zone"])
    client.force_login(viewer)

    html = _get(client, incident, kind="deadline_set").content.decode()

    assert due not in html
    assert "Dec. 2, 2026, 4:21 a.m. CET" in html


def test_numbers_in_entries_have_separators(client, incident, responder, viewer):
    from incidents.services import ScopeMark
    from vendors.models import DataAsset

    services.scope_review_mark_many(
        incident=incident,
        actor=responder,
        marks=[ScopeMark(DataAsset.objects.get(name="Clinical samples"), "confirmed", 48_000)],
    )
    client.force_login(viewer)

    html = _get(client, incident, kind="scope_reviewed").content.decode()

    assert "48,000 records affected" in html


def test_the_visual_timeline_is_on_the_page_with_a_text_alternative(client, incident, viewer):
    client.force_login(viewer)

    html = _get(client, incident).content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert 'role="img"' in html
    assert "The same, in words" in html
    assert "We became aware" in html


def test_an_outsider_gets_404(client, incident, outsider):
    client.force_login(outsider)

    assert _get(client, incident).status_code == 404
