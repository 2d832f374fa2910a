"""Deadlines: the clock engine applied to an incident, kept in step with its facts."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from breachdesk.models import User
from breachdesk.text import fit
from incidents import timeline
from incidents.chain import iso_or_none, iso_utc
from incidents.clocks import Clock, compute_clocks, contract_rule_id, parse_facts
from incidents.exceptions import NothingChanged
from incidents.models import (
    AFFECTED_SCOPE_STATUSES,
    SETTLED_BY_FACTS,
    Deadline,
    DeadlineReminder,
    Incident,
    Notification,
    OrganisationProfile,
)
from incidents.services.common import CLOCK_SKEW, Need, lock_incident
from vendors.jurisdictions import unknown_codes

NOT_ALLOWED_MET = "Only the incident commander or Legal record a deadline as met."
NOT_LEGAL = "Only Legal decides that a notification is not required."
MET_BEFORE_START = "This clock started at {start}; it cannot have been met before then."
MET_IN_FUTURE = "That time is in the future; record when it was actually filed."
MET_NEEDS_REFERENCE = "Give the filing reference (a case number, portal receipt or email)."
WAIVE_NEEDS_REASON = "Give the rationale, e.g. “risk unlikely: data encrypted, key not exposed”."
NOT_OPEN = "This deadline is already {status}."
DECISIONS_UNCHANGED = "The decisions are as already recorded; nothing changed."
DECISION_IN_FUTURE = "This time is in the future; record when the decision was taken."
DECISION_BEFORE_AWARENESS = "A decision cannot come before we became aware of the incident."
NOT_ALLOWED_DECISIONS = "Only the incident commander or Legal record these decisions."
NOT_ALLOWED_RECOMPUTE = "Only the incident commander recomputes the deadlines."

DECISION_TIMES = (
    "determined_at",
    "materiality_determined_at",
    "classified_major_at",
    "assessed_at",
    "ransom_paid_at",
)
DECISION_FLAGS = ("high_risk", "significant_incident")
# The claim rows' name for the message sent once a deadline has passed.
ESCALATION = "overdue"


# --- facts -------------------------------------------------------------------------------


def incident_facts(incident: Incident, deadlines: list[Deadline] | None = None) -> dict[str, Any]:
    """The incident as the clock engine reads it: JSON-like, all times in UTC.

    ``deadlines`` are the incident's deadlines when the caller has read them.
    """
    profile = OrganisationProfile.current()
    affected_items = [
        item for item in incident.scope_items.all() if item.status in AFFECTED_SCOPE_STATUSES
    ]
    affected: dict[str, int | None] = {}
    categories: set[str] = set()
    windows: dict[int, dict[str, Any]] = {}
    for item in affected_items:
        places = item.snapshot.get("subject_jurisdictions", [])
        categories.update(item.snapshot.get("data_categories", []))
        for code in places:
            # A count belongs to a place only if the asset's people all live there.
            if (
                len(places) == 1
                and item.records_affected is not None
                and affected.get(code, 0) is not None
            ):
                affected[code] = affected.get(code, 0) + item.records_affected
            else:
                affected[code] = None
        for stakeholder in item.snapshot.get("stakeholders", []):
            if stakeholder.get("notify_within_hours"):
                windows[stakeholder["id"]] = {
                    "id": stakeholder["id"],
                    "name": stakeholder["name"],
                    "hours": stakeholder["notify_within_hours"],
                }
    vendor_windows = [
        v.notify_us_within_hours for v in incident.vendors.all() if v.notify_us_within_hours
    ]
    decided = bool(affected_items)
    deadlines = incident.deadlines.all() if deadlines is None else deadlines
    submitted = {
        deadline.rule_id: iso_or_none(deadline.met_at)
        for deadline in deadlines
        if deadline.status == Deadline.Status.MET
    }
    return {
        "aware_at": iso_or_none(incident.discovered_at),
        "discovered_at": iso_or_none(incident.discovered_at),
        "vendor_aware_at": iso_or_none(incident.vendor_aware_at),
        "determined_at": iso_or_none(incident.determined_at),
        "materiality_determined_at": iso_or_none(incident.materiality_determined_at),
        "classified_major_at": iso_or_none(incident.classified_major_at),
        "assessed_at": iso_or_none(incident.assessed_at),
        "ransom_paid_at": iso_or_none(incident.ransom_paid_at),
        **profile.standing_facts(),
        "personal_data": ("personal" in categories) if decided else None,
        "phi": ("health" in categories) if decided else None,
        "high_risk": incident.high_risk,
        "significant_incident": incident.significant_incident,
        "affected": affected,
        "stakeholder_windows": [windows[key] for key in sorted(windows)],
        "vendor_window_hours": min(vendor_windows) if vendor_windows else None,
        "submitted": submitted,
    }


def _owed(deadline: Deadline) -> bool:
    return (
        deadline.is_open
        and deadline.due_at is not None
        and deadline.rule_id not in SETTLED_BY_FACTS
    )


def incident_next_deadline_refresh(
    incident: Incident, deadlines: list[Deadline] | None = None
) -> None:
    """Copy the nearest due time still owed to ``incident.next_deadline_at`` (in a transaction).

    Owed means pending or missed, with a due time, and not a clock the facts
    settle (what a vendor owed us). Every service that sets, moves, settles or
    misses a deadline calls this after its change, so the list and dashboard
    can order by urgency from an index. ``deadlines`` are all of the
    incident's deadlines when the caller holds them (no query to read them).
    Writes only when the value changed.
    """
    if deadlines is None:
        nearest = (
            incident.deadlines.filter(
                status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED], due_at__isnull=False
            )
            .exclude(rule_id__in=SETTLED_BY_FACTS)
            .aggregate(nearest=Min("due_at"))["nearest"]
        )
    else:
        nearest = min((d.due_at for d in deadlines if _owed(d)), default=None)
    if nearest != incident.next_deadline_at:
        incident.next_deadline_at = nearest
        incident.save(update_fields=["next_deadline_at"])


def _fields(clock: Clock) -> dict[str, Any]:
    """The clock as Deadline fields; text made of names is cut to fit its column."""
    text = {
        "regime": clock.regime,
        "recipient": clock.recipient,
        "citation": clock.citation,
        "standard": clock.standard,
        "trigger": clock.trigger,
    }
    return {
        **{
            name: fit(value, Deadline._meta.get_field(name).max_length)
            for name, value in text.items()
        },
        "confidence": clock.confidence,
        "starts_at": clock.starts_at,
        "due_at": clock.due_at,
        "due_date": clock.due_date,
        "target_at": clock.target_at,
        "time_zone": clock.time_zone,
        "flags": list(clock.flags),
        "calendar": clock.calendar,
        "note": clock.note,
    }


def _settled(clock: Clock, incident: Incident) -> dict[str, Any]:
    """A clock the facts already settle, such as whether the vendor told us in time."""
    if clock.status == "met":
        return {"status": Deadline.Status.MET, "met_at": incident.discovered_at}
    if clock.status == "missed":
        return {"status": Deadline.Status.MISSED}
    return {}


def deadlines_refresh(*, incident: Incident, actor: User | None) -> None:
    """Bring the incident's deadlines in line with its facts, inside the caller's transaction.

    New obligations, moved due times and obligations that no longer apply are
    each a timeline entry. Met and waived deadlines are decisions: untouched.
    """
    current = list(incident.deadlines.all())
    facts = parse_facts(incident_facts(incident, current), unknown_codes=unknown_codes)
    clocks = {c.rule: c for c in compute_clocks(facts)}
    existing = {d.rule_id: d for d in current}
    for rule_id, clock in clocks.items():
        deadline = existing.get(rule_id)
        if deadline is None:
            deadline = Deadline(
                incident=incident, rule_id=rule_id, **_fields(clock), **_settled(clock, incident)
            )
            schedule_reminders(deadline)
            deadline.save()
            timeline.record_deadline_set(deadline=deadline, actor=actor)
            current.append(deadline)
            continue
        if rule_id in SETTLED_BY_FACTS:
            for name, value in {**_fields(clock), **_settled(clock, incident)}.items():
                setattr(deadline, name, value)
            deadline.save()
            continue
        if not deadline.is_open:
            continue
        previous_due = deadline.due_at
        for name, value in _fields(clock).items():
            setattr(deadline, name, value)
        if deadline.status == Deadline.Status.MISSED and (
            deadline.due_at is None or deadline.due_at > timezone.now()
        ):
            deadline.status = Deadline.Status.PENDING
        schedule_reminders(deadline)
        deadline.save()
        if previous_due != deadline.due_at:
            deadline.incident = incident
            timeline.record_deadline_moved(
                deadline=deadline,
                actor=actor,
                previous_due_at=previous_due,
                reminded_before=deadline.reminders.filter(
                    due_at=previous_due, notified=True
                ).exists(),
            )
    for rule_id, deadline in existing.items():
        if rule_id not in clocks and deadline.status == Deadline.Status.PENDING:
            deadline.incident = incident
            timeline.record_deadline_dropped(deadline=deadline, actor=actor)
            deadline.delete()
            current.remove(deadline)
    incident_next_deadline_refresh(incident, current)


@transaction.atomic(durable=True)
def deadlines_recompute(*, incident: Incident, actor: User) -> None:
    """The commander's "recompute from the inventory" (contract windows edited since)."""
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=NOT_ALLOWED_RECOMPUTE
    )
    deadlines_refresh(incident=incident, actor=actor)


