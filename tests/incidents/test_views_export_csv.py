"""The CSV export: recorded first, streamed, formulas neutralised, privileged words only for Legal."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from incidents import services
from incidents.models import TimelineEntry

pytestmark = pytest.mark.django_db

ADVICE = "Our exposure under the Helix contract is limited; do not admit fault."


def _url(incident, fmt="csv") -> str:
    return reverse(f"incidents:timeline-export-{fmt}", kwargs={"reference": incident.reference})


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_getting_the_csv_export_shows_the_form_and_writes_nothing(client, incident, viewer):
    before = incident.timeline.count()
    client.force_login(viewer)

    response = client.get(_url(incident))

    assert response.status_code == 200
    assert f'action="{_url(incident)}"' in response.content.decode()
    assert incident.timeline.count() == before


def test_posting_the_csv_export_streams_one_row_per_covered_entry(client, incident, viewer):
    covered = incident.timeline.order_by("-seq").first()
    client.force_login(viewer)

    response = client.post(_url(incident))

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _rows(response)
    assert rows[0][:3] == ["seq", "occurred_at_utc", "recorded_at_utc"]
    assert [int(row[0]) for row in rows[1:]] == list(range(1, covered.seq + 1))
    assert rows[-1][-1] == covered.hash
    recorded = incident.timeline.order_by("-seq").first()
    assert (recorded.kind, recorded.data["format"], recorded.data["covers_seq"]) == (
        TimelineEntry.Kind.EXPORT_MADE,
        "csv",
        covered.seq,
    )


def test_a_formula_typed_into_a_note_reaches_the_spreadsheet_as_text(client, incident, responder):
    services.note_add(incident=incident, actor=responder, text="=cmd|' /C calc'!A0")
    client.force_login(responder)

    rows = _rows(client.post(_url(incident)))

    summaries = [row[5] for row in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in summaries
    assert not any(cell.lstrip().startswith(("=", "+", "@")) for row in rows for cell in row)


def test_a_readers_csv_holds_no_privileged_text(client, incident, legal, viewer):
    services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)
    client.force_login(viewer)

    response = client.post(_url(incident), {"include_privileged": "on"})

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert ADVICE not in body
    assert "privileged_text" not in body
    assert "Privileged-Confidential" not in response["Content-Disposition"]


def test_legals_csv_with_privileged_texts_is_marked_on_every_row(client, incident, legal):
    note = services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)
    client.force_login(legal)

    response = client.post(_url(incident), {"include_privileged": "on"})

    rows = _rows(response)
    assert rows[0][-3:] == ["privileged_text", "privileged_nonce", "classification"]
    assert all(row[-1] == "Privileged & Confidential" for row in rows[1:])
    by_seq = {int(row[0]): row for row in rows[1:]}
    assert by_seq[note.seq][-3] == ADVICE
    assert "Privileged-Confidential" in response["Content-Disposition"]


def test_an_outsider_cannot_export_the_csv(client, incident, outsider):
    before = incident.timeline.count()
    client.force_login(outsider)

    assert client.post(_url(incident)).status_code == 404
    assert incident.timeline.count() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_streams_outside_any_transaction_so_writers_are_not_held(
    client, incident, responder, fmt
):
    client.force_login(responder)
    response = client.post(_url(incident, fmt))
    chunks = iter(response.streaming_content)

    next(chunks)
    in_transaction = connection.in_atomic_block
    # The export's own transaction (and the incident's lock) ended before the
    # first byte: another writer appends while the file is still streaming.
    services.note_add(incident=incident, actor=responder, text="Written mid-export.")
    rest = b"".join(chunks).decode("utf-8-sig")

    assert not in_transaction
    assert "Written mid-export." not in rest
