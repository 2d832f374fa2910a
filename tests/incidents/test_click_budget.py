"""One click on the incident page: one round trip, at most 31 queries, no stale panel.

An action answers with the panel it targeted and, out of band, every panel
its change touched; no panel re-fetches itself after a click, so the click
is one request. (The notifications panel alone polls, while a notice is on
its way to the mail server.)
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services
from incidents.models import Notification, Task
from tests.factories import StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db

# 31: a click that moves a deadline also copies the nearest one to the
# incident (``next_deadline_at``, the list's urgency order).
BUDGET = 31
# Pausing also writes each paused engagement's inventory history row (django-simple-history).
PAUSE_BUDGET = BUDGET + 1
HTMX = {"HX-Request": "true"}


def _url(incident, name, **kwargs):
    return reverse(name, kwargs={"reference": incident.reference, **kwargs})


def _click(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data or {}, headers=HTMX)
    return response, len(queries)


def _out_of_band(response) -> set[str]:
    return set(re.findall(r'id="([a-z-]+)"[^>]*hx-swap-oob="true"', response.content.decode()))


@pytest.fixture
def scoped(incident, responder):
    for name in ("Helix Health", "Orbital Robotics"):
        StakeholderContactFactory(
            stakeholder=Stakeholder.objects.get(name=name), email=f"privacy@{name[:5]}.example"
        )
    for name, status in (("Clinical samples", "confirmed"), ("Teleop logs", "suspected")):
        services.scope_review_mark(
            incident=incident,
            actor=responder,
            data_asset=DataAsset.objects.get(name=name),
            status=status,
        )
    return incident


def test_the_page_re_fetches_no_panel_after_a_click(client, incident, responder):
    client.force_login(responder)

    html = client.get(incident.get_absolute_url()).content.decode()

    assert "from:body" not in html


def test_completing_a_task_is_one_request_within_budget(client, incident, responder):
    task = incident.tasks.filter(phase="triage").first()
    client.force_login(responder)

    response, queries = _click(client, _url(incident, "incidents:task-complete", task_id=task.pk))

    assert response.status_code == 200
    assert queries <= BUDGET
    assert {"phase", "timeline-latest"} <= _out_of_band(response)


def test_adding_a_note_is_one_request_within_budget(client, incident, responder):
    client.force_login(responder)

    response, queries = _click(client, _url(incident, "incidents:note-add"), {"text": "Called."})

    assert response.status_code == 200
    assert queries <= BUDGET
    assert "timeline-latest" in _out_of_band(response)
    assert "Called." in response.content.decode()


def test_moving_the_phase_updates_the_header_in_the_same_answer(client, incident, commander):
    client.force_login(commander)

    response, queries = _click(
        client,
        _url(incident, "incidents:phase"),
        {"to_phase": "containment", "override_reason": "Moving on"},
    )

    html = response.content.decode()
    header = html[html.index('id="incident-header"') :]
    assert response.status_code == 200
    assert queries <= BUDGET
    assert {"incident-header", "tasks", "timeline-latest"} <= _out_of_band(response)
    assert "Phase: Containment" in header


def test_pausing_shows_the_pause_task_done_in_the_same_answer(client, incident, commander):
    pause_task = incident.tasks.get(action=Task.Action.PAUSE_ENGAGEMENTS)
    client.force_login(commander)

    response, queries = _click(client, _url(incident, "incidents:pause"), {"reason": "Breach"})

    html = response.content.decode()
    row = html[html.index(f'id="task-{pause_task.pk}"') :]
    assert response.status_code == 200
    assert queries <= PAUSE_BUDGET
    assert {"tasks", "notifications", "timeline-latest"} <= _out_of_band(response)
    assert row.startswith(f'id="task-{pause_task.pk}" class="task task-done"')


def test_marking_the_scope_of_an_asset_is_within_budget(client, incident, responder):
    asset = DataAsset.objects.get(name="Clinical samples")
    client.force_login(responder)

    response, queries = _click(
        client,
        _url(incident, "incidents:scope-mark", asset_id=asset.pk),
        {"status": "confirmed", "records_affected": "10"},
    )

    assert response.status_code == 200
    assert queries <= BUDGET


def test_drafting_notices_is_within_budget(client, scoped, commander):
    client.force_login(commander)

    response, queries = _click(client, _url(scoped, "incidents:notifications-draft"))

    assert response.status_code == 200
    assert queries <= BUDGET
    assert scoped.notifications.filter(status=Notification.Status.DRAFT).count() == 2


def test_approving_a_notice_is_within_budget(client, scoped, commander, legal):
    drafts, _ = services.notifications_draft_partner_notices(incident=scoped, actor=commander)
    client.force_login(legal)

    response, queries = _click(
        client, _url(scoped, "incidents:notification-approve", notification_id=drafts[0].pk)
    )

    assert response.status_code == 200
    assert queries <= BUDGET


def test_sending_is_within_budget_and_the_panel_follows_the_worker(
    client, scoped, commander, legal, django_capture_on_commit_callbacks
):
    drafts, _ = services.notifications_draft_partner_notices(incident=scoped, actor=commander)
    for draft in drafts:
        services.notification_approve(notification=draft, actor=legal)
    client.force_login(commander)

    with django_capture_on_commit_callbacks() as published:
        response, queries = _click(client, _url(scoped, "incidents:notifications-send"))
    queued = response.content.decode()
    for send in published:
        send()
    later = client.get(
        scoped.get_absolute_url(), {"panel": "notifications"}, headers=HTMX
    ).content.decode()

    assert response.status_code == 200
    assert queries <= BUDGET
    assert 'hx-trigger="every 5s"' in queued
    assert "Sent" in later
    assert 'hx-trigger="every 5s"' not in later
