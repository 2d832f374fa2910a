"""The incident list's search: full text on PostgreSQL, icontains elsewhere, never privileged text."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from incidents import services
from incidents.models import Incident
from incidents.search import search_query, search_words
from incidents.selectors.lists import URGENCY
from tests.factories import IncidentFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _found(client, text, **params):
    response = client.get(reverse("incidents:list"), {"q": text, "state": "all", **params})
    assert response.status_code == 200
    return [incident.reference for incident in response.context["page"].object_list]


@pytest.fixture
def searchable(commander, legal):
    incident = IncidentFactory(
        commander=commander,
        vendors=[VendorFactory(name="Parallax Data")],
        title="Annotation bucket leak",
        summary="Exposed via a misconfigured storage bucket.",
        team={legal: "legal"},
    )
    IncidentFactory(commander=commander, vendors=[VendorFactory(name="Cobalt")], title="Outage")
    return incident


@pytest.mark.parametrize(
    "text",
    ["parall", "Parallax data", "bucket LEAK", "misconfig", "annotation parallax"],
)
def test_the_search_finds_words_and_word_beginnings_of_title_summary_and_vendor(
    client, commander, searchable, text
):
    client.force_login(commander)

    assert _found(client, text) == [searchable.reference]


def test_the_search_finds_the_reference_and_its_number(client, commander, searchable):
    client.force_login(commander)
    number = searchable.reference.rsplit("-", 1)[1]

    assert _found(client, searchable.reference) == [searchable.reference]
    assert searchable.reference in _found(client, number)


def test_the_search_finds_a_note_that_is_not_privileged(client, commander, searchable):
    services.note_add(incident=searchable, actor=commander, text="Called Quokka Systems support.")
    client.force_login(commander)

    assert _found(client, "quokka") == [searchable.reference]


def test_privileged_note_text_is_never_searchable(client, commander, legal, searchable):
    services.note_add(
        incident=searchable, actor=legal, text="Counsel: wombat exposure likely.", privileged=True
    )

    for reader in (commander, legal):
        client.force_login(reader)
        assert _found(client, "wombat") == []


def test_every_word_must_match(client, commander, searchable):
    client.force_login(commander)

    assert _found(client, "bucket outage") == []


def test_the_search_never_shows_an_incident_the_reader_may_not_see(client, commander):
    hidden = IncidentFactory(
        commander=UserFactory(roles=["Commander"]), restricted=True, title="Zebra leak"
    )
    client.force_login(commander)

    assert hidden.reference not in _found(client, "zebra")


def test_punctuation_in_the_search_box_is_not_query_syntax(client, commander, searchable):
    client.force_login(commander)

    assert _found(client, "bucket & | ! :* ( ') <->") == [searchable.reference]
    assert search_words("a:*b | c") == ["a", "b", "c"]
    assert search_query("!&|") is None


def test_the_search_combines_with_the_vendor_filter(client, commander, searchable):
    client.force_login(commander)

    assert _found(client, "bucket", vendor="cobalt") == []


@pytest.mark.services("postgres")
def test_postgresql_reads_the_search_vector_and_its_index(commander, searchable):
    queryset = Incident.objects.filter(search_vector=search_query("bucket")).order_by()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()

    assert "incident_search_idx" in plan
    assert list(queryset) == [searchable]


def test_a_renamed_vendor_is_found_by_its_new_name(client, commander, searchable):
    from vendors import services as vendor_services

    vendor = searchable.vendors.get()
    vendor_services.vendor_update(vendor=vendor, actor=commander, name="Quasar Labelling")
    client.force_login(commander)

    assert _found(client, "quasar") == [searchable.reference]
    assert _found(client, "parallax") == []


@pytest.mark.services("postgres")
def test_a_search_matching_few_incidents_pages_just_those_in_the_list_order(
    client, commander, monkeypatch
):
    monkeypatch.setattr("incidents.selectors.lists.FEW_MATCHES", 3)
    IncidentFactory(commander=commander, title="Outage")
    matches = [IncidentFactory(commander=commander, title="Keystore leak") for _ in range(3)]
    client.force_login(commander)

    response = client.get(reverse("incidents:list"), {"q": "keystore", "state": "all"})

    shown = response.context["page"].object_list
    assert '"incidents_incident"."id" IN (' in str(shown.query)
    assert "@@" not in str(shown.query)
    expected = Incident.objects.filter(pk__in=[m.pk for m in matches]).order_by(*URGENCY)
    assert [i.reference for i in shown] == [i.reference for i in expected]


@pytest.mark.services("postgres")
def test_a_search_matching_many_incidents_filters_on_the_search_index(
    client, commander, monkeypatch
):
    monkeypatch.setattr("incidents.selectors.lists.FEW_MATCHES", 2)
    for _ in range(3):
        IncidentFactory(commander=commander, title="Keystore leak")
    client.force_login(commander)

    response = client.get(reverse("incidents:list"), {"q": "keystore", "state": "all"})

    shown = response.context["page"].object_list
    assert "@@" in str(shown.query)
    assert len(shown) == 3
