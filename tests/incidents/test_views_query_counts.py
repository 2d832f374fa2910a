"""Incident pages run a bounded number of queries, whatever the amount of data.

Every signed-in request also reads the user's roles and permissions (three
queries, breachdesk/roles.py): part of each bound, the same at any size.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from incidents import services, timeline
from incidents.selectors import held_assets
from tests.factories import DataAssetFactory, EngagementFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def _url(incident, name, **kwargs):
    return reverse(name, kwargs={"reference": incident.reference, **kwargs})


@pytest.fixture
def busy(incident, responder, breached_vendor):
    """Forty more held assets, each reviewed, and a thousand timeline entries."""
    partners = [StakeholderFactory() for _ in range(5)]
    EngagementFactory(
        vendor=breached_vendor,
        data_assets=[
            DataAssetFactory(
                stakeholders=partners, personal_data=True, subject_jurisdictions=["DE"]
            )
            for _ in range(40)
        ],
    )
    for asset in held_assets(incident):
        services.scope_review_mark(
            incident=incident, actor=responder, data_asset=asset, status="suspected"
        )
    with transaction.atomic():
        for n in range(1_000):
            timeline._append(incident=incident, kind="note_added", summary=f"n{n}", actor=responder)
    return incident


@pytest.mark.parametrize(
    ("name", "bound"),
    [("incidents:scope", 12), ("incidents:timeline", 12), ("incidents:timeline-verify", 12)],
)
def test_incident_pages_stay_within_their_query_bound(
    client, busy, responder, name, bound, django_assert_max_num_queries
):
    client.force_login(responder)

    with django_assert_max_num_queries(bound):
        response = client.get(_url(busy, name))

    assert response.status_code == 200


def test_the_deadline_page_stays_within_its_bound(
    client, busy, legal, django_assert_max_num_queries
):
    deadline = busy.deadlines.get(rule_id="gdpr-art33")
    client.force_login(legal)

    with django_assert_max_num_queries(10):
        response = client.get(_url(busy, "incidents:deadline", deadline_id=deadline.pk))

    assert response.status_code == 200


def test_the_workspace_stays_within_its_bound_with_many_deadlines_and_reviews(
    client, busy, responder, django_assert_max_num_queries
):
    client.force_login(responder)

    with django_assert_max_num_queries(21):
        response = client.get(busy.get_absolute_url())

    assert len(response.context["deadlines"]) >= 7


def test_the_export_streams_a_long_timeline_in_few_queries(
    client, busy, responder, django_assert_max_num_queries
):
    client.force_login(responder)

    with django_assert_max_num_queries(17):
        response = client.post(_url(busy, "incidents:timeline-export-json"))
        body = b"".join(response.streaming_content)

    assert body.count(b'"prev_hash"') > 1_000
