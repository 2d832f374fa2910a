"""The timeline as files for people outside the app: CSV rows and the PDF report.

The JSON export (``views.timeline``) is the machine-checkable record; these
are for spreadsheets and for a lawyer's file. Both read only the entries an
export entry covers, and privileged words only when the caller says Legal
asked for them (``privileged`` is then the ``{seq: {"text", "nonce"}}`` of
``timeline.timeline_privileged_texts``).
"""

import json
from collections.abc import Iterator
from typing import Any

from incidents import timeline
from incidents.models import Incident

PRIVILEGED_MARK = "Privileged & Confidential"

CSV_HEADER = [
    "seq",
    "occurred_at_utc",
    "recorded_at_utc",
    "actor",
    "kind",
    "summary",
    "data",
    "prev_hash",
    "hash",
]
CSV_PRIVILEGED_HEADER = ["privileged_text", "privileged_nonce", "classification"]


def timeline_csv_header(*, with_privileged: bool) -> list[str]:
    return CSV_HEADER + (CSV_PRIVILEGED_HEADER if with_privileged else [])


def timeline_csv_rows(
    incident: Incident,
    *,
    up_to_seq: int,
    privileged: dict[str, dict[str, str]] | None = None,
) -> Iterator[list[Any]]:
    """One list of cells per entry, in seq order; times in UTC ISO 8601 with ``Z``.

    ``data`` is compact JSON (the hashed form), so a reader can still re-check
    an entry by hand. Cells are neutralised against spreadsheet formulas by
    the writer (``breachdesk.spreadsheets.csv_response``), not here. With
    ``privileged`` each row also carries the note's text and nonce (empty for
    other entries) and the "Privileged & Confidential" mark, so that no row
    copied out of the file loses its classification.
    """
    for item in timeline.timeline_export_entries(incident, up_to_seq=up_to_seq):
        body = item["body"]
        row = [
            body["seq"],
            body["occurred_at"],
            body["recorded_at"],
            body["actor"],
            body["kind"],
            body["summary"],
            json.dumps(body["data"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            item["prev_hash"],
            item["hash"],
        ]
        if privileged is not None:
            words = privileged.get(str(body["seq"]), {})
            row += [words.get("text", ""), words.get("nonce", ""), PRIVILEGED_MARK]
        yield row
