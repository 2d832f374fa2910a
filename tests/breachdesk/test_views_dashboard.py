from datetime import timedelta

import pytest
from django.urls import reverse

from incidents import services
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_active_incidents_the_user_may_see(client, incident, commander, legal):
    hidden = IncidentFactory(commander=commander, title="Hidden", restricted=True)
    client.force_login(legal)

    response = client.get(reverse("home"))

    references = [i.reference for i in response.context["incidents"]]
    assert references == [incident.reference]
    assert hidden.reference not in response.content.decode()


def test_the_dashboard_shows_my_open_tasks(client, incident, commander, responder):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    services.task_assign(task=task, actor=commander, assignee=responder)
    client.force_login(responder)

    response = client.get(reverse("home"))

    assert [t.pk for t in response.context["my_tasks"]] == [task.pk]
    assert "Preserve evidence" in response.content.decode()


def test_the_dashboard_counts_overdue_tasks(client, incident, commander):
    from django.utils import timezone

    incident.tasks.filter(phase="triage").update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(commander)

    response = client.get(reverse("home"))

    assert response.context["incidents"][0].overdue_tasks == 4
    assert "4 overdue" in response.content.decode()


def test_the_dashboard_counts_down_to_each_incidents_next_deadline(client, incident, commander):
    from incidents.models import Deadline

    deadline = incident.deadlines.create(
        rule_id="contract:Helix Health",
        regime="Contract",
        recipient="Helix Health",
        citation="Contract with Helix Health",
        confidence="A",
        standard="48 hours",
        trigger="aware_at",
        starts_at=incident.discovered_at,
        due_at=incident.discovered_at + timedelta(hours=48),
        status=Deadline.Status.PENDING,
    )
    services.incident_next_deadline_refresh(incident)
    client.force_login(commander)

    response = client.get(reverse("home"))

    row = response.context["incidents"][0]
    assert row.next_deadline_at == deadline.due_at
    assert row.next_deadline_citation == "Contract with Helix Health"
    assert "left" in response.content.decode()


def test_the_dashboard_runs_a_bounded_number_of_queries(
    client, commander, breached_vendor, django_assert_max_num_queries
):
    for _ in range(12):
        IncidentFactory(commander=commander, vendors=[breached_vendor])
    client.force_login(commander)

    # The page: session and roles, incidents and their vendors, my tasks, one
    # query for each panel (deadlines, failed and unacknowledged notices), and
    # two for the vendors (their counts, then the vendors shown).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("home"))

    assert len(response.context["incidents"]) == 12