@transaction.atomic(durable=True)
def incident_record_decisions(*, incident: Incident, actor: User, **decisions: Any) -> Incident:
    """Decision moments only people can set: determination, materiality, classification …"""
    incident = lock_incident(
        incident,
        actor=actor,
        need=Need.COMMAND_OR_LEGAL,
        open_only=False,
        refused=NOT_ALLOWED_DECISIONS,
    )
    errors: dict[str, list[str]] = {}
    latest = timezone.now() + CLOCK_SKEW
    for name in DECISION_TIMES:
        moment = decisions.get(name)
        if moment and moment > latest:
            errors.setdefault(name, []).append(DECISION_IN_FUTURE)
        elif moment and moment < incident.discovered_at and name != "ransom_paid_at":
            errors.setdefault(name, []).append(DECISION_BEFORE_AWARENESS)
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name in (*DECISION_TIMES, *DECISION_FLAGS):
        if name in decisions and getattr(incident, name) != decisions[name]:
            setattr(incident, name, decisions[name])
            value = decisions[name]
            changes[name] = iso_or_none(value) if isinstance(value, datetime) else value
    if not changes:
        raise NothingChanged(DECISIONS_UNCHANGED)
    incident.save(update_fields=[*changes, "updated_at"])
    timeline.record_decisions(incident=incident, actor=actor, changes=changes)
    deadlines_refresh(incident=incident, actor=actor)
    return incident


