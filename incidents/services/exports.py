"""Exports of the timeline: recorded on the timeline itself before the file is made.

JSON and CSV are streamed by the view straight after ``timeline_export_record``
commits. The PDF report takes longer to lay out than a web request may wait
(5,000 entries: about 35 s on a 2-core machine with WeasyPrint 70), so
``timeline_report_request`` records the export and queues the worker, which
builds the file with ``timeline_report_build``.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from breachdesk.models import User
from incidents import reports, timeline
from incidents.chain import GENESIS_HASH
from incidents.models import Incident, TimelineEntry, TimelineReport
from incidents.permissions import abilities_for
from incidents.services.common import lock_incident

logger = logging.getLogger(__name__)

PRIVILEGED_EXPORT_NOT_ALLOWED = "Only Legal can export privileged texts."
BUILD_TASK = "incidents.tasks.timeline_report_build_task"
# A build holds ``building`` for one layout (35 s at 5,000 entries); a row
# still there after this belonged to a worker that died, and may be retried.
BUILD_TIMEOUT = timedelta(minutes=5)


@dataclass(frozen=True)
class ExportRecord:
    entry: TimelineEntry
    covers_seq: int
    include_privileged: bool


def _record_export(
    *, incident: Incident, actor: User, export_format: str, include_privileged: bool
) -> tuple[Incident, ExportRecord]:
    incident = lock_incident(incident, actor=actor, need=None, open_only=False)
    if include_privileged and not abilities_for(actor, incident).reads_privileged:
        raise PermissionDenied(PRIVILEGED_EXPORT_NOT_ALLOWED)
    last = (
        TimelineEntry.objects.filter(incident=incident)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    covers_seq, covers_hash = last or (0, GENESIS_HASH)
    entry = timeline.record_export_made(
        incident=incident,
        actor=actor,
        export_format=export_format,
        covers_seq=covers_seq,
        covers_hash=covers_hash,
        include_privileged=include_privileged,
    )
    return incident, ExportRecord(
        entry=entry, covers_seq=covers_seq, include_privileged=include_privileged
    )


@transaction.atomic(durable=True)
def timeline_export_record(
    *, incident: Incident, actor: User, export_format: str, include_privileged: bool = False
) -> ExportRecord:
    """Exports are part of the record: who took a copy of which entries, and when.

    The entry names the last entry the export covers (its seq and hash); the
    caller streams exactly those entries after this commits (DESIGN.md, Exports),
    so the incident's lock is released before the first byte is sent.
    Raises PermissionDenied when privileged texts are asked for without the
    Legal ability on the incident.
    """
    _, record = _record_export(
        incident=incident,
        actor=actor,
        export_format=export_format,
        include_privileged=include_privileged,
    )
    return record


def _publish_build(report_id: int) -> None:
    """Hand the build to the broker; found by name, as services never import the task module."""
    try:
        current_app.tasks[BUILD_TASK].apply_async(kwargs={"report_id": report_id}, retry=False)
    except Exception:  # the broker's own errors vary by transport; the row says "preparing"
        logger.warning("Could not queue timeline report %s.", report_id, exc_info=True)


@transaction.atomic(durable=True)
def timeline_report_request(
    *, incident: Incident, actor: User, include_privileged: bool = False
) -> TimelineReport:
    """Record a PDF export and queue its build; returns the ``preparing`` report row.

    Raises PermissionDenied as ``timeline_export_record`` does.
    """
    incident, record = _record_export(
        incident=incident,
        actor=actor,
        export_format="pdf",
        include_privileged=include_privileged,
    )
    report = TimelineReport.objects.create(
        incident=incident,
        export_entry=record.entry,
        requested_by=actor,
        covers_seq=record.covers_seq,
        include_privileged=record.include_privileged,
        created_at=timezone.now(),
    )
    transaction.on_commit(lambda pk=report.pk: _publish_build(pk))
    return report


def _claim(report_id: int) -> bool:
    """preparing (or a build abandoned past BUILD_TIMEOUT) → building: one worker wins."""
    now = timezone.now()
    claimable = TimelineReport.objects.filter(pk=report_id).filter(
        status=TimelineReport.Status.PREPARING
    ) | TimelineReport.objects.filter(
        pk=report_id,
        status=TimelineReport.Status.BUILDING,
        claimed_at__lt=now - BUILD_TIMEOUT,
    )
    return bool(claimable.update(status=TimelineReport.Status.BUILDING, claimed_at=now))


def timeline_report_build(*, report_id: int) -> str:
    """Lay out the PDF, store it, mark the row ready; a duplicate task finds nothing to do.

    The file is stored before the row points at it, and removed again if the
    row cannot take it, so there is never a row without its file nor a file
    without its row. Returns the row's final status.
    """
    if not _claim(report_id):
        return TimelineReport.objects.get(pk=report_id).status
    report = TimelineReport.objects.select_related("incident", "requested_by").get(pk=report_id)
    try:
        pdf = reports.timeline_report_pdf(report)
    except Exception as exc:
        logger.exception("Timeline report %s could not be built.", report_id)
        TimelineReport.objects.filter(pk=report_id, status=TimelineReport.Status.BUILDING).update(
            status=TimelineReport.Status.FAILED, error=str(exc)[:2_000], finished_at=timezone.now()
        )
        return TimelineReport.Status.FAILED
    name = default_storage.save(
        f"timeline-reports/{report.incident_id}/{report.pk}.pdf", ContentFile(pdf)
    )
    stored = TimelineReport.objects.filter(
        pk=report_id, status=TimelineReport.Status.BUILDING
    ).update(status=TimelineReport.Status.READY, file=name, finished_at=timezone.now())
    if not stored:
        default_storage.delete(name)
    return TimelineReport.objects.get(pk=report_id).status
