"""Entries as a reader reads them: times in their zone, numbers with separators.

The stored summary is part of the chain and never changes; older entries
wrote machine values into it (``due 2026-12-02T03:21:00.000000Z``, ``48000
records``). Where an entry's ``data`` holds the values, the page words it
afresh from them; otherwise it shows the summary as stored.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime

from incidents.models import ScopeItem, TimelineEntry


def _moment(value: str | None) -> str:
    moment = parse_datetime(value) if value else None
    if moment is None:
        return "not yet due"
    local = localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def _due(deadline: dict[str, Any]) -> str:
    if deadline.get("due_at"):
        return f"due {_moment(deadline['due_at'])}"
    return deadline.get("standard", "")


def _duty(data: dict[str, Any]) -> str:
    deadline = data["deadline"]
    return f"{deadline['citation']} to {deadline['recipient']}"


def _deadline_set(data):
    return f"New obligation: {_duty(data)}, {_due(data['deadline'])}"


def _deadline_moved(data):
    words = (
        f"{_duty(data)} moved from {_moment(data.get('previous_due_at'))} "
        f"to {_moment(data['deadline'].get('due_at'))}"
    )
    if data.get("reminders_restart"):
        words += "; reminders were sent for the old due time and start again for the new one"
    return words


def _deadline_met(data):
    how = (
        f"by notice #{data['notification']}"
        if data.get("notification")
        else f"reference {data.get('reference', '')}"
    )
    late = "Met late" if data.get("late") else "Met"
    return f"{late}: {_duty(data)} at {_moment(data.get('met_at'))}, {how}"


def _deadline_missed(data):
    return f"Overdue: {_duty(data)} was {_due(data['deadline'])}"


def _scope_reviewed(data):
    status = ScopeItem.Status(data["status"]).label.lower()
    words = f"Scope review: {data['asset']['name']} marked {status}"
    if data.get("records_affected") is not None:
        words += f", {_count(data['records_affected'])} records affected"
    return words


def _evidence_added(data):
    evidence = data["evidence"]
    return (
        f"Evidence added: {evidence['name']} ({evidence['content_type']}, "
        f"{_count(evidence['size'])} bytes, SHA-256 {evidence['sha256']})"
    )


_WORDING: dict[str, Callable[[dict[str, Any]], str]] = {
    TimelineEntry.Kind.DEADLINE_SET: _deadline_set,
    TimelineEntry.Kind.DEADLINE_MOVED: _deadline_moved,
    TimelineEntry.Kind.DEADLINE_MET: _deadline_met,
    TimelineEntry.Kind.DEADLINE_MISSED: _deadline_missed,
    TimelineEntry.Kind.SCOPE_REVIEWED: _scope_reviewed,
    TimelineEntry.Kind.EVIDENCE_ADDED: _evidence_added,
}


def readable_summary(entry: TimelineEntry) -> str:
    """The entry in plain words for the current reader (the active time zone).

    Falls back to the stored summary when the kind has no wording from data,
    or the data lacks a value the wording needs (an entry from an older version).
    """
    wording = _WORDING.get(entry.kind)
    if wording is None:
        return entry.summary
    try:
        return wording(entry.data)
    except (KeyError, TypeError, ValueError):
        return entry.summary


def is_backdated(entry: TimelineEntry, *, tolerance_seconds: int = 60) -> bool:
    """Recorded later than it happened (a note about an earlier moment), beyond clock noise."""
    recorded: datetime = entry.recorded_at
    return (recorded - entry.occurred_at).total_seconds() > tolerance_seconds


def readable_entries(entries) -> list[TimelineEntry]:
    """Give each entry ``readable`` and ``backdated`` for the page; no queries."""
    entries = list(entries)
    for entry in entries:
        entry.readable = readable_summary(entry)
        entry.backdated = is_backdated(entry)
    return entries
