"""Exports of the timeline: recorded on the timeline itself before the file is streamed."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from breachdesk.models import User
from incidents import timeline
from incidents.chain import GENESIS_HASH
from incidents.models import Incident, TimelineEntry
from incidents.permissions import abilities_for
from incidents.services.common import lock_incident

PRIVILEGED_EXPORT_NOT_ALLOWED = "Only Legal can export privileged texts."


@dataclass(frozen=True)
class ExportRecord:
    entry: TimelineEntry
    covers_seq: int
    include_privileged: bool


@transaction.atomic(durable=True)
def timeline_export_record(
    *, incident: Incident, actor: User, export_format: str, include_privileged: bool = False
) -> ExportRecord:
    """Exports are part of the record: who took a copy of which entries, and when.

    The entry names the last entry the export covers (its seq and hash); the
    caller streams exactly those entries after this commits (DESIGN.md, Exports).
    Raises PermissionDenied when privileged texts are asked for without the
    Legal ability on the incident.
    """
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
    return ExportRecord(entry=entry, covers_seq=covers_seq, include_privileged=include_privileged)
