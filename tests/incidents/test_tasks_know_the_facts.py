"""Tasks that know the facts: done when the fact is already there; the commander adds tasks."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import EngagementPause, Task, TimelineEntry
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

SET_SEVERITY = "Set severity"
PAUSE = "Pause engagements with the vendor"


def _task(incident, title) -> Task:
    return incident.tasks.get(title=title)


def _open(commander, vendor, **fields):
    from incidents.email_templates import ensure_email_templates
    from incidents.playbooks import ensure_default_playbook

    ensure_default_playbook()
    ensure_email_templates()
    return services.incident_open(
        actor=commander,
        title="Vendor breach",
        vendors=[vendor],
        source="press_report",
        discovered_at=timezone.now() - timedelta(hours=1),
        **fields,
    )


# --- set severity ---------------------------------------------------------------------------


def test_severity_chosen_at_opening_completes_set_severity(commander, breached_vendor):
    incident = _open(commander, breached_vendor, severity="sev1")

    task = _task(incident, SET_SEVERITY)
    assert task.status == Task.Status.DONE
    assert task.done_note == "SEV1 chosen when the incident was opened."


def test_severity_left_unchosen_keeps_set_severity_open(commander, breached_vendor):
    incident = _open(commander, breached_vendor)

    assert _task(incident, SET_SEVERITY).status == Task.Status.OPEN


def test_opening_through_the_form_completes_set_severity(client, commander, breached_vendor):
    from incidents.playbooks import ensure_default_playbook

    ensure_default_playbook()
    client.force_login(commander)
    client.post(
        reverse("incidents:create"),
        {
            "title": "Vendor breach",
            "vendors": [breached_vendor.pk],
            "severity": "sev2",
            "source": "press_report",
            "discovered_at": (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "submission_token": str(uuid.uuid4()),
        },
    )

    task = Task.objects.get(title=SET_SEVERITY)
    assert task.status == Task.Status.DONE


def test_changing_severity_completes_set_severity(incident, commander):
    services.incident_set_severity(incident=incident, actor=commander, severity="sev1")

    assert _task(incident, SET_SEVERITY).status == Task.Status.DONE


# --- pause engagements ----------------------------------------------------------------------


def test_a_vendor_already_paused_by_another_incident_completes_pause_with_a_link(
    incident, commander, breached_vendor, client
):
    services.engagements_pause(incident=incident, actor=commander, reason="Breach")

    second = _open(commander, breached_vendor)

    task = _task(second, PAUSE)
    assert task.status == Task.Status.DONE
    assert task.done_note == "Already paused when this incident was opened: see Parallax Data"
    assert task.done_link == breached_vendor.get_absolute_url()
    client.force_login(commander)
    html = client.get(second.get_absolute_url()).content.decode()
    assert f'<a href="{breached_vendor.get_absolute_url()}">Already paused' in html


def test_the_second_incident_holds_the_pause_too(incident, commander, breached_vendor):
    services.engagements_pause(incident=incident, actor=commander, reason="Breach")

    second = _open(commander, breached_vendor)

    assert EngagementPause.objects.filter(incident=second, resumed_at__isnull=True).count() == 1
    entry = second.timeline.filter(kind=TimelineEntry.Kind.ENGAGEMENT_PAUSED).get()
    assert incident.reference in entry.summary


def test_an_active_engagement_leaves_pause_engagements_open(commander, breached_vendor):
    incident = _open(commander, breached_vendor)

    assert _task(incident, PAUSE).status == Task.Status.OPEN
    assert not EngagementPause.objects.filter(incident=incident).exists()


def test_pausing_completes_the_task_of_this_incident(incident, commander):
    services.engagements_pause(incident=incident, actor=commander, reason="Breach")

    assert _task(incident, PAUSE).status == Task.Status.DONE


# --- ad-hoc tasks ---------------------------------------------------------------------------


def test_the_commander_adds_a_task_to_the_current_phase(incident, commander):
    due = timezone.now() + timedelta(hours=3)

    task = services.task_add(
        incident=incident, actor=commander, title="  Ask the vendor for logs ", due_at=due
    )

    assert (task.title, task.phase, task.due_at) == ("Ask the vendor for logs", "triage", due)
    others = incident.tasks.filter(phase="triage").exclude(pk=task.pk)
    assert task.order > max(t.order for t in others)
    entry = incident.timeline.order_by("-seq").first()
    assert entry.kind == TimelineEntry.Kind.TASK_ADDED
    assert entry.summary == "Task added to triage: Ask the vendor for logs"


def test_only_the_commander_adds_a_task(incident, responder):
    with pytest.raises(PermissionDenied):
        services.task_add(incident=incident, actor=responder, title="Anything")


def test_an_empty_title_is_refused_in_words(incident, commander):
    with pytest.raises(ValidationError) as caught:
        services.task_add(incident=incident, actor=commander, title="   ")

    assert caught.value.message_dict["title"] == ["Say what has to be done."]


def test_a_task_due_before_awareness_is_refused(incident, commander):
    with pytest.raises(ValidationError) as caught:
        services.task_add(
            incident=incident,
            actor=commander,
            title="Late",
            due_at=incident.discovered_at - timedelta(hours=1),
        )

    assert "before we became aware" in caught.value.message_dict["due_at"][0]


def test_the_add_task_form_sent_twice_adds_one_task(client, incident, commander):
    client.force_login(commander)
    url = reverse("incidents:task-add", args=[incident.reference])
    data = {"title": "Call the vendor's CISO", "submission_token": str(uuid.uuid4())}

    assert client.get(url).status_code == 200
    first = client.post(url, data)
    second = client.post(url, data)

    assert first.status_code == second.status_code == 302
    assert incident.tasks.filter(title="Call the vendor's CISO").count() == 1


def test_the_add_task_page_is_refused_to_a_responder(client, incident, responder):
    client.force_login(responder)

    response = client.get(reverse("incidents:task-add", args=[incident.reference]))

    assert response.status_code == 403


def test_the_incident_page_offers_add_a_task_to_the_commander_only(
    client, incident, commander, responder
):
    link = reverse("incidents:task-add", args=[incident.reference])
    client.force_login(commander)
    assert link in client.get(incident.get_absolute_url()).content.decode()
    client.force_login(responder)
    assert link not in client.get(incident.get_absolute_url()).content.decode()


def test_an_incident_from_the_factory_starts_with_set_severity_open(commander, breached_vendor):
    incident = IncidentFactory(commander=commander, vendors=[breached_vendor])

    assert _task(incident, SET_SEVERITY).status == Task.Status.OPEN
