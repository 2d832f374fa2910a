"""Deadlines on an incident: computed from its facts, kept in step, met, waived, reminded."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from incidents import services, timeline
from incidents.models import (
    Deadline,
    DeadlineReminder,
    Incident,
    Notification,
    OrganisationProfile,
    TaskReminder,
)
from tests.factories import IncidentFactory
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db


def HELIX_CONTRACT() -> str:
    """Helix's contract clock: contract rules are named by the stakeholder's id."""
    from vendors.models import Stakeholder

    return f"contract:{Stakeholder.objects.get(name='Helix Health').pk}"


def _deadline(incident, rule_id):
    return Deadline.objects.get(incident=incident, rule_id=rule_id)


def _mark(incident, actor, asset="Clinical samples", status="confirmed", records=None):
    services.scope_review_mark(
        incident=incident,
        actor=actor,
        data_asset=DataAsset.objects.get(name=asset),
        status=status,
        records_affected=records,
    )


@pytest.fixture
def exposed(incident, responder):
    """EU health data of Helix (48 h contract) confirmed exposed."""
    _mark(incident, responder)
    return incident


# --- computing from the incident's facts ------------------------------------------------


def test_the_scope_review_starts_the_gdpr_and_contract_clocks(exposed):
    gdpr = _deadline(exposed, "gdpr-art33")
    helix = _deadline(exposed, HELIX_CONTRACT())

    assert gdpr.due_at == exposed.discovered_at + timedelta(hours=72)
    assert helix.due_at == exposed.discovered_at + timedelta(hours=48)
    assert gdpr.citation == "GDPR Art. 33(1)"
    assert gdpr.status == Deadline.Status.PENDING


def test_a_new_obligation_is_a_timeline_entry(exposed):
    entries = exposed.timeline.filter(kind="deadline_set")

    assert {e.data["deadline"]["rule"] for e in entries} >= {"gdpr-art33", HELIX_CONTRACT()}


def test_facts_use_the_organisation_profile(incident, responder):
    profile = OrganisationProfile.current()
    profile.sec_registrant = True
    profile.save()

    _mark(incident, responder)

    sec = _deadline(incident, "sec-8k-1.05")
    assert sec.due_at is None
    assert "waiting for the materiality determination" in sec.flags


def test_a_materiality_decision_starts_the_sec_clock_and_is_recorded(incident, commander):
    profile = OrganisationProfile.current()
    profile.sec_registrant = True
    profile.save()
    services.deadlines_recompute(incident=incident, actor=commander)
    decided = timezone.now() - timedelta(minutes=30)

    services.incident_record_decisions(
        incident=incident, actor=commander, materiality_determined_at=decided
    )

    sec = _deadline(incident, "sec-8k-1.05")
    assert sec.due_at is not None
    assert sec.calendar["holidays_version"]
    kinds = list(incident.timeline.order_by("-seq").values_list("kind", flat=True)[:2])
    assert kinds == ["deadline_moved", "decisions_recorded"]


def test_a_decision_before_awareness_is_refused(incident, commander):
    with pytest.raises(ValidationError) as caught:
        services.incident_record_decisions(
            incident=incident,
            actor=commander,
            materiality_determined_at=incident.discovered_at - timedelta(days=1),
        )

    assert "before we became aware" in caught.value.message_dict["materiality_determined_at"][0]


def test_a_responder_cannot_record_decisions(incident, responder):
    with pytest.raises(PermissionDenied):
        services.incident_record_decisions(incident=incident, actor=responder, high_risk=True)


def test_an_obligation_that_no_longer_applies_is_dropped_on_the_timeline(exposed, responder):
    _mark(exposed, responder, status="not_exposed")

    assert not Deadline.objects.filter(incident=exposed, rule_id="gdpr-art33").exists()
    assert exposed.timeline.filter(kind="deadline_dropped").exists()


def test_high_risk_decided_no_removes_the_data_subject_duty(exposed, legal):
    assert _deadline(exposed, "gdpr-art34").due_at is None

    services.incident_record_decisions(incident=exposed, actor=legal, high_risk=False)

    assert not Deadline.objects.filter(incident=exposed, rule_id="gdpr-art34").exists()


# --- met and waived -------------------------------------------------------------------------


def test_a_manual_filing_meets_the_deadline_with_its_reference(exposed, legal):
    gdpr = _deadline(exposed, "gdpr-art33")
    filed = timezone.now() - timedelta(minutes=5)

    services.deadline_mark_met(deadline=gdpr, actor=legal, filed_at=filed, reference="DPC case 42")

    gdpr.refresh_from_db()
    assert (gdpr.status, gdpr.met_at, gdpr.met_reference) == (
        Deadline.Status.MET,
        filed,
        "DPC case 42",
    )
    assert exposed.timeline.filter(kind="deadline_met").exists()


def test_met_before_the_clock_started_is_refused(exposed, legal):
    gdpr = _deadline(exposed, "gdpr-art33")

    with pytest.raises(ValidationError) as caught:
        services.deadline_mark_met(
            deadline=gdpr,
            actor=legal,
            filed_at=exposed.discovered_at - timedelta(hours=1),
            reference="x",
        )

    assert "cannot have been met before then" in caught.value.message_dict["filed_at"][0]


def test_met_needs_a_reference(exposed, legal):
    with pytest.raises(ValidationError, match="reference"):
        services.deadline_mark_met(
            deadline=_deadline(exposed, "gdpr-art33"),
            actor=legal,
            filed_at=timezone.now(),
            reference=" ",
        )


def test_legal_decides_a_duty_is_not_required_with_a_rationale(exposed, legal):
    duty = _deadline(exposed, "gdpr-art34")

    services.deadline_waive(
        deadline=duty, actor=legal, reason="Data encrypted at rest; key not exposed."
    )

    duty.refresh_from_db()
    assert duty.status == Deadline.Status.WAIVED
    assert duty.decided_by == legal
    entry = exposed.timeline.get(kind="deadline_waived")
    assert entry.data["rationale"] == "Data encrypted at rest; key not exposed."


def test_waiving_without_a_reason_is_refused(exposed, legal):
    with pytest.raises(ValidationError, match="rationale"):
        services.deadline_waive(deadline=_deadline(exposed, "gdpr-art34"), actor=legal, reason="")


def test_only_legal_waives(exposed, commander):
    with pytest.raises(PermissionDenied):
        services.deadline_waive(
            deadline=_deadline(exposed, "gdpr-art34"), actor=commander, reason="x"
        )


def test_a_sent_partner_notice_meets_the_partners_contract_clock(
    exposed, commander, legal, django_capture_on_commit_callbacks
):
    from incidents.models import Notification
    from tests.factories import StakeholderContactFactory
    from vendors.models import Stakeholder

    StakeholderContactFactory(stakeholder=Stakeholder.objects.get(name="Helix Health"))
    drafts, _ = services.notifications_draft_partner_notices(incident=exposed, actor=commander)
    services.notification_approve(notification=drafts[0], actor=legal)
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=exposed, actor=commander)

    helix = _deadline(exposed, HELIX_CONTRACT())
    assert helix.status == Deadline.Status.MET
    assert helix.met_by_notification == Notification.objects.get(pk=drafts[0].pk)


def test_the_vendor_sla_is_settled_from_the_facts(commander, breached_vendor):
    now = timezone.now()
    incident = IncidentFactory(
        commander=commander,
        vendors=[breached_vendor],
        vendor_aware_at=now - timedelta(hours=40),
        discovered_at=now - timedelta(hours=2),
    )

    assert _deadline(incident, "vendor-sla").status == Deadline.Status.MISSED


# --- reminders ----------------------------------------------------------------------------


def _numbered_duties_only(incident):
    """Legal decides the risk is not high: GDPR Art. 34 (no fixed time, reminded by the
    internal target) drops, so that the reminders counted are the numbered duties'."""
    services.incident_record_decisions(incident=incident, actor=incident.commander, high_risk=False)


