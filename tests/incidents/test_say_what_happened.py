"""Every action that changes nothing says so, and why: a message, not silence."""

import pytest
from django.urls import reverse

from incidents import services
from incidents.exceptions import NothingChanged
from incidents.models import Task, TimelineEntry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _count(incident) -> int:
    return TimelineEntry.objects.filter(incident=incident).count()


def test_setting_the_same_severity_says_it_is_already_that(incident, commander):
    before = _count(incident)

    with pytest.raises(NothingChanged, match=r"Severity is already SEV2; nothing changed\."):
        services.incident_set_severity(incident=incident, actor=commander, severity="sev2")

    assert _count(incident) == before


def test_the_severity_form_says_nothing_changed_instead_of_updated(client, incident, commander):
    client.force_login(commander)

    response = client.post(
        reverse("incidents:severity", args=[incident.reference]), {"severity": "sev2"}, follow=True
    )

    html = response.content.decode()
    assert "Severity is already SEV2; nothing changed." in html
    assert "Severity updated." not in html


def test_handing_command_to_the_commander_says_so(incident, commander):
    with pytest.raises(NothingChanged, match="already commands this incident"):
        services.incident_set_commander(incident=incident, actor=commander, commander=commander)


def test_giving_a_member_their_own_role_says_so(incident, commander, responder):
    member = incident.members.get(user=responder)

    with pytest.raises(NothingChanged, match="is already Responder on this incident"):
        services.member_set_role(member=member, actor=commander, role="responder")


def test_assigning_a_task_to_its_assignee_again_says_so_in_the_row(
    client, incident, commander, responder
):
    task = incident.tasks.filter(status=Task.Status.OPEN).first()
    services.task_assign(task=task, actor=commander, assignee=responder)
    client.force_login(commander)

    response = client.post(
        reverse("incidents:task-assign", args=[incident.reference, task.pk]),
        {"assignee": responder.pk},
        **HTMX,
    )

    assert response.status_code == 200
    assert "already assigned to" in response.content.decode()


def test_recording_the_same_decisions_again_says_so(incident, commander):
    with pytest.raises(NothingChanged, match="decisions are as already recorded"):
        services.incident_record_decisions(incident=incident, actor=commander, high_risk=None)


def test_pausing_an_already_paused_vendor_says_so_in_the_panel(client, incident, commander):
    services.engagements_pause(incident=incident, actor=commander, reason="Breach")
    client.force_login(commander)

    response = client.post(
        reverse("incidents:pause", args=[incident.reference]), {"reason": "Again"}, **HTMX
    )

    assert response.status_code == 200
    assert "There is no engagement with Parallax Data left to pause" in response.content.decode()


def test_draft_partner_notices_with_nothing_reviewed_says_why_in_the_panel(
    client, incident, commander
):
    client.force_login(commander)

    response = client.post(
        reverse("incidents:notifications-draft", args=[incident.reference]), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="status"' in html
    assert "Nothing to draft: the scope review has not marked any data asset yet" in html


def test_draft_partner_notices_with_no_partner_data_exposed_says_why(
    incident, commander, responder
):
    from vendors.models import DataAsset

    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="not_exposed",
    )

    with pytest.raises(NothingChanged, match="no data asset marked exposed or suspected holds"):
        services.notifications_draft_partner_notices(incident=incident, actor=commander)


def test_moving_to_the_current_phase_says_so_in_the_panel(client, incident, commander):
    client.force_login(commander)

    response = client.post(
        reverse("incidents:phase", args=[incident.reference]), {"to_phase": "triage"}, **HTMX
    )

    assert "already in triage; nothing changed" in response.content.decode()


def test_sending_with_nothing_approved_says_so(incident, commander):
    with pytest.raises(Exception, match=r"There is no approved notice to send\."):
        services.notifications_send_approved(incident=incident, actor=commander)


def test_marking_a_met_deadline_met_again_says_it_is_already_met(incident, commander, responder):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from vendors.models import DataAsset

    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
        records_affected=10,
    )
    deadline = incident.deadlines.filter(due_at__isnull=False).first()
    services.deadline_mark_met(
        deadline=deadline, actor=commander, filed_at=timezone.now(), reference="Filed"
    )

    with pytest.raises(ValidationError, match="This deadline is already met"):
        services.deadline_mark_met(
            deadline=deadline, actor=commander, filed_at=timezone.now(), reference="Filed"
        )
