import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from incidents import services, timeline
from incidents.models import Task, TimelineEntry

pytestmark = pytest.mark.django_db


def _url(incident, name="incidents:detail", **kwargs):
    return reverse(name, kwargs={"reference": incident.reference, **kwargs})


def test_the_workspace_shows_header_stepper_tasks_and_team(client, incident, responder):
    client.force_login(responder)

    response = client.get(_url(incident))

    html = response.content.decode()
    assert response.status_code == 200
    assert incident.reference in html
    assert 'aria-current="step"' in html
    assert "Confirm the report with the vendor&#x27;s security contact" in html
    assert "Riley" in html or responder.display_name in html


def test_user_text_is_escaped_everywhere(client, commander, breached_vendor):
    from tests.factories import IncidentFactory

    incident = IncidentFactory(
        commander=commander,
        vendors=[breached_vendor],
        title="<script>alert('t')</script>",
        summary="<img src=x onerror=alert(1)>",
    )
    services.note_add(incident=incident, actor=commander, text="<b>note</b>")
    client.force_login(commander)

    html = client.get(_url(incident)).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>note</b>" not in html
    assert "&lt;b&gt;note&lt;/b&gt;" in html


def test_the_workspace_runs_a_bounded_number_of_queries(
    client, incident, commander, responder, django_assert_max_num_queries
):
    Task.objects.bulk_create(
        Task(
            incident=incident,
            phase="triage",
            order=100 + n,
            title=f"Extra {n}",
            due_at=timezone.now(),
        )
        for n in range(35)
    )
    with transaction.atomic():
        for n in range(1_000):
            timeline._append(incident=incident, kind="note_added", summary=f"n{n}", actor=responder)
    assert incident.tasks.count() == 50
    assert incident.timeline.count() > 1_000
    client.force_login(responder)

    with django_assert_max_num_queries(21):
        response = client.get(_url(incident))

    assert response.status_code == 200
    assert len(response.context["entries"]) == 20


def test_completing_a_task_with_htmx_returns_its_row(client, incident, responder):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:task-complete", task_id=task.pk), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="task-{task.pk}" class="task task-done">')
    assert "<html" not in html
    assert {"tasks-changed", "timeline-changed"} <= set(json.loads(response["HX-Trigger"]))
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert TimelineEntry.objects.filter(incident=incident, kind="task_completed").count() == 1


def test_completing_a_task_twice_shows_why_with_422(client, incident, responder):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    client.force_login(responder)
    url = _url(incident, "incidents:task-complete", task_id=task.pk)
    client.post(url, headers={"HX-Request": "true"})

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 422
    assert "This task is already done." in response.content.decode()


def test_completing_a_task_without_javascript_returns_to_the_workspace(client, incident, responder):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    client.force_login(responder)

    response = client.post(_url(incident, "incidents:task-complete", task_id=task.pk))

    assert response.status_code == 302
    assert response["Location"] == f"{incident.get_absolute_url()}#task-{task.pk}"


def test_a_viewer_is_refused_work_with_403(client, incident, viewer):
    task = incident.tasks.first()
    client.force_login(viewer)

    response = client.post(_url(incident, "incidents:task-complete", task_id=task.pk))

    assert response.status_code == 403
    task.refresh_from_db()
    assert task.is_open


def test_skipping_a_task_asks_for_a_reason_in_its_row(client, incident, commander):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    client.force_login(commander)
    url = _url(incident, "incidents:task-skip", task_id=task.pk)

    form_row = client.get(url, headers={"HX-Request": "true"})
    refused = client.post(url, {"reason": ""}, headers={"HX-Request": "true"})
    skipped = client.post(url, {"reason": "No logs exist"}, headers={"HX-Request": "true"})

    assert 'name="reason"' in form_row.content.decode()
    assert refused.status_code == 422
    assert skipped.status_code == 200
    task.refresh_from_db()
    assert task.skip_reason == "No logs exist"


def test_the_phase_panel_explains_open_required_tasks(client, incident, commander):
    client.force_login(commander)

    response = client.post(
        _url(incident, "incidents:phase"),
        {"to_phase": "containment"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "are still open" in response.content.decode()


def test_the_commander_moves_on_with_an_override(client, incident, commander):
    client.force_login(commander)

    response = client.post(
        _url(incident, "incidents:phase"),
        {"to_phase": "containment", "override_reason": "Vendor silent"},
        headers={"HX-Request": "true"},
    )

    incident.refresh_from_db()
    assert response.status_code == 200
    assert incident.phase == "containment"


def test_a_note_is_added_from_the_workspace(client, incident, responder):
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:note-add"),
        {"text": "Called the vendor."},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert incident.timeline.order_by("-seq").first().summary == "Called the vendor."


def test_a_one_megabyte_note_is_refused_with_a_clear_message(client, incident, responder):
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:note-add"),
        {"text": "x" * 1_000_000},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "Notes are limited to 20000 characters" in response.content.decode()
    assert not incident.timeline.filter(kind="note_added").exists()


def test_pausing_from_the_workspace(client, incident, responder):
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:pause"), {"reason": "Breach"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert incident.pauses.count() == 1


def test_the_scope_review_page_marks_an_asset(client, incident, responder):
    from vendors.models import DataAsset

    asset = DataAsset.objects.get(name="Clinical samples")
    client.force_login(responder)

    page = client.get(_url(incident, "incidents:scope"))
    row = client.post(
        _url(incident, "incidents:scope-mark", asset_id=asset.pk),
        {"status": "confirmed", "records_affected": "48000"},
        headers={"HX-Request": "true"},
    )
    refused = client.post(
        _url(incident, "incidents:scope-mark", asset_id=asset.pk),
        {"status": "confirmed", "records_affected": "-1"},
        headers={"HX-Request": "true"},
    )

    assert "Clinical samples" in page.content.decode()
    assert row.status_code == 200
    assert "Confirmed exposed" in row.content.decode()
    assert refused.status_code == 422
    assert "cannot be negative" in refused.content.decode()
    assert incident.scope_items.get().records_affected == 48_000


def test_the_timeline_page_lists_every_entry_and_filters_by_kind(client, incident, responder):
    services.note_add(incident=incident, actor=responder, text="A note")
    client.force_login(responder)

    everything = client.get(_url(incident, "incidents:timeline"))
    notes = client.get(_url(incident, "incidents:timeline"), {"kind": "note_added"})

    assert everything.context["page"].paginator.count == 5
    assert [e.summary for e in notes.context["page"]] == ["A note"]


def test_the_verify_page_reports_an_intact_chain(client, incident, viewer):
    client.force_login(viewer)

    response = client.get(_url(incident, "incidents:timeline-verify"))

    assert "The chain is intact: 4 entries re-checked" in response.content.decode()


def test_a_note_dated_earlier_keeps_both_times(client, incident, responder):
    client.force_login(responder)
    earlier = (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")

    client.post(
        _url(incident, "incidents:note-add"), {"text": "Earlier call", "occurred_at": earlier}
    )

    entry = incident.timeline.order_by("-seq").first()
    assert entry.recorded_at - entry.occurred_at > timedelta(hours=2)


def test_timeline_pages_come_as_fragments_to_htmx(client, incident, responder):
    client.force_login(responder)

    response = client.get(_url(incident, "incidents:timeline"), headers={"HX-Request": "true"})

    assert response.content.decode().lstrip().startswith('<div id="results">')
