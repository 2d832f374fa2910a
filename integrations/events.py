"""From timeline entries to webhook events: which entries are events, and what they say.

Every change worth an event already writes a timeline entry inside its
service's transaction, so the timeline's append calls ``webhooks_emit``: the
delivery rows are written in that same transaction (an event for a change that
rolled back never exists; no service can forget to emit) and handed to the
broker after commit, so the action never waits on a receiver.

Payloads carry what a member would read in the timeline's summaries, never a
privileged text (notes are not events) and never the facts of a restricted
incident to a global endpoint: for those no delivery row is written at all.
"""

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from incidents.models import Incident, NotificationKind, TimelineEntry
from integrations.chat import due_words
from integrations.delivery import publish_deliveries
from integrations.models import EventKind, WebhookDelivery, WebhookEndpoint

# incidents.services.deadlines.ESCALATION: a reminder sent after the due time
# (the missed deadline is its own event).
OVERDUE_OFFSET = "overdue"
# Reminders and escalations reach people about deadlines; those are the
# deadline events, not notices.
_NOT_NOTICES = {NotificationKind.REMINDER, NotificationKind.ESCALATION}

_BY_ENTRY_KIND = {
    TimelineEntry.Kind.INCIDENT_OPENED: EventKind.INCIDENT_OPENED,
    TimelineEntry.Kind.PHASE_CHANGED: EventKind.PHASE_CHANGED,
    TimelineEntry.Kind.INCIDENT_REOPENED: EventKind.PHASE_CHANGED,
    TimelineEntry.Kind.DEADLINE_SET: EventKind.DEADLINE_SET,
    TimelineEntry.Kind.DEADLINE_MOVED: EventKind.DEADLINE_MOVED,
    TimelineEntry.Kind.DEADLINE_MISSED: EventKind.DEADLINE_MISSED,
    TimelineEntry.Kind.DEADLINE_MET: EventKind.DEADLINE_MET,
    TimelineEntry.Kind.NOTIFICATION_SENT: EventKind.NOTICE_SENT,
    TimelineEntry.Kind.NOTIFICATION_ACKNOWLEDGED: EventKind.NOTICE_ACKNOWLEDGED,
    TimelineEntry.Kind.EVIDENCE_ADDED: EventKind.EVIDENCE_ADDED,
}


def event_kind_for(entry: TimelineEntry) -> EventKind | None:
    """The event an entry is, or None: the one mapping from timeline kinds to event kinds."""
    if entry.kind == TimelineEntry.Kind.REMINDER_SENT:
        is_deadline_reminder = "deadline" in entry.data and entry.data["offset"] != OVERDUE_OFFSET
        return EventKind.DEADLINE_DUE_SOON if is_deadline_reminder else None
    if (
        entry.kind == TimelineEntry.Kind.NOTIFICATION_SENT
        and entry.data["notification"]["kind"] in _NOT_NOTICES
    ):
        return None
    return _BY_ENTRY_KIND.get(entry.kind)


def incident_url(reference: str) -> str:
    return f"{settings.SITE_URL}{reverse('incidents:detail', args=[reference])}"


def _deadline(data: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "citation": data["citation"],
        "recipient": data["recipient"],
        "regime": data["regime"],
        "due_at": data["due_at"],
        "standard": data["standard"],
        "due_words": due_words(data["due_at"], data["standard"], now=at),
    }


def _notice(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": data["kind"],
        "recipient_name": data["recipient_name"],
        "stakeholder": data["stakeholder"],
    }