def _locked_deadline(deadline: Deadline, actor: User, need: Need, refused: str) -> Deadline:
    incident = lock_incident(
        deadline.incident, actor=actor, need=need, open_only=False, refused=refused
    )
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.incident = incident
    return deadline


@transaction.atomic(durable=True)
def deadline_mark_met(
    *, deadline: Deadline, actor: User, filed_at: datetime, reference: str
) -> Deadline:
    deadline = _locked_deadline(deadline, actor, Need.COMMAND_OR_LEGAL, NOT_ALLOWED_MET)
    if not deadline.is_open:
        raise ValidationError(NOT_OPEN.format(status=deadline.get_status_display().lower()))
    reference = reference.strip()
    errors: dict[str, list[str]] = {}
    if not reference:
        errors["reference"] = [MET_NEEDS_REFERENCE]
    if filed_at > timezone.now() + CLOCK_SKEW:
        errors["filed_at"] = [MET_IN_FUTURE]
    elif deadline.starts_at and filed_at < deadline.starts_at:
        errors["filed_at"] = [MET_BEFORE_START.format(start=iso_utc(deadline.starts_at))]
    if errors:
        raise ValidationError(errors)
    _met(deadline, actor, filed_at, reference=reference)
    deadlines_refresh(incident=deadline.incident, actor=actor)
    return deadline


