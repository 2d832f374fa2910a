"""The incident page puts what is next first: the next deadline and the phase's next actions."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_header_names_the_phases_open_required_tasks_as_next_actions(
    client, incident, commander
):
    required = list(incident.tasks.filter(phase=incident.phase, required=True))
    client.force_login(commander)

    response = client.get(incident.get_absolute_url())

    next_actions = response.context["next_actions"]
    assert 0 < len(next_actions) <= 3
    assert all(task.phase == incident.phase and task.is_open for task in next_actions)
    if required:
        assert next_actions[0].required
    header = response.content.decode().split('id="phase"')[0]
    assert f'href="#task-{next_actions[0].pk}"' in header


def test_a_done_task_is_no_longer_a_next_action(client, incident, commander):
    client.force_login(commander)
    first = client.get(incident.get_absolute_url()).context["next_actions"][0]
    incident.tasks.filter(pk=first.pk).update(status="done", resolved_at=timezone.now())

    response = client.get(incident.get_absolute_url())

    assert first.pk not in [task.pk for task in response.context["next_actions"]]


def test_the_deadlines_come_before_the_tasks_in_the_page(client, incident, commander):
    client.force_login(commander)

    page = client.get(incident.get_absolute_url()).content.decode()

    assert page.index('id="deadlines"') < page.index('id="tasks"')
    assert page.index('id="tasks"') < page.index('id="timeline-latest"')