def _details(kind: EventKind, entry: TimelineEntry) -> tuple[str, dict[str, Any]]:
    """The event's sentence and its facts, by kind, from the entry's data."""
    data = entry.data
    at = entry.recorded_at
    if kind == EventKind.INCIDENT_OPENED:
        return (
            f"Incident opened ({data['severity'].upper()})",
            {"severity": data["severity"], "vendors": [v["name"] for v in data["vendors"]]},
        )
    if kind == EventKind.PHASE_CHANGED:
        origin = data.get("from", "closed")
        return (
            f"Phase changed from {origin} to {data['to']}",
            {"phase": {"from": origin, "to": data["to"]}},
        )
    if kind == EventKind.EVIDENCE_ADDED:
        evidence = data["evidence"]
        return (
            f"Evidence added: {evidence['name']} ({evidence['size']:,} bytes)",
            {
                "evidence": {
                    key: evidence[key] for key in ("name", "sha256", "size", "content_type")
                }
            },
        )
    if kind in (EventKind.NOTICE_SENT, EventKind.NOTICE_ACKNOWLEDGED):
        notice = _notice(data["notification"])
        who = notice["stakeholder"] or notice["recipient_name"] or "the recipient"
        verb = "Notice sent to" if kind == EventKind.NOTICE_SENT else "Notice acknowledged by"
        return f"{verb} {who}", {"notice": notice}
    deadline = _deadline(data["deadline"], at)
    duty = f"{deadline['citation']} to {deadline['recipient']}"
    if kind == EventKind.DEADLINE_MET:
        deadline["met_at"] = data["met_at"]
        deadline["late"] = data["late"]
        return f"Deadline met{' late' if data['late'] else ''}: {duty}", {"deadline": deadline}
    if kind == EventKind.DEADLINE_MOVED:
        deadline["previous_due_at"] = data["previous_due_at"]
    if kind == EventKind.DEADLINE_DUE_SOON:
        deadline["reminder"] = data["offset"]
    sentence = {
        EventKind.DEADLINE_SET: "New deadline",
        EventKind.DEADLINE_MOVED: "Deadline moved",
        EventKind.DEADLINE_DUE_SOON: "Deadline due soon",
        EventKind.DEADLINE_MISSED: "Deadline missed",
    }[kind]
    return f"{sentence}: {duty}, {deadline['due_words']}", {"deadline": deadline}


def event_payload(
    *, event_id: uuid.UUID, kind: EventKind, entry: TimelineEntry, incident: dict[str, Any]
) -> dict[str, Any]:
    """The JSON event a webhook receiver gets (chat formats are rendered from it).

    ``{"id", "type", "occurred_at", "incident": {"reference", "title", "phase",
    "severity", "url"}, "actor", "text", ...}`` plus ``deadline``, ``phase``,
    ``notice`` or ``evidence`` by kind. Times are ISO 8601 in UTC.
    """
    text, details = _details(kind, entry)
    return {
        "id": str(event_id),
        "type": str(kind),
        "occurred_at": entry.recorded_at.isoformat(),
        "incident": {
            "reference": incident["reference"],
            "title": incident["title"],
            "phase": incident["phase"],
            "severity": incident["severity"],
            "url": incident_url(incident["reference"]),
        },
        "actor": entry.actor_name,
        "text": text,
        **details,
    }


def webhooks_emit(*, entry: TimelineEntry, incident: Incident) -> list[int]:
    """Write a delivery row per endpoint that wants this entry's event; returns their ids.

    Runs inside the change's transaction (the timeline's append); the rows
    are published to the broker after commit. A global endpoint gets no row
    for a restricted incident; an endpoint registered for the incident does.
    """
    kind = event_kind_for(entry)
    if kind is None:
        return []
    # An incident from lock_incident knows whether anyone listens, and is this
    # change's own fresh copy: its endpoints are read once for all its events.
    listeners = getattr(incident, "webhook_listeners", None)
    if listeners is False:
        return []
    endpoints = getattr(incident, "_webhook_endpoints", None)
    if endpoints is None:
        endpoints = list(WebhookEndpoint.objects.listening_to(incident.pk))
        if listeners is not None:
            incident._webhook_endpoints = endpoints
    endpoints = [endpoint for endpoint in endpoints if kind in endpoint.event_kinds]
    if not endpoints:
        return []
    if listeners is not None:
        current = {
            field: getattr(incident, field)
            for field in ("reference", "title", "phase", "severity", "restricted")
        }
    else:
        # Read again rather than trusting the caller's copy: whether the
        # incident is restricted decides who may hear about it.
        current = Incident.objects.values(
            "reference", "title", "phase", "severity", "restricted"
        ).get(pk=incident.pk)
    if current["restricted"]:
        endpoints = [endpoint for endpoint in endpoints if not endpoint.is_global]
        if not endpoints:
            return []
    event_id = uuid.uuid4()
    payload = event_payload(event_id=event_id, kind=kind, entry=entry, incident=current)
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            incident_id=incident.pk,
            entry=entry,
            event_id=event_id,
            event_kind=kind,
            payload=payload,
            created_at=entry.recorded_at,
            next_attempt_at=entry.recorded_at,
        )
        for endpoint in endpoints
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: publish_deliveries(ids))
    return ids
