"""The incident list as CSV: the same filters as the page, only what the reader may see."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import TimelineEntry
from tests.factories import IncidentFactory, VendorFactory

pytestmark = pytest.mark.django_db

CSV_URL = reverse("incidents:list-csv")


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_holds_the_incidents_the_filters_keep(client, commander):
    major = IncidentFactory(commander=commander, severity="sev1", title="Major")
    IncidentFactory(commander=commander, severity="sev4", title="Minor")
    client.force_login(commander)

    rows = _rows(client.get(CSV_URL, {"severity": "sev1"}))

    assert [row["reference"] for row in rows] == [major.reference]
    assert rows[0]["severity"] == major.get_severity_display()


def test_the_csv_follows_the_search(client, commander):
    cobalt = IncidentFactory(commander=commander, vendors=[VendorFactory(name="Cobalt Labs")])
    IncidentFactory(commander=commander, vendors=[VendorFactory(name="Other")])
    client.force_login(commander)

    rows = _rows(client.get(CSV_URL, {"q": "cobalt"}))

    assert [row["reference"] for row in rows] == [cobalt.reference]
    assert rows[0]["vendors"] == "Cobalt Labs"


def test_the_csv_leaves_out_incidents_the_reader_may_not_see(client, commander, legal, incident):
    hidden = IncidentFactory(commander=commander, restricted=True, title="Hidden one")
    client.force_login(legal)

    rows = _rows(client.get(CSV_URL, {"state": "all"}))

    references = [row["reference"] for row in rows]
    assert incident.reference in references
    assert hidden.reference not in references


def test_a_formula_in_a_title_reaches_the_spreadsheet_as_text(client, commander):
    IncidentFactory(commander=commander, title='=HYPERLINK("http://evil.example","x")')
    client.force_login(commander)

    [row] = _rows(client.get(CSV_URL))

    assert row["title"] == '\'=HYPERLINK("http://evil.example","x")'


def test_the_csv_writes_nothing(client, commander, incident):
    client.force_login(commander)
    before = TimelineEntry.objects.count()

    _rows(client.get(CSV_URL))

    assert TimelineEntry.objects.count() == before


def test_bad_filters_show_the_list_with_their_message_instead_of_a_file(client, commander):
    client.force_login(commander)

    response = client.get(CSV_URL, {"aware_after": "9999-01-01"})

    assert response.status_code == 422
    assert "Give a date between" in response.content.decode()


def test_the_lists_download_link_keeps_the_filters_but_not_the_page(client, commander):
    IncidentFactory(commander=commander, severity="sev2")
    client.force_login(commander)

    page = client.get(reverse("incidents:list"), {"severity": "sev2", "page": "1"}).content.decode()

    assert f'href="{CSV_URL}?severity=sev2"' in page


def test_the_csv_costs_the_same_queries_for_3_or_40_incidents(client, commander):
    client.force_login(commander)

    def count():
        with CaptureQueriesContext(connection) as queries:
            _rows(client.get(CSV_URL))
        return len(queries)

    for _ in range(3):
        IncidentFactory(commander=commander, vendors=[VendorFactory()])
    small = count()
    for _ in range(37):
        IncidentFactory(commander=commander, vendors=[VendorFactory()])

    assert count() == small