def _met(deadline, actor, met_at, *, reference="", notification=None) -> None:
    deadline.status = Deadline.Status.MET
    deadline.met_at = met_at
    deadline.met_reference = reference[:300]
    deadline.met_by_notification = notification
    deadline.decided_by = actor
    deadline.decided_at = timezone.now()
    schedule_reminders(deadline)
    deadline.save()
    timeline.record_deadline_met(deadline=deadline, actor=actor)


def deadline_met_by_notification(notification: Notification) -> None:
    """A sent partner notice meets that partner's contractual clock (caller's transaction)."""
    if notification.stakeholder is None:
        return
    deadline = (
        Deadline.objects.select_for_update()
        .filter(
            incident=notification.incident,
            rule_id=contract_rule_id(notification.stakeholder_id),
            status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED],
        )
        .first()
    )
    if deadline is not None:
        deadline.incident = notification.incident
        _met(deadline, None, notification.sent_at, notification=notification)
        incident_next_deadline_refresh(notification.incident)


@transaction.atomic(durable=True)
def deadline_waive(*, deadline: Deadline, actor: User, reason: str) -> Deadline:
    """Legal decides a notification is not required, and says why: the decision log."""
    deadline = _locked_deadline(deadline, actor, Need.LEGAL, NOT_LEGAL)
    if not deadline.is_open:
        raise ValidationError(NOT_OPEN.format(status=deadline.get_status_display().lower()))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [WAIVE_NEEDS_REASON]})
    deadline.status = Deadline.Status.WAIVED
    deadline.decision_reason = reason
    deadline.decided_by = actor
    deadline.decided_at = timezone.now()
    schedule_reminders(deadline)
    deadline.save()
    timeline.record_deadline_waived(deadline=deadline, actor=actor)
    incident_next_deadline_refresh(deadline.incident)
    return deadline


# --- when reminders are due (the sweep that sends them is in reminders.py) ------------------


def reminder_offsets() -> list[timedelta]:
    """Before-due reminder offsets, largest first (settings: REMINDER_OFFSETS_HOURS)."""
    return sorted((timedelta(hours=h) for h in settings.REMINDER_OFFSETS_HOURS), reverse=True)


def offset_label(offset: timedelta) -> str:
    """``timedelta(hours=24)`` → ``"24h"``: the claim rows' name for an offset."""
    return f"{int(offset.total_seconds() // 3600)}h"


def next_reminder_time(deadline: Deadline, claimed: set[str]) -> datetime | None:
    """When something is next due for ``deadline``, given the offsets claimed for its due time.

    The earliest unclaimed reminder (``remind_at - offset``, which may already be
    past), else the escalation at ``remind_at``, else None: settled deadlines,
    duties with neither a due time nor an internal target, and clocks about what
    others owed us get none. ``remind_at`` is the due time, else the internal target.
    """
    remind_at = deadline.remind_at
    if not deadline.is_open or remind_at is None or deadline.rule_id in SETTLED_BY_FACTS:
        return None
    for offset in reminder_offsets():
        if offset_label(offset) not in claimed:
            return remind_at - offset
    if ESCALATION not in claimed:
        return remind_at
    return None


def schedule_reminders(deadline: Deadline) -> None:
    """Set ``deadline.next_reminder_at`` from its state and its claims (the caller saves)."""
    claimed = (
        set(
            DeadlineReminder.objects.filter(
                deadline=deadline, due_at=deadline.remind_at
            ).values_list("offset", flat=True)
        )
        if deadline.pk and deadline.remind_at
        else set()
    )
    deadline.next_reminder_at = next_reminder_time(deadline, claimed)
