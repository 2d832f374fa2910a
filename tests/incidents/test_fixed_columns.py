"""Free-length names never overflow fixed-size columns, and one bad item never stops a sweep.

Issue 10, 4: identifiers are built from ids, never names; subjects, summaries
and recipient names composed from names are cut to fit with an ellipsis; and
every sweep isolates each item, so one failure is logged and recorded where a
person sees it while the rest go on. SQLite does not enforce column lengths
(PostgreSQL does), so lengths are also asserted with ``len``.
"""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import models

from incidents import services
from incidents.models import Deadline, Notification
from incidents.notices import MAX_SUBJECT_LENGTH
from incidents.services import delivery, reminders
from incidents.services.delivery import QUEUED_GRACE
from incidents.services.notifications import notification_queue_internal
from tests.factories import (
    EngagementFactory,
    IncidentFactory,
    StakeholderFactory,
    UserFactory,
    VendorFactory,
)
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ELLIPSIS = "…"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _sweep(clock, at):
    clock.move_to(at)
    services.deadlines_sweep(now=at)


def _long(length: int, word: str) -> str:
    """A name of exactly ``length`` characters, as partner and vendor registers hold."""
    name = " ".join([word] * length)[:length]
    return name[:-1] + "s" if name.endswith(" ") else name


def _expose(incident, actor):
    services.scope_review_mark(
        incident=incident,
        actor=actor,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )


def _long_named_partner(length, hours=24):
    """A partner whose data is in the exposed asset, with a name of ``length`` characters."""
    partner = StakeholderFactory(
        name=_long(length, "Northwind"), slug=f"northwind-{length}", notify_within_hours=hours
    )
    DataAsset.objects.get(name="Clinical samples").stakeholders.add(partner)
    return partner


def _overflowing(row):
    """The text fields of ``row`` longer than their column allows."""
    return [
        f"{field.name}: {len(getattr(row, field.name))} > {field.max_length}"
        for field in row._meta.concrete_fields
        if isinstance(field, models.CharField)
        and field.max_length
        and len(getattr(row, field.name) or "") > field.max_length
    ]


# --- identifiers are built from ids ---------------------------------------------------------


@pytest.mark.parametrize("length", [112, 200])
def test_a_long_named_partners_contract_clock_is_named_by_its_id(length, incident, responder):
    partner = _long_named_partner(length)

    _expose(incident, responder)

    contract = incident.deadlines.get(regime="Contract", recipient=partner.name)
    assert contract.rule_id == f"contract:{partner.pk}"
    assert len(contract.rule_id) <= Deadline._meta.get_field("rule_id").max_length


@pytest.mark.parametrize("length", [112, 200])
def test_every_deadline_of_a_long_named_partner_fits_its_columns(length, incident, responder):
    _long_named_partner(length)

    _expose(incident, responder)

    assert [(d.rule_id, _overflowing(d)) for d in incident.deadlines.all() if _overflowing(d)] == []


# --- composed subjects and names are cut to fit ---------------------------------------------


@pytest.fixture
def long_partner_due(incident, responder, request):
    """A partner named with ``request.param`` characters (24 h clock) and GDPR's 72 h clock.

    Half an hour before GDPR is due, the partner's clock is long overdue: its
    escalation comes first in the sweep, before GDPR's reminder.
    """
    partner = _long_named_partner(request.param)
    _expose(incident, responder)
    gdpr = incident.deadlines.get(rule_id="gdpr-art33")
    return partner, gdpr


@pytest.mark.parametrize("long_partner_due", [113, 200], indirect=True)
def test_a_long_partner_name_does_not_keep_the_sweep_from_reminding_gdpr(
    long_partner_due, commander, legal, clock
):
    partner, gdpr = long_partner_due

    _sweep(clock, gdpr.due_at - timedelta(minutes=30))

    gdpr_reminders = [
        n.recipient_email
        for n in Notification.objects.filter(kind=Notification.Kind.REMINDER)
        if gdpr.citation in n.body_text
    ]
    assert sorted(gdpr_reminders) == sorted([commander.email, legal.email])
    assert Notification.objects.filter(
        kind=Notification.Kind.ESCALATION, body_text__contains=partner.name
    ).exists()


