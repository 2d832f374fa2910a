"""Incident pages run a bounded number of queries, whatever the amount of data.

Every signed-in request also reads the user's roles and permissions (three
queries, breachdesk/roles.py): part of each bound, the same at any size.
"""

import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services, timeline
from incidents.selectors import held_assets
from tests.conftest import FROZEN_NOW
from tests.factories import (
    DataAssetFactory,
    EngagementFactory,
    IncidentFactory,
    StakeholderFactory,
    UserFactory,
)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BusyIncidentTests(TestCase):
    """Forty held assets, each reviewed, and a thousand timeline entries.

    A Django TestCase so that the data is built once for all the tests here
    (``setUpTestData``), each of which runs in a savepoint rolled back after it.
    """

    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(FROZEN_NOW, tick=False):
            cls.responder = UserFactory(roles=["Responder"])
            cls.legal = UserFactory(roles=["Legal"])
            partners = [StakeholderFactory() for _ in range(5)]
            engagement = EngagementFactory(
                data_assets=[
                    DataAssetFactory(
                        stakeholders=partners, personal_data=True, subject_jurisdictions=["DE"]
                    )
                    for _ in range(40)
                ],
            )
            cls.incident = IncidentFactory(
                vendors=[engagement.vendor],
                team={cls.responder: "responder", cls.legal: "legal"},
            )
            for asset in held_assets(cls.incident):
                services.scope_review_mark(
                    incident=cls.incident, actor=cls.responder, data_asset=asset, status="suspected"
                )
            for n in range(1_000):
                timeline._append(
                    incident=cls.incident, kind="note_added", summary=f"n{n}", actor=cls.responder
                )

    def _url(self, name, **kwargs):
        return reverse(name, kwargs={"reference": self.incident.reference, **kwargs})

    def _assert_at_most(self, bound, queries):
        self.assertLessEqual(
            len(queries), bound, "\n".join(query["sql"] for query in queries.captured_queries)
        )

    def test_the_scope_timeline_and_verify_pages_stay_within_their_query_bound(self):
        self.client.force_login(self.responder)
        for name in ("incidents:scope", "incidents:timeline", "incidents:timeline-verify"):
            with self.subTest(page=name), CaptureQueriesContext(connection) as queries:
                response = self.client.get(self._url(name))

                self.assertEqual(response.status_code, 200)
            self._assert_at_most(12, queries)

    def test_the_deadline_page_stays_within_its_bound(self):
        deadline = self.incident.deadlines.get(rule_id="gdpr-art33")
        self.client.force_login(self.legal)

        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self._url("incidents:deadline", deadline_id=deadline.pk))

        self.assertEqual(response.status_code, 200)
        self._assert_at_most(10, queries)

    def test_the_workspace_stays_within_its_bound_with_many_deadlines_and_reviews(self):
        self.client.force_login(self.responder)

        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.incident.get_absolute_url())

        self.assertGreaterEqual(len(response.context["deadlines"]), 7)
        self._assert_at_most(21, queries)

    def test_the_export_streams_a_long_timeline_in_few_queries(self):
        self.client.force_login(self.responder)

        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(self._url("incidents:timeline-export-json"))
            body = b"".join(response.streaming_content)

        self.assertGreater(body.count(b'"prev_hash"'), 1_000)
        self._assert_at_most(17, queries)
