import pytest
from django.urls import reverse

from incidents import services
from tests.factories import IncidentFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _references(response):
    return [incident.reference for incident in response.context["page"].object_list]


def test_the_list_searches_title_and_vendor(client, commander):
    parallax = IncidentFactory(
        commander=commander,
        vendors=[VendorFactory(name="Parallax")],
        title="Annotation bucket leak",
    )
    IncidentFactory(
        commander=commander, vendors=[VendorFactory(name="Cobalt")], title="Hosting outage"
    )
    client.force_login(commander)

    by_vendor = client.get(reverse("incidents:list"), {"q": "parall"})
    by_title = client.get(reverse("incidents:list"), {"q": "bucket leak"})

    assert _references(by_vendor) == [parallax.reference]
    assert _references(by_title) == [parallax.reference]


def test_the_list_filters_by_severity_and_shows_closed_only_when_asked(client, commander):
    serious = IncidentFactory(commander=commander, severity="sev1")
    minor = IncidentFactory(commander=commander, severity="sev4")
    for phase in ["containment", "scoping", "notification", "recovery", "closed"]:
        services.incident_advance_phase(
            incident=minor, to_phase=phase, actor=commander, override_reason="x"
        )
    client.force_login(commander)

    sev1 = client.get(reverse("incidents:list"), {"severity": "sev1"})
    open_only = client.get(reverse("incidents:list"))
    closed = client.get(reverse("incidents:list"), {"state": "closed"})

    assert _references(sev1) == [serious.reference]
    assert _references(open_only) == [serious.reference]
    assert _references(closed) == [minor.reference]


def test_the_list_runs_a_bounded_number_of_queries(
    client, commander, django_assert_max_num_queries
):
    for _ in range(20):
        IncidentFactory(commander=commander)
    client.force_login(commander)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("incidents:list"))

    assert response.context["page"].paginator.count == 20
