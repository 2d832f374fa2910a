"""Checking and exporting an incident's hash-chained timeline."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from breachdesk.models import User
from incidents import events
from incidents.chain import GENESIS_HASH, chain_hash
from incidents.models import Incident, TimelineEntry

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


def timeline_export_entries(incident: Incident) -> Iterator[dict[str, Any]]:
    """The DESIGN.md export format: ``body``, ``prev_hash`` and ``hash`` in seq order."""
    entries = TimelineEntry.objects.filter(incident=incident).order_by("seq")
    for entry in entries.iterator(chunk_size=VERIFY_CHUNK_SIZE):
        yield {
            "body": events.entry_body(entry, incident.reference),
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        }


@transaction.atomic(durable=True)
def timeline_export_record(*, incident: Incident, actor: User, export_format: str):
    """Exports are part of the record: who took a copy of the timeline, and when."""
    return events.record_export_made(incident=incident, actor=actor, export_format=export_format)
