"""The timeline's hash chain, exactly as DESIGN.md specifies it.

``hash = sha256_hex(prev_hash + canonical)`` where ``canonical`` is the UTF-8
of ``json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``.
Framework-free, so that anyone can check an export with this file alone.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with ``Z``, to the microsecond that the database keeps."""
    if moment.tzinfo is None:
        raise ValueError("timeline times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_or_none(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment else None


def make_body(
    *,
    seq: int,
    incident: str,
    occurred_at: datetime,
    recorded_at: datetime,
    actor: str,
    kind: str,
    summary: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "seq": seq,
        "incident": incident,
        "occurred_at": iso_utc(occurred_at),
        "recorded_at": iso_utc(recorded_at),
        "actor": actor,
        "kind": kind,
        "summary": summary,
        "data": data,
    }


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(body)).hexdigest()


def commitment(nonce: str, text: str) -> str:
    """``sha256_hex(nonce + text)``: what the chain holds of a privileged note's text."""
    return hashlib.sha256((nonce + text).encode()).hexdigest()