@pytest.mark.parametrize("long_partner_due", [113, 200], indirect=True)
def test_a_long_partner_names_escalation_subject_is_cut_with_an_ellipsis(long_partner_due, clock):
    partner, gdpr = long_partner_due

    _sweep(clock, gdpr.due_at - timedelta(minutes=30))

    escalations = Notification.objects.filter(
        kind=Notification.Kind.ESCALATION, body_text__contains=partner.name
    )
    assert escalations.exists()
    for notice in escalations:
        assert len(notice.subject) <= MAX_SUBJECT_LENGTH
        assert notice.subject.endswith(ELLIPSIS)
        assert _overflowing(notice) == []


def test_pausing_engagements_with_four_long_named_vendors_sends_notices_that_fit(commander):
    vendors = [VendorFactory(name=_long(200, f"Vendor{i}"), slug=f"vendor-{i}") for i in range(4)]
    for vendor in vendors:
        EngagementFactory(vendor=vendor, name="Annotation", owner=commander)
    incident = IncidentFactory(commander=commander, vendors=vendors)

    pauses = services.engagements_pause(
        incident=incident, actor=commander, reason="Shared credentials leaked"
    )

    assert len(pauses) == 4
    notices = Notification.objects.filter(kind=Notification.Kind.ENGAGEMENT_PAUSED)
    assert notices.count() == 4
    for notice in notices:
        assert len(notice.subject) <= MAX_SUBJECT_LENGTH
        assert _overflowing(notice) == []


def test_a_recipient_with_a_long_name_gets_a_reminder_whose_name_fits(
    incident, commander, responder, clock
):
    counsel = UserFactory(
        username="counsel",
        roles=["Legal"],
        first_name=_long(150, "Maximiliane"),
        last_name=_long(150, "Wolfeschlegelsteinhausen"),
    )
    services.member_add(incident=incident, actor=commander, user=counsel, role="legal")
    _expose(incident, responder)
    helix = incident.deadlines.get(regime="Contract", recipient="Helix Health")

    _sweep(clock, helix.due_at - timedelta(hours=23))

    reminder = Notification.objects.get(
        kind=Notification.Kind.REMINDER, recipient_email=counsel.email
    )
    assert len(reminder.recipient_name) <= Notification._meta.get_field("recipient_name").max_length
    assert reminder.recipient_name.endswith(ELLIPSIS)


def test_an_owner_told_only_whom_to_ask_gets_a_notice_whose_name_fits(commander, breached_vendor):
    owner = UserFactory(
        username="long-named-owner",
        roles=["Responder"],
        first_name=_long(150, "Maximiliane"),
        last_name=_long(150, "Wolfeschlegelsteinhausen"),
    )
    EngagementFactory(vendor=breached_vendor, name="Transcription", owner=owner)
    incident = IncidentFactory(commander=commander, vendors=[breached_vendor])

    services.engagements_pause(incident=incident, actor=commander, reason="Credentials leaked")

    notice = Notification.objects.get(kind=Notification.Kind.ENGAGEMENT_PAUSED)
    assert notice.recipient_email == owner.email
    assert _overflowing(notice) == []
    assert notice.recipient_name.endswith(ELLIPSIS)


# --- one failing item never stops a sweep ---------------------------------------------------


@pytest.fixture
def two_exposed(commander, breached_vendor):
    """Two exposed incidents; the first became aware an hour earlier, so is swept first."""
    first = IncidentFactory(
        commander=commander, vendors=[breached_vendor], discovered_at=NOW - timedelta(hours=3)
    )
    second = IncidentFactory(commander=commander, vendors=[breached_vendor])
    for incident in (first, second):
        _expose(incident, commander)
    return first, second


@pytest.fixture
def failing_reminders(two_exposed, monkeypatch):
    """Reminding about the first incident's deadlines raises (a broken template, say)."""
    failing = two_exposed[0]
    real = reminders._remind

    def remind(incident, *args, **kwargs):
        if incident.pk == failing.pk:
            raise RuntimeError("template for reminders cannot be rendered")
        return real(incident, *args, **kwargs)

    monkeypatch.setattr(reminders, "_remind", remind)
    return failing


