"""``Incident.next_deadline_at``: the nearest deadline still owed, kept current by every service path."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Deadline, Incident, OrganisationProfile
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nis2():
    """An essential NIS2 entity: every incident owes an early warning (24 h), a notification
    (72 h) and a final report (one month) from the moment we become aware."""
    profile = OrganisationProfile.current()
    profile.nis2 = OrganisationProfile.Nis2.ESSENTIAL
    profile.save()


def _due(incident, rule_id):
    return Deadline.objects.get(incident=incident, rule_id=rule_id).due_at


def _next(incident):
    return Incident.objects.get(pk=incident.pk).next_deadline_at


def test_opening_an_incident_sets_its_next_deadline(nis2, commander):
    incident = IncidentFactory(commander=commander)

    assert _next(incident) == _due(incident, "nis2-early-warning")
    assert _next(incident) == incident.discovered_at + timedelta(hours=24)


def test_an_incident_owing_nothing_has_no_next_deadline(commander):
    incident = IncidentFactory(commander=commander)

    assert _next(incident) is None


def test_recomputing_sets_the_deadlines_that_now_apply(commander):
    incident = IncidentFactory(commander=commander)
    profile = OrganisationProfile.current()
    profile.nis2 = OrganisationProfile.Nis2.ESSENTIAL
    profile.save()

    services.deadlines_recompute(incident=incident, actor=commander)

    assert _next(incident) == _due(incident, "nis2-early-warning")


def test_a_decision_that_drops_every_duty_clears_the_next_deadline(nis2, commander):
    incident = IncidentFactory(commander=commander)

    services.incident_record_decisions(
        incident=incident, actor=commander, significant_incident=False
    )

    assert not incident.deadlines.filter(status=Deadline.Status.PENDING).exists()
    assert _next(incident) is None


def test_meeting_the_nearest_deadline_moves_on_to_the_next(nis2, commander):
    incident = IncidentFactory(commander=commander)
    early = incident.deadlines.get(rule_id="nis2-early-warning")

    services.deadline_mark_met(
        deadline=early, actor=commander, filed_at=timezone.now(), reference="CSIRT-1"
    )

    assert _next(incident) == _due(incident, "nis2-notification")


def test_waiving_the_nearest_deadline_moves_on_to_the_next(nis2, commander, legal):
    incident = IncidentFactory(commander=commander, team={legal: "legal"})
    early = incident.deadlines.get(rule_id="nis2-early-warning")

    services.deadline_waive(deadline=early, actor=legal, reason="Not significant after all.")

    assert _next(incident) == _due(incident, "nis2-notification")


def test_a_missed_deadline_stays_the_next_one_until_it_is_settled(nis2, commander):
    incident = IncidentFactory(commander=commander)
    early = incident.deadlines.get(rule_id="nis2-early-warning")

    services.deadlines_sweep(now=early.due_at + timedelta(minutes=1))

    early.refresh_from_db()
    assert early.status == Deadline.Status.MISSED
    assert _next(incident) == early.due_at


def test_meeting_a_missed_deadline_moves_on_to_the_next(nis2, commander):
    incident = IncidentFactory(commander=commander)
    early = incident.deadlines.get(rule_id="nis2-early-warning")
    services.deadlines_sweep(now=early.due_at + timedelta(minutes=1))

    services.deadline_mark_met(
        deadline=early, actor=commander, filed_at=timezone.now(), reference="CSIRT-1"
    )

    assert _next(incident) == _due(incident, "nis2-notification")


def test_closing_with_duties_still_owed_keeps_the_next_deadline(nis2, commander):
    incident = IncidentFactory(commander=commander)
    owed = _next(incident)

    for phase in ["containment", "scoping", "notification", "recovery", "closed"]:
        services.incident_advance_phase(
            incident=incident, to_phase=phase, actor=commander, override_reason="Drill over."
        )

    assert Incident.objects.get(pk=incident.pk).phase == Incident.Phase.CLOSED
    assert owed is not None
    assert _next(incident) == owed


def test_a_sent_partner_notice_moves_the_next_deadline_past_the_partners_clock(
    incident, commander, responder, legal, django_capture_on_commit_callbacks
):
    from tests.factories import StakeholderContactFactory
    from vendors.models import DataAsset, Stakeholder

    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    helix = Stakeholder.objects.get(name="Helix Health")
    assert _next(incident) == _due(incident, f"contract:{helix.pk}")
    StakeholderContactFactory(stakeholder=helix)
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    services.notification_approve(notification=drafts[0], actor=legal)

    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=incident, actor=commander)

    assert _next(incident) == _due(incident, "gdpr-art33")


# --- the earliest open task (the urgency order's third key) -------------------------------


def _next_task(incident):
    return Incident.objects.get(pk=incident.pk).next_task_due_at


def _open_due(incident):
    return sorted(
        incident.tasks.filter(status="open", due_at__isnull=False).values_list("due_at", flat=True)
    )


def test_opening_an_incident_sets_its_earliest_open_task(incident):
    assert _next_task(incident) == _open_due(incident)[0]


def test_completing_the_earliest_tasks_moves_on_to_the_next(incident, commander):
    earliest = _open_due(incident)[0]

    for task in incident.tasks.filter(status="open", due_at=earliest):
        services.task_complete(task=task, actor=commander)

    assert _next_task(incident) == _open_due(incident)[0]
    assert _next_task(incident) > earliest


def test_skipping_the_earliest_task_moves_on_to_the_next(incident, commander):
    first = incident.tasks.filter(status="open").exclude(due_at=None).order_by("due_at").first()

    services.task_skip(task=first, actor=commander, reason="Not relevant here.")

    assert _next_task(incident) == _open_due(incident)[0]


def test_reopening_an_earlier_task_brings_it_back(incident, commander):
    first = incident.tasks.filter(status="open").exclude(due_at=None).order_by("due_at").first()
    services.task_complete(task=first, actor=commander)

    services.task_reopen(task=first, actor=commander)

    assert _next_task(incident) == first.due_at
