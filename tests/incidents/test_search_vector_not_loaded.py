"""The search vector is matched in SQL and never loaded with an incident (issue 14).

On PostgreSQL it holds kilobytes an incident (every note that is not
privileged); reading it with each row of a list page cost a third of the
page's query time. These tests look at the SELECT lists only: a search may
still match against the column in its WHERE clause.
"""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import search
from incidents.models import Incident, Notification, Task

pytestmark = pytest.mark.django_db


def _selected_columns(sql: str) -> str:
    """The part of a SELECT between SELECT and its first FROM."""
    match = re.match(r"\s*SELECT (.*?) FROM ", sql, flags=re.DOTALL)
    return match.group(1) if match else ""


def _selecting_the_vector(queries) -> list[str]:
    return [q["sql"] for q in queries if "search_vector" in _selected_columns(q["sql"])]


@pytest.fixture
def listed(incident, commander):
    search.search_index_rebuild(Incident.objects.filter(pk=incident.pk))
    incident.tasks.update(assignee=commander)
    return incident


@pytest.mark.parametrize(
    "url",
    [
        "/",
        reverse("incidents:list"),
        reverse("incidents:list") + "?state=all&q=bucket",
        reverse("incidents:list-csv"),
    ],
)
def test_list_pages_do_not_load_the_search_vector(client, commander, listed, url):
    client.force_login(commander)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert _selecting_the_vector(queries) == []


def test_the_workspace_does_not_load_the_search_vector(client, commander, listed):
    client.force_login(commander)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(listed.get_absolute_url())

    assert response.status_code == 200
    assert _selecting_the_vector(queries) == []


def test_an_incident_read_through_a_related_row_leaves_the_vector_unloaded(listed):
    task = Task.objects.get(pk=listed.tasks.values_list("pk", flat=True).first())

    with CaptureQueriesContext(connection) as queries:
        task.incident.reference  # noqa: B018 (the read under test)

    assert len(queries) == 1
    assert _selecting_the_vector(queries) == []


def test_saving_an_incident_read_without_its_vector_keeps_the_vector(listed):
    if not search.uses_full_text():
        pytest.skip("the vector is kept on PostgreSQL only (full-text search)")
    before = Incident.objects.values_list("search_vector", flat=True).get(pk=listed.pk)
    incident = Incident.objects.get(pk=listed.pk)

    incident.title = "Renamed"
    incident.save()

    assert before
    assert Incident.objects.values_list("search_vector", flat=True).get(pk=listed.pk) == before


def test_failed_notice_rows_do_not_load_their_incidents_vector(client, commander, listed):
    Notification.objects.create(
        incident=listed,
        kind=Notification.Kind.PARTNER_NOTICE,
        recipient_email="privacy@example.com",
        subject="Notice",
        body_text="Body",
        body_html="<p>Body</p>",
        message_id=f"<{uuid.uuid4()}@breachdesk.test>",
        ack_nonce=uuid.uuid4(),
        status=Notification.Status.FAILED,
        failed_at=timezone.now(),
    )
    client.force_login(commander)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert b"Notice" in response.content
    assert _selecting_the_vector(queries) == []