@pytest.fixture
def helix_clock(exposed):
    _numbered_duties_only(exposed)
    return _deadline(exposed, HELIX_CONTRACT())


def _sweep(at):
    services.deadlines_sweep(now=at)


def _reminders(deadline):
    return set(DeadlineReminder.objects.filter(deadline=deadline).values_list("offset", flat=True))


def test_each_offset_is_sent_once_however_often_the_sweep_runs(
    helix_clock, commander, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _sweep(helix_clock.due_at - timedelta(hours=23))
        for _ in range(3):
            _sweep(helix_clock.due_at - timedelta(hours=3))
        for _ in range(3):
            _sweep(helix_clock.due_at - timedelta(minutes=30))

    assert _reminders(helix_clock) == {"24h", "4h", "1h"}
    reminders = [m for m in mail.outbox if "Reminder" in m.subject]
    assert len(reminders) == 3 * 2  # commander and the Legal member, once per offset
    assert helix_clock.incident.timeline.filter(kind="reminder_sent").count() == 3


def test_a_late_sweep_sends_only_the_most_urgent_reminder(
    helix_clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sweep(helix_clock.due_at - timedelta(minutes=30))

    assert _reminders(helix_clock) == {"24h", "4h", "1h"}
    assert helix_clock.incident.timeline.filter(kind="reminder_sent").count() == 1
    assert not DeadlineReminder.objects.get(deadline=helix_clock, offset="24h").notified


def test_an_overdue_deadline_escalates_to_commander_and_legal_once(
    helix_clock, commander, legal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sweep(helix_clock.due_at + timedelta(minutes=1))
        _sweep(helix_clock.due_at + timedelta(minutes=2))

    helix_clock.refresh_from_db()
    escalations = [m for m in mail.outbox if "OVERDUE" in m.subject]
    assert sorted(m.to[0] for m in escalations) == sorted([commander.email, legal.email])
    assert helix_clock.status == Deadline.Status.MISSED
    assert helix_clock.incident.timeline.filter(kind="deadline_missed").count() == 1


def test_nothing_is_sent_for_met_or_waived_deadlines(exposed, legal):
    _numbered_duties_only(exposed)
    helix = _deadline(exposed, HELIX_CONTRACT())
    gdpr = _deadline(exposed, "gdpr-art33")
    services.deadline_mark_met(
        deadline=helix, actor=legal, filed_at=timezone.now(), reference="email"
    )
    services.deadline_waive(deadline=gdpr, actor=legal, reason="Not personal after all")

    _sweep(gdpr.due_at + timedelta(hours=1))

    assert not DeadlineReminder.objects.exists()
    assert not Notification.objects.filter(kind__in=["reminder", "escalation"]).exists()


def test_a_duty_left_open_on_a_closed_incident_is_still_escalated(helix_clock, commander):
    Incident.objects.filter(pk=helix_clock.incident_id).update(phase=Incident.Phase.CLOSED)

    _sweep(helix_clock.due_at + timedelta(hours=1))

    assert "overdue" in _reminders(helix_clock)


def test_an_overdue_task_reminds_its_assignee_once(
    incident, commander, responder, django_capture_on_commit_callbacks
):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    services.task_assign(task=task, actor=commander, assignee=responder)

    with django_capture_on_commit_callbacks(execute=True):
        _sweep(task.due_at + timedelta(minutes=1))
        _sweep(task.due_at + timedelta(minutes=5))

    assert TaskReminder.objects.filter(task=task).count() == 1
    assert [m.to for m in mail.outbox if "Preserve evidence" in m.body] == [[responder.email]]


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_still_send_each_offset_once(exposed):
    _numbered_duties_only(exposed)
    helix = _deadline(exposed, HELIX_CONTRACT())
    at = helix.due_at - timedelta(minutes=30)
    barrier = threading.Barrier(4)
    errors = []

    def sweep():
        try:
            barrier.wait()
            services.deadlines_sweep(now=at)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert exposed.timeline.filter(kind="reminder_sent").count() == 1
    assert Notification.objects.filter(kind="reminder").count() == 2


def test_reminder_offsets_are_configurable(helix_clock, settings):
    settings.REMINDER_OFFSETS_HOURS = [12]

    _sweep(helix_clock.due_at - timedelta(hours=11))

    assert _reminders(helix_clock) == {"12h"}


def test_a_user_without_email_is_skipped_not_an_error(helix_clock, commander):
    commander.email = ""
    commander.save()

    _sweep(helix_clock.due_at - timedelta(minutes=30))

    assert DeadlineReminder.objects.filter(deadline=helix_clock, offset="1h").exists()


def test_deadline_entries_keep_the_chain_valid(exposed, legal):
    services.deadline_waive(
        deadline=_deadline(exposed, "gdpr-art34"), actor=legal, reason="Encrypted"
    )

    assert timeline.verify_chain(exposed).ok


def test_a_duty_with_no_fixed_time_is_reminded_by_the_internal_target_and_never_missed(
    exposed, django_capture_on_commit_callbacks
):
    profile = OrganisationProfile.current()
    profile.internal_target_hours = 6
    profile.save()
    services.deadlines_recompute(incident=exposed, actor=exposed.commander)
    duty = _deadline(exposed, "gdpr-art34")
    assert duty.due_at is None
    assert duty.target_at == exposed.discovered_at + timedelta(hours=6)

    with django_capture_on_commit_callbacks(execute=True):
        _sweep(duty.target_at + timedelta(minutes=5))

    duty.refresh_from_db()
    assert _reminders(duty) == {"24h", "4h", "1h", "overdue"}
    assert duty.status == Deadline.Status.PENDING
    assert not exposed.timeline.filter(kind="deadline_missed").exists()
    escalations = [m for m in mail.outbox if "internal target" in m.body]
    assert escalations
