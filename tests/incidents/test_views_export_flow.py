"""The timeline export: GET shows the form and writes nothing; POST records, then streams.

DESIGN.md, Exports: the "export made" entry names the seq and hash it covers,
is committed first, and the file holds exactly the entries up to that seq.
"""

import json

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import TimelineEntry

pytestmark = pytest.mark.django_db


def _url(incident) -> str:
    return reverse("incidents:timeline-export-json", kwargs={"reference": incident.reference})


def _document(response) -> dict:
    return json.loads(b"".join(response.streaming_content))


def _last(incident) -> TimelineEntry:
    return incident.timeline.order_by("-seq").first()


def test_getting_the_export_shows_the_form(client, incident, viewer):
    client.force_login(viewer)

    response = client.get(_url(incident))

    assert response.status_code == 200
    assert "incidents/export.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'method="post"' in html
    assert f'action="{_url(incident)}"' in html


def test_getting_the_export_writes_nothing(client, incident, viewer):
    before = incident.timeline.count()
    client.force_login(viewer)

    client.get(_url(incident))

    assert incident.timeline.count() == before
    assert not incident.timeline.filter(kind=TimelineEntry.Kind.EXPORT_MADE).exists()


def test_a_head_request_for_the_export_writes_nothing(client, incident, viewer):
    before = incident.timeline.count()
    client.force_login(viewer)

    client.head(_url(incident))

    assert incident.timeline.count() == before


def test_posting_the_export_records_the_seq_and_hash_it_covers(client, incident, viewer):
    covered = _last(incident)
    client.force_login(viewer)

    response = client.post(_url(incident))

    assert response.status_code == 200
    recorded = _last(incident)
    assert recorded.kind == TimelineEntry.Kind.EXPORT_MADE
    assert recorded.seq == covered.seq + 1
    assert (recorded.data["covers_seq"], recorded.data["covers_hash"]) == (
        covered.seq,
        covered.hash,
    )


def test_the_posted_export_streams_the_entries_up_to_the_seq_it_covers(client, incident, viewer):
    client.force_login(viewer)

    document = _document(client.post(_url(incident)))

    recorded = incident.timeline.get(seq=document["export_entry_seq"])
    seqs = [entry["body"]["seq"] for entry in document["entries"]]
    assert seqs == list(range(1, recorded.data["covers_seq"] + 1))
    assert document["entries"][-1]["hash"] == recorded.data["covers_hash"]


def test_an_entry_written_while_the_export_streams_is_not_in_it(
    client, incident, viewer, responder
):
    client.force_login(viewer)
    response = client.post(_url(incident))

    services.note_add(incident=incident, actor=responder, text="Written during the download.")
    document = _document(response)

    recorded = incident.timeline.get(seq=document["export_entry_seq"])
    assert document["entries"][-1]["body"]["seq"] == recorded.data["covers_seq"]
    assert all(e["body"]["summary"] != "Written during the download." for e in document["entries"])
