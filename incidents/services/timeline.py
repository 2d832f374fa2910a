"""Checking and exporting an incident's hash-chained timeline."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from breachdesk.models import User
from incidents import events
from incidents.chain import GENESIS_HASH, chain_hash
from incidents.models import Incident, PrivilegedText, TimelineEntry
from incidents.permissions import abilities_for
from incidents.services.common import lock_incident

PRIVILEGED_EXPORT_NOT_ALLOWED = "Only Legal can export privileged texts."

# Verification streams entries rather than loading a long timeline at once.
VERIFY_CHUNK_SIZE = 2_000


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries_checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify_chain(incident: Incident) -> ChainCheck:
    """Recompute every hash from the stored rows and report the first break."""
    expected_prev = GENESIS_HASH
    checked = 0
    entries = TimelineEntry.objects.filter(incident=incident).order_by("seq")
    for entry in entries.iterator(chunk_size=VERIFY_CHUNK_SIZE):
        checked += 1
        if entry.seq != checked:
            return ChainCheck(
                False, checked - 1, checked, f"entry {checked} is missing (found {entry.seq})"
            )
        if entry.prev_hash != expected_prev:
            return ChainCheck(
                False, checked - 1, entry.seq, "its prev_hash is not the previous entry's hash"
            )
        recomputed = chain_hash(entry.prev_hash, events.entry_body(entry, incident.reference))
        if recomputed != entry.hash:
            return ChainCheck(
                False, checked - 1, entry.seq, "its content does not match its hash (altered)"
            )
        expected_prev = entry.hash
    return ChainCheck(True, checked)


def timeline_export_entries(incident: Incident, *, up_to_seq: int) -> Iterator[dict[str, Any]]:
    """The DESIGN.md export format: ``body``, ``prev_hash`` and ``hash`` in seq order."""
    entries = TimelineEntry.objects.filter(incident=incident, seq__lte=up_to_seq).order_by("seq")
    for entry in entries.iterator(chunk_size=VERIFY_CHUNK_SIZE):
        yield {
            "body": events.entry_body(entry, incident.reference),
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        }


def timeline_privileged_texts(incident: Incident, *, up_to_seq: int) -> dict[str, dict[str, str]]:
    """``{seq: {"text", "nonce"}}`` of the privileged notes up to ``up_to_seq``, for Legal's export.

    With these anyone can check each entry's ``text_sha256`` commitment.
    Callers must have checked the Legal ability; this reads whatever it is asked.
    """
    rows = PrivilegedText.objects.filter(
        entry__incident=incident, entry__seq__lte=up_to_seq
    ).values_list("entry__seq", "text", "nonce")
    return {str(seq): {"text": text, "nonce": nonce} for seq, text, nonce in rows}


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
    incident = lock_incident(incident)
    if include_privileged and not abilities_for(actor, incident).reads_privileged:
        raise PermissionDenied(PRIVILEGED_EXPORT_NOT_ALLOWED)
    last = (
        TimelineEntry.objects.filter(incident=incident)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    covers_seq, covers_hash = last or (0, GENESIS_HASH)
    entry = events.record_export_made(
        incident=incident,
        actor=actor,
        export_format=export_format,
        covers_seq=covers_seq,
        covers_hash=covers_hash,
        include_privileged=include_privileged,
    )
    return ExportRecord(entry=entry, covers_seq=covers_seq, include_privileged=include_privileged)
