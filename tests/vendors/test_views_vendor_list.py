import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EngagementFactory, UserFactory, VendorFactory
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, responder):
    """Responders read the inventory (breachdesk/roles.py) but neither change nor export it."""
    client.force_login(responder)
    return client


def _names(response):
    return [vendor.name for vendor in response.context["page"].object_list]


def test_a_responder_reads_the_vendor_list(signed_in):
    VendorFactory(name="Parallax")

    response = signed_in.get(reverse("vendors:list"))

    assert response.status_code == 200
    assert "Parallax" in response.content.decode()


def test_readers_are_not_offered_editing(signed_in):
    response = signed_in.get(reverse("vendors:list"))

    assert reverse("vendors:create") not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("vendors:list"))

    assert response.status_code == 302


def test_search_matches_name_or_services(signed_in):
    VendorFactory(name="Parallax", services="RLHF annotation")
    VendorFactory(name="Cobalt", services="Hosting")
    VendorFactory(name="Quill", services="Evaluation")

    response = signed_in.get(reverse("vendors:list"), {"q": "annot"})

    assert _names(response) == ["Parallax"]


def test_filters_by_tier_and_status(signed_in):
    VendorFactory(name="A", tier="critical", status="active")
    VendorFactory(name="B", tier="critical", status="paused")
    VendorFactory(name="C", tier="low", status="active")

    response = signed_in.get(reverse("vendors:list"), {"tier": "critical", "status": "active"})

    assert _names(response) == ["A"]


def test_an_unknown_filter_value_is_reported_not_a_crash(signed_in):
    VendorFactory(name="A")

    response = signed_in.get(reverse("vendors:list"), {"tier": "catastrophic"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_sorting_by_tier_puts_critical_first(signed_in):
    VendorFactory(name="Low one", tier="low")
    VendorFactory(name="Critical one", tier="critical")
    VendorFactory(name="High one", tier="high")

    response = signed_in.get(reverse("vendors:list"), {"sort": "tier"})

    assert _names(response) == ["Critical one", "High one", "Low one"]


def test_sorting_by_name_ignores_case(signed_in):
    VendorFactory(name="beta")
    VendorFactory(name="Alpha")

    response = signed_in.get(reverse("vendors:list"), {"sort": "name"})

    assert _names(response) == ["Alpha", "beta"]


def test_search_as_you_type_returns_only_the_results_fragment(signed_in):
    VendorFactory(name="Parallax")

    response = signed_in.get(reverse("vendors:list"), {"q": "para"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Parallax" in html


def test_the_list_is_paginated(signed_in):
    Vendor.objects.bulk_create(
        Vendor(name=f"Vendor {n:03}", slug=f"vendor-{n:03}") for n in range(120)
    )

    response = signed_in.get(reverse("vendors:list"), {"page": "3"})

    assert _names(response) == [f"Vendor {n:03}" for n in range(100, 120)]


def test_the_list_runs_a_bounded_number_of_queries_with_1000_vendors(
    signed_in, django_assert_max_num_queries
):
    owner = UserFactory()
    Vendor.objects.bulk_create(
        Vendor(name=f"Vendor {n:04}", slug=f"vendor-{n:04}", relationship_owner=owner)
        for n in range(1000)
    )
    for vendor in Vendor.objects.all()[:30]:
        EngagementFactory(vendor=vendor)

    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("vendors:list"), {"sort": "tier"})

    assert response.context["page"].paginator.count == 1000


def test_export_follows_the_filters_and_neutralises_formula_cells(client, legal):
    VendorFactory(name='=HYPERLINK("http://evil.example")', slug="evil", tier="critical")
    VendorFactory(name="Quiet", tier="low")
    client.force_login(legal)

    response = client.get(reverse("vendors:export"), {"tier": "critical"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "name"
    assert rows[1:] == [
        [
            '\'=HYPERLINK("http://evil.example")',
            "Data labelling",
            "critical",
            "active",
            "",
            "24",
            "IE",
            "",
            "",
        ]
    ]


def test_filters_vendors_with_an_IncidentFactory(client, commander):
    from tests.factories import IncidentFactory

    breached = VendorFactory(name="Breached")
    VendorFactory(name="Quiet")
    IncidentFactory(commander=commander, vendors=[breached])
    client.force_login(commander)

    with_incident = client.get(reverse("vendors:list"), {"has_open_incident": "true"})
    without = client.get(reverse("vendors:list"), {"has_open_incident": "false"})

    assert _names(with_incident) == ["Breached"]
    assert _names(without) == ["Quiet"]


def test_an_incident_the_user_cannot_see_leaves_no_trace_on_the_vendor_list(
    client, commander, legal
):
    from tests.factories import IncidentFactory

    breached = VendorFactory(name="Breached")
    IncidentFactory(commander=commander, vendors=[breached], restricted=True)
    client.force_login(legal)

    response = client.get(reverse("vendors:list"), {"has_open_incident": "true"})
    section = client.get(reverse("incidents:vendor-incidents", kwargs={"slug": breached.slug}))

    assert _names(response) == []
    assert "Open incident" not in client.get(reverse("vendors:list")).content.decode()
    assert list(section.context["page"].object_list) == []


def test_each_vendor_shown_checks_its_own_links_for_an_open_incident(client, commander):
    from tests.factories import IncidentFactory

    IncidentFactory(commander=commander, vendors=[VendorFactory(name="Breached")])
    client.force_login(commander)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("vendors:list"))

    listing = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "vendors_vendor"'))
    # Correlated on the vendor: an EXISTS reads that vendor's links only,
    # where "id IN (every vendor of every open incident)" read them all.
    assert '"vendor_id" = ("vendors_vendor"."id")' in listing