def _helix(incident):
    return incident.deadlines.get(regime="Contract", recipient="Helix Health")


def _sweep_both_due(clock, two_exposed):
    """Half an hour before the second's Helix clock: the first's is overdue, both are due."""
    _sweep(clock, _helix(two_exposed[1]).due_at - timedelta(minutes=30))


def test_a_deadline_that_cannot_be_reminded_does_not_stop_the_others(
    two_exposed, failing_reminders, clock
):
    _sweep_both_due(clock, two_exposed)

    healthy = two_exposed[1]
    assert healthy.timeline.filter(kind="reminder_sent").exists()
    assert Notification.objects.filter(incident=healthy, kind=Notification.Kind.REMINDER).exists()


def test_a_deadline_that_cannot_be_reminded_records_why(
    two_exposed, failing_reminders, clock, caplog
):
    with caplog.at_level(logging.ERROR, logger="incidents.services.reminders"):
        _sweep_both_due(clock, two_exposed)

    failing = _helix(failing_reminders)
    assert "template for reminders cannot be rendered" in failing.reminder_error
    logged = [r for r in caplog.records if r.exc_info and str(failing.pk) in r.getMessage()]
    assert logged


def test_a_deadline_that_could_not_be_reminded_is_tried_again_by_the_next_sweep(
    two_exposed, failing_reminders, monkeypatch, clock, commander
):
    _sweep_both_due(clock, two_exposed)
    monkeypatch.undo()

    _sweep(clock, _helix(two_exposed[1]).due_at - timedelta(minutes=29))

    failing = _helix(failing_reminders)
    assert failing.status == Deadline.Status.MISSED
    assert failing.reminder_error == ""
    assert Notification.objects.filter(
        incident=failing_reminders,
        kind=Notification.Kind.ESCALATION,
        recipient_email=commander.email,
    ).exists()


def test_the_incident_page_shows_why_a_deadline_could_not_be_reminded(
    client, two_exposed, failing_reminders, commander, clock
):
    _sweep_both_due(clock, two_exposed)

    client.force_login(commander)
    response = client.get(f"/incidents/{failing_reminders.reference}/")

    assert "template for reminders cannot be rendered" in response.content.decode()


@pytest.fixture
def lost_rows(incident, commander, responder, legal):
    """Three internal updates queued an hour ago whose publication the broker lost."""
    return [
        notification_queue_internal(
            incident, kind=Notification.Kind.INTERNAL_UPDATE, recipient=user, actor=commander
        ).pk
        for user in (commander, responder, legal)
    ]


@pytest.fixture
def publish_fails_once(lost_rows, monkeypatch):
    """Publishing the first lost row raises once; every publication is recorded."""
    published = []

    def publish(broker, notification_id):
        published.append(notification_id)
        if notification_id == lost_rows[0] and published.count(notification_id) == 1:
            raise RuntimeError("broker connection reset")

    monkeypatch.setattr(delivery, "_publish_one", publish)
    return published


def test_a_row_the_outbox_sweep_cannot_publish_does_not_stop_the_others(
    lost_rows, publish_fails_once, caplog
):
    with caplog.at_level(logging.ERROR, logger="incidents.services.notifications"):
        services.notifications_sweep(now=NOW + QUEUED_GRACE + timedelta(minutes=1))

    assert sorted(publish_fails_once) == sorted(lost_rows)
    assert [r for r in caplog.records if r.exc_info and str(lost_rows[0]) in r.getMessage()]


def test_a_row_the_outbox_sweep_could_not_publish_is_tried_again_by_a_later_sweep(
    lost_rows, publish_fails_once
):
    first = NOW + QUEUED_GRACE + timedelta(minutes=1)
    services.notifications_sweep(now=first)

    services.notifications_sweep(now=first + QUEUED_GRACE + timedelta(minutes=1))

    assert publish_fails_once.count(lost_rows[0]) == 2
