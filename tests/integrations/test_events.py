"""Every event kind is emitted from its timeline entry, to the endpoints that may hear it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents import services
from incidents.models import Notification, OrganisationProfile, TimelineEntry
from incidents.services import notice_composition
from incidents.services.deadlines import ESCALATION
from integrations.events import OVERDUE_OFFSET, event_kind_for
from integrations.models import EventKind, WebhookDelivery, WebhookEndpoint
from tests.factories import IncidentFactory, StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def siem(db):
    """A global endpoint for every event. Loopback without WEBHOOK_ALLOW_PRIVATE: a
    delivery that runs by accident is refused at once, never sent."""
    return WebhookEndpoint.objects.create(name="SIEM", url="http://127.0.0.1:9/hook")


def _events(incident, kind=None) -> list[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.filter(incident=incident).order_by("pk")
    if kind is not None:
        deliveries = deliveries.filter(event_kind=kind)
    return list(deliveries)


def _expose(incident, actor):
    services.scope_review_mark(
        incident=incident,
        actor=actor,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )


def _helix(incident):
    return incident.deadlines.get(regime="Contract", recipient="Helix Health")


@pytest.fixture
def exposed(incident, responder):
    _expose(incident, responder)
    # GDPR Art. 34 (no fixed time) drops, so that only numbered duties remain.
    services.incident_record_decisions(incident=incident, actor=incident.commander, high_risk=False)
    return incident


@pytest.fixture
def sent_notice(exposed, commander, legal, django_capture_on_commit_callbacks):
    StakeholderContactFactory(
        stakeholder=Stakeholder.objects.get(name="Helix Health"), email="privacy@helix.example"
    )
    drafts, _ = services.notifications_draft_partner_notices(incident=exposed, actor=commander)
    services.notification_approve(notification=drafts[0], actor=legal)
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=exposed, actor=commander)
    return Notification.objects.get(pk=drafts[0].pk)


# --- one test per event kind ---------------------------------------------------------------


def test_opening_an_incident_emits_incident_opened(commander, breached_vendor):
    incident = services.incident_open(
        actor=commander,
        title="Parallax exfiltration",
        vendors=[breached_vendor],
        source="press_report",
        discovered_at=timezone.now() - timedelta(hours=2),
    )

    [event] = _events(incident, EventKind.INCIDENT_OPENED)
    assert event.payload["incident"]["reference"] == incident.reference
    assert event.payload["text"] == "Incident opened (SEV2)"


def test_advancing_the_phase_emits_phase_changed(incident, commander):
    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )

    [event] = _events(incident, EventKind.PHASE_CHANGED)
    assert event.payload["phase"] == {"from": "triage", "to": "containment"}
    assert event.payload["incident"]["phase"] == "containment"


def test_a_new_obligation_emits_deadline_set_with_the_due_time_in_words(incident, responder):
    _expose(incident, responder)

    helix = [
        e
        for e in _events(incident, EventKind.DEADLINE_SET)
        if e.payload["deadline"]["recipient"] == "Helix Health"
    ]
    assert len(helix) == 1
    assert helix[0].payload["deadline"]["due_words"] == "due in 46 h 0 m (Wed 4 Mar 07:00 UTC)"


def test_a_corrected_determination_emits_deadline_moved(incident, commander, legal, time_machine):
    profile = OrganisationProfile.current()
    profile.sec_registrant = True
    profile.save()
    now = timezone.now()
    services.incident_record_decisions(
        incident=incident, actor=commander, materiality_determined_at=now - timedelta(minutes=30)
    )
    time_machine.move_to(now + timedelta(days=1), tick=False)

    services.incident_record_decisions(
        incident=incident, actor=legal, materiality_determined_at=now + timedelta(hours=23)
    )

    [event] = _events(incident, EventKind.DEADLINE_MOVED)
    assert event.payload["deadline"]["previous_due_at"] is not None


def test_a_reminder_before_the_due_time_emits_deadline_due_soon(exposed, time_machine):
    helix = _helix(exposed)
    at = helix.due_at - timedelta(hours=23)
    time_machine.move_to(at, tick=False)

    services.deadlines_sweep(now=at)

    [event] = _events(exposed, EventKind.DEADLINE_DUE_SOON)
    assert event.payload["deadline"]["recipient"] == "Helix Health"
    assert event.payload["deadline"]["due_words"] == "due in 23 h 0 m (Wed 4 Mar 07:00 UTC)"


def test_an_overdue_deadline_emits_deadline_missed_and_no_due_soon(exposed, time_machine):
    helix = _helix(exposed)
    at = helix.due_at + timedelta(minutes=5)
    time_machine.move_to(at, tick=False)

    services.deadlines_sweep(now=at)

    missed = _events(exposed, EventKind.DEADLINE_MISSED)
    assert {e.payload["deadline"]["recipient"] for e in missed} >= {"Helix Health"}
    assert all(e.payload["deadline"]["due_words"].startswith("overdue by ") for e in missed)
    assert not [
        e
        for e in _events(exposed, EventKind.DEADLINE_DUE_SOON)
        if e.payload["deadline"]["recipient"] == "Helix Health"
    ]


def test_a_filing_emits_deadline_met(exposed, legal):
    gdpr = exposed.deadlines.get(rule_id="gdpr-art33")

    services.deadline_mark_met(
        deadline=gdpr, actor=legal, filed_at=timezone.now(), reference="DPC case 42"
    )

    [event] = _events(exposed, EventKind.DEADLINE_MET)
    assert event.payload["deadline"]["late"] is False
    assert event.payload["text"].startswith("Deadline met: GDPR Art. 33(1)")


def test_a_sent_partner_notice_emits_notice_sent(sent_notice):
    [event] = _events(sent_notice.incident, EventKind.NOTICE_SENT)

    assert event.payload["notice"]["stakeholder"] == "Helix Health"
    assert event.payload["text"] == "Notice sent to Helix Health"


def test_an_acknowledgement_emits_notice_acknowledged(sent_notice):
    services.notification_acknowledge(token=notice_composition.ack_token(sent_notice.ack_nonce))

    [event] = _events(sent_notice.incident, EventKind.NOTICE_ACKNOWLEDGED)
    assert event.payload["text"] == "Notice acknowledged by Helix Health"


def test_an_upload_emits_evidence_added(incident, responder, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("notice.pdf", PDF)
    )

    [event] = _events(incident, EventKind.EVIDENCE_ADDED)
    assert event.payload["evidence"]["name"] == "notice.pdf"
    assert event.payload["evidence"]["size"] == len(PDF)


# --- what is not an event, and who hears nothing -------------------------------------------


def test_reminders_and_escalations_sent_by_email_are_not_notice_events(exposed, time_machine):
    helix = _helix(exposed)
    at = helix.due_at + timedelta(minutes=5)
    time_machine.move_to(at, tick=False)
    services.deadlines_sweep(now=at)

    services.notifications_sweep(now=at + timedelta(minutes=20))

    assert Notification.objects.filter(incident=exposed, kind="escalation").exists()
    assert _events(exposed, EventKind.NOTICE_SENT) == []


def test_a_privileged_note_is_no_event(incident, legal):
    before = len(_events(incident))

    services.note_add(incident=incident, actor=legal, text="Advice: settle", privileged=True)

    assert len(_events(incident)) == before
    assert "settle" not in str([e.payload for e in _events(incident)])


def test_a_global_endpoint_gets_no_delivery_for_a_restricted_incident(commander, breached_vendor):
    incident = IncidentFactory(commander=commander, vendors=[breached_vendor], restricted=True)

    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )

    assert _events(incident) == []


def test_an_endpoint_for_the_restricted_incident_gets_its_events(commander, breached_vendor):
    incident = IncidentFactory(commander=commander, vendors=[breached_vendor], restricted=True)
    own = WebhookEndpoint.objects.create(
        name="War room", url="http://127.0.0.1:9/room", format="slack", incident=incident
    )

    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )

    assert [e.endpoint for e in _events(incident)] == [own]


def test_an_endpoint_for_one_incident_hears_nothing_of_another(incident, commander, siem):
    other = IncidentFactory(commander=commander)
    WebhookEndpoint.objects.create(name="Other room", url="http://127.0.0.1:9/", incident=other)

    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )

    assert [e.endpoint for e in _events(incident, EventKind.PHASE_CHANGED)] == [siem]


def test_an_endpoint_gets_only_the_kinds_it_chose(incident, commander, siem):
    siem.event_kinds = [EventKind.DEADLINE_MISSED]
    siem.save()

    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )

    assert _events(incident, EventKind.PHASE_CHANGED) == []


def test_a_switched_off_endpoint_gets_nothing(incident, commander, siem):
    siem.active = False
    siem.save()

    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )

    assert _events(incident, EventKind.PHASE_CHANGED) == []


def test_one_event_has_one_id_across_endpoints(incident, commander):
    WebhookEndpoint.objects.create(name="Chat", url="http://127.0.0.1:9/", format="teams")

    services.incident_advance_phase(
        incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
    )

    events = _events(incident, EventKind.PHASE_CHANGED)
    assert len(events) == 2
    assert len({e.event_id for e in events}) == 1


def test_a_change_that_rolls_back_leaves_no_delivery(incident, commander, monkeypatch):
    from incidents.services import incidents as incident_services

    real = incident_services.timeline.record_phase_changed

    def record_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("boom after the entry")

    monkeypatch.setattr(incident_services.timeline, "record_phase_changed", record_then_fail)

    with pytest.raises(RuntimeError, match="boom"):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
        )

    assert _events(incident, EventKind.PHASE_CHANGED) == []


def test_the_overdue_offset_is_the_reminders_escalation():
    assert OVERDUE_OFFSET == ESCALATION


def test_an_entry_kind_with_no_event_maps_to_none():
    entry = TimelineEntry(kind=TimelineEntry.Kind.NOTE_ADDED, data={})

    assert event_kind_for(entry) is None
