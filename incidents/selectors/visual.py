"""What the visual timeline draws, read in a fixed number of queries (three)."""

from datetime import datetime

from django.utils import timezone

from incidents.models import Deadline, Incident, Notification, TimelineEntry
from incidents.visual_timeline import DeadlineMark, Moment, NoticeMark, Span, VisualTimeline

_PHASE_KINDS = (TimelineEntry.Kind.PHASE_CHANGED, TimelineEntry.Kind.INCIDENT_REOPENED)
_HOLD_KINDS = (TimelineEntry.Kind.LEGAL_HOLD_PLACED, TimelineEntry.Kind.LEGAL_HOLD_LIFTED)
_DRAWN_KINDS = (
    TimelineEntry.Kind.INCIDENT_OPENED,
    *_PHASE_KINDS,
    *_HOLD_KINDS,
    TimelineEntry.Kind.EVIDENCE_ADDED,
)


def visual_timeline_for(*, incident: Incident, now: datetime | None = None) -> VisualTimeline:
    """The incident's key moments, phase spans, deadlines, notices, evidence and holds.

    Phases, holds and evidence come from the timeline's own entries (one
    query: ``data["to"]`` of each phase change, the file named when it was
    added, even if deleted since), so the drawing shows what the record says.
    """
    now = now or timezone.now()
    vt = VisualTimeline(now=now)
    for label, moment in (
        ("Breach occurred (estimate)", incident.occurred_at),
        ("Vendor became aware", incident.vendor_aware_at),
        ("We became aware", incident.discovered_at),
        ("Incident determined", incident.determined_at),
    ):
        if moment is not None:
            vt.key_moments.append(Moment(moment, label))

    changes = list(
        incident.timeline.filter(kind__in=_DRAWN_KINDS)
        .order_by("seq")
        .values_list("kind", "occurred_at", "data")
    )
    phase, since = "triage", incident.created_at
    hold_since = None
    for kind, at, data in changes:
        if kind == TimelineEntry.Kind.INCIDENT_OPENED:
            since = at
        elif kind == TimelineEntry.Kind.EVIDENCE_ADDED:
            vt.evidence.append(Moment(at, data.get("evidence", {}).get("name", "file")))
        elif kind in _PHASE_KINDS:
            vt.phases.append(Span(since, at, phase.capitalize(), phase))
            phase, since = data.get("to", phase), at
        elif kind == TimelineEntry.Kind.LEGAL_HOLD_PLACED:
            hold_since = at
        elif hold_since is not None:
            vt.legal_holds.append(Span(hold_since, at, "On legal hold", "hold"))
            hold_since = None
    vt.phases.append(Span(since, max(now, since), phase.capitalize(), phase))
    if hold_since is not None:
        vt.legal_holds.append(Span(hold_since, max(now, hold_since), "On legal hold", "hold"))

    for deadline in incident.deadlines.exclude(due_at=None).order_by("due_at"):
        status = deadline.status
        if status == Deadline.Status.PENDING and deadline.due_at < now:
            status = Deadline.Status.MISSED
        vt.deadlines.append(
            DeadlineMark(deadline.due_at, f"{deadline.regime}: {deadline.recipient}", status)
        )
    notices = incident.notifications.filter(
        kind__in=(Notification.Kind.PARTNER_NOTICE, Notification.Kind.REGULATOR_NOTICE)
    ).exclude(sent_at=None)
    for notice in notices.order_by("sent_at"):
        who = notice.recipient_name or notice.recipient_email
        vt.notices.append(NoticeMark(notice.sent_at, f"Sent to {who}", False))
        if notice.acknowledged_at:
            vt.notices.append(NoticeMark(notice.acknowledged_at, f"{who} acknowledged", True))
    return vt
