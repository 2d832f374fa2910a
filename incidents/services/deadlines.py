"""Deadlines: the clock engine applied to an incident, kept in step with its facts."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from breachdesk.models import User
from incidents import events
from incidents.chain import iso_or_none, iso_utc
from incidents.clocks import Clock, compute_clocks, parse_facts
from incidents.models import (
    AFFECTED_SCOPE_STATUSES,
    Deadline,
    DeadlineReminder,
    Incident,
    IncidentMember,
    Notification,
    OrganisationProfile,
    Task,
    TaskReminder,
)
from incidents.permissions import abilities_for
from incidents.services.common import CLOCK_SKEW, lock_incident

# The sweep runs every minute; this many rows a run keeps each run short.
SWEEP_BATCH_SIZE = 200
# Clocks about what others owed us: settled by the facts, never reminded.
SETTLED_BY_FACTS = ("vendor-sla",)

NOT_ALLOWED_MET = "Only the incident commander or Legal record a deadline as met."
NOT_LEGAL = "Only Legal decides that a notification is not required."
MET_BEFORE_START = "This clock started at {start}; it cannot have been met before then."
MET_IN_FUTURE = "That time is in the future; record when it was actually filed."
MET_NEEDS_REFERENCE = "Give the filing reference (a case number, portal receipt or email)."
WAIVE_NEEDS_REASON = "Give the rationale, e.g. “risk unlikely: data encrypted, key not exposed”."
NOT_OPEN = "This deadline is already {status}."
DECISION_IN_FUTURE = "This time is in the future; record when the decision was taken."
DECISION_BEFORE_AWARENESS = "A decision cannot come before we became aware of the incident."
NOT_ALLOWED_DECISIONS = "Only the incident commander or Legal record these decisions."

DECISION_TIMES = (
    "determined_at",
    "materiality_determined_at",
    "classified_major_at",
    "assessed_at",
    "ransom_paid_at",
)
DECISION_FLAGS = ("high_risk", "significant_incident")


# --- facts -------------------------------------------------------------------------------


def incident_facts(incident: Incident) -> dict[str, Any]:
    """The incident as the clock engine reads it: JSON-like, all times in UTC."""
    profile = OrganisationProfile.current()
    affected_items = [
        item for item in incident.scope_items.all() if item.status in AFFECTED_SCOPE_STATUSES
    ]
    affected: dict[str, int | None] = {}
    categories: set[str] = set()
    windows: dict[str, int] = {}
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
                windows[stakeholder["name"]] = stakeholder["notify_within_hours"]
    vendor_windows = [
        v.notify_us_within_hours for v in incident.vendors.all() if v.notify_us_within_hours
    ]
    decided = bool(affected_items)
    submitted = {
        deadline.rule_id: iso_or_none(deadline.met_at)
        for deadline in incident.deadlines.filter(status=Deadline.Status.MET)
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
        "role": profile.role,
        "entity": {
            "sec_registrant": profile.sec_registrant,
            "nis2": profile.nis2 or None,
            "dora_financial_entity": profile.dora_financial_entity,
            "hipaa": profile.hipaa or None,
            "nydfs_covered": profile.nydfs_covered,
        },
        "personal_data": ("personal" in categories) if decided else None,
        "phi": ("health" in categories) if decided else None,
        "high_risk": incident.high_risk,
        "significant_incident": incident.significant_incident,
        "affected": affected,
        "stakeholder_windows": [{"name": n, "hours": h} for n, h in sorted(windows.items())],
        "vendor_window_hours": min(vendor_windows) if vendor_windows else None,
        "submitted": submitted,
    }


def _fields(clock: Clock) -> dict[str, Any]:
    return {
        "regime": clock.regime,
        "recipient": clock.recipient,
        "citation": clock.citation,
        "confidence": clock.confidence,
        "standard": clock.standard,
        "trigger": clock.trigger,
        "starts_at": clock.starts_at,
        "due_at": clock.due_at,
        "due_date": clock.due_date,
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


def recompute(incident: Incident, actor: User | None) -> None:
    """Bring the incident's deadlines in line with its facts, inside the caller's transaction.

    New obligations, moved due times and obligations that no longer apply are
    each a timeline entry. Met and waived deadlines are decisions: untouched.
    """
    clocks = {c.rule: c for c in compute_clocks(parse_facts(incident_facts(incident)))}
    existing = {d.rule_id: d for d in incident.deadlines.all()}
    for rule_id, clock in clocks.items():
        deadline = existing.get(rule_id)
        if deadline is None:
            deadline = Deadline.objects.create(
                incident=incident, rule_id=rule_id, **_fields(clock), **_settled(clock, incident)
            )
            deadline.incident = incident
            events.record_deadline_set(deadline=deadline, actor=actor)
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
        deadline.save()
        if previous_due != deadline.due_at:
            deadline.incident = incident
            events.record_deadline_moved(
                deadline=deadline, actor=actor, previous_due_at=previous_due
            )
    for rule_id, deadline in existing.items():
        if rule_id not in clocks and deadline.status == Deadline.Status.PENDING:
            deadline.incident = incident
            events.record_deadline_dropped(deadline=deadline, actor=actor)
            deadline.delete()


@transaction.atomic(durable=True)
def deadlines_recompute(*, incident: Incident, actor: User | None) -> None:
    recompute(lock_incident(incident), actor)


@transaction.atomic(durable=True)
def incident_record_decisions(*, incident: Incident, actor: User, **decisions: Any) -> Incident:
    """Decision moments only people can set: determination, materiality, classification …"""
    incident = lock_incident(incident)
    abilities = abilities_for(actor, incident)
    if not (abilities.commands or abilities.approves_as_legal):
        raise PermissionDenied(NOT_ALLOWED_DECISIONS)
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
        return incident
    incident.save(update_fields=[*changes, "updated_at"])
    events.record_decisions(incident=incident, actor=actor, changes=changes)
    recompute(incident, actor)
    return incident


def _locked_deadline(deadline: Deadline) -> tuple[Incident, Deadline]:
    incident = lock_incident(deadline.incident)
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.incident = incident
    return incident, deadline


@transaction.atomic(durable=True)
def deadline_mark_met(
    *, deadline: Deadline, actor: User, filed_at: datetime, reference: str
) -> Deadline:
    incident, deadline = _locked_deadline(deadline)
    abilities = abilities_for(actor, incident)
    if not (abilities.commands or abilities.approves_as_legal):
        raise PermissionDenied(NOT_ALLOWED_MET)
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
    recompute(incident, actor)
    return deadline


def _met(deadline, actor, met_at, *, reference="", notification=None) -> None:
    deadline.status = Deadline.Status.MET
    deadline.met_at = met_at
    deadline.met_reference = reference[:300]
    deadline.met_by_notification = notification
    deadline.decided_by = actor
    deadline.decided_at = timezone.now()
    deadline.save()
    events.record_deadline_met(deadline=deadline, actor=actor)


def met_by_notification(notification: Notification) -> None:
    """A sent partner notice meets that partner's contractual clock (caller's transaction)."""
    if notification.stakeholder is None:
        return
    deadline = (
        Deadline.objects.select_for_update()
        .filter(
            incident=notification.incident,
            rule_id=f"contract:{notification.stakeholder.name}",
            status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED],
        )
        .first()
    )
    if deadline is not None:
        deadline.incident = notification.incident
        _met(deadline, None, notification.sent_at, notification=notification)


@transaction.atomic(durable=True)
def deadline_waive(*, deadline: Deadline, actor: User, reason: str) -> Deadline:
    """Legal decides a notification is not required, and says why: the decision log."""
    incident, deadline = _locked_deadline(deadline)
    if not abilities_for(actor, incident).approves_as_legal:
        raise PermissionDenied(NOT_LEGAL)
    if not deadline.is_open:
        raise ValidationError(NOT_OPEN.format(status=deadline.get_status_display().lower()))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [WAIVE_NEEDS_REASON]})
    deadline.status = Deadline.Status.WAIVED
    deadline.decision_reason = reason
    deadline.decided_by = actor
    deadline.decided_at = timezone.now()
    deadline.save()
    events.record_deadline_waived(deadline=deadline, actor=actor)
    return deadline


# --- reminders ---------------------------------------------------------------------------


def reminder_offsets() -> list[timedelta]:
    """Before-due reminder offsets, largest first (settings: REMINDER_OFFSETS_HOURS)."""
    return sorted((timedelta(hours=h) for h in settings.REMINDER_OFFSETS_HOURS), reverse=True)


def _offset_label(offset: timedelta) -> str:
    return f"{int(offset.total_seconds() // 3600)}h"


def _deadline_words(deadline: Deadline) -> str:
    due = f"due {deadline.due_at:%d %b %Y, %H:%M} UTC" if deadline.due_at else deadline.standard
    return f"{deadline.citation}: notify {deadline.recipient}, {due}"


def _legal_members(incident: Incident) -> list[User]:
    return [
        m.user
        for m in incident.members.select_related("user").filter(role=IncidentMember.Role.LEGAL)
    ]


def _remind(incident: Incident, recipients: list[User], *, kind: str, about: str, offset: str):
    from incidents.services.notifications import queue_internal_notice

    seen, notices = set(), []
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        notice = queue_internal_notice(
            incident, kind=kind, recipient=user, actor=None, deadline=about
        )
        if notice:
            notices.append(notice)
    events.record_reminder_sent(
        incident=incident, about=about, offset=offset, notifications=notices
    )


def _claim(deadline: Deadline, offset: str, *, notified: bool = True) -> bool:
    """Insert the (deadline, offset) row; only the caller whose insert succeeds sends."""
    try:
        with transaction.atomic():
            DeadlineReminder.objects.create(deadline=deadline, offset=offset, notified=notified)
    except IntegrityError:
        return False
    return True


@transaction.atomic(durable=True)
def _deadline_reminders(deadline_id: int, now: datetime) -> None:
    deadline = Deadline.objects.select_related("incident__commander").get(pk=deadline_id)
    incident = lock_incident(deadline.incident)
    deadline = Deadline.objects.select_for_update().get(pk=deadline_id)
    deadline.incident = incident
    if not deadline.is_open or deadline.due_at is None or incident.is_closed:
        return
    if now >= deadline.due_at:
        if _claim(deadline, "overdue"):
            if deadline.status == Deadline.Status.PENDING:
                deadline.status = Deadline.Status.MISSED
                deadline.save(update_fields=["status", "computed_at"])
            events.record_deadline_missed(deadline=deadline)
            _remind(
                incident,
                [incident.commander, *_legal_members(incident)],
                kind=Notification.Kind.ESCALATION,
                about=_deadline_words(deadline),
                offset="overdue",
            )
        return
    reached = [o for o in reminder_offsets() if now >= deadline.due_at - o]
    if not reached:
        return
    # If the sweep was away, only the most urgent reminder is worth an email;
    # the earlier ones are marked done so they never arrive late.
    *superseded, urgent = reached
    for offset in superseded:
        _claim(deadline, _offset_label(offset), notified=False)
    if _claim(deadline, _offset_label(urgent)):
        _remind(
            incident,
            [incident.commander, *_legal_members(incident)],
            kind=Notification.Kind.REMINDER,
            about=_deadline_words(deadline),
            offset=f"{_offset_label(urgent)} before",
        )


@transaction.atomic(durable=True)
def _task_reminder(task_id: int) -> None:
    task = Task.objects.select_related("incident", "assignee").get(pk=task_id)
    incident = lock_incident(task.incident)
    if not task.is_open or task.assignee is None or incident.is_closed:
        return
    try:
        with transaction.atomic():
            TaskReminder.objects.create(task=task)
    except IntegrityError:
        return
    _remind(
        incident,
        [task.assignee],
        kind=Notification.Kind.REMINDER,
        about=f"overdue task “{task.title}”, due {task.due_at:%d %b %Y, %H:%M} UTC",
        offset="overdue",
    )


def deadlines_sweep(*, now: datetime | None = None) -> None:
    """Send due reminders and escalations, each exactly once; soonest first, in batches."""
    now = now or timezone.now()
    horizon = now + max(reminder_offsets(), default=timedelta(0))
    due_soon = (
        Deadline.objects.filter(
            status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED],
            due_at__isnull=False,
            due_at__lte=horizon,
        )
        .exclude(incident__phase=Incident.Phase.CLOSED)
        # Escalated already: nothing more will be sent for it.
        .exclude(reminders__offset="overdue")
        # The vendor's duty to us: a fact about the vendor, nothing for us to send.
        .exclude(rule_id__in=SETTLED_BY_FACTS)
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for deadline_id in list(due_soon):
        _deadline_reminders(deadline_id, now)
    overdue_tasks = (
        Task.objects.filter(
            status=Task.Status.OPEN,
            assignee__isnull=False,
            due_at__lt=now,
            reminder__isnull=True,
        )
        .exclude(incident__phase=Incident.Phase.CLOSED)
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for task_id in list(overdue_tasks):
        _task_reminder(task_id)
