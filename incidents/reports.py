"""The timeline as files for people outside the app: CSV rows and the PDF report; the list as CSV.

The JSON export (``views.timeline``) is the machine-checkable record; these
are for spreadsheets and for a lawyer's file. Both read only the entries an
export entry covers, and privileged words only when the caller says Legal
asked for them (``privileged`` is then the ``{seq: {"text", "nonce"}}`` of
``timeline.timeline_privileged_texts``).
"""

import json
import zoneinfo
from collections.abc import Iterator
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from incidents import timeline
from incidents.chain import GENESIS_HASH
from incidents.models import EXTERNAL_KINDS, Incident, TimelineReport
from incidents.selectors.readable import is_backdated, readable_summary
from incidents.selectors.visual import visual_timeline_for
from incidents.visual_timeline import render_svg, text_alternative

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


# --- the PDF report ---------------------------------------------------------------------------

PRIVILEGED_WITHHELD = "Privileged content withheld"


def timeline_report_context(report: TimelineReport) -> dict[str, Any]:
    """Everything the report template shows, read in a fixed number of queries.

    Entries are read as an iterator (chunks of ``timeline.VERIFY_CHUNK_SIZE``),
    so a long timeline is not held in memory twice.
    """
    incident = report.incident
    privileged = (
        timeline.timeline_privileged_texts(incident, up_to_seq=report.covers_seq)
        if report.include_privileged
        else None
    )
    entries = incident.timeline.filter(seq__lte=report.covers_seq).order_by("seq")
    head = entries.values_list("seq", "hash").last()
    withheld = entries.filter(data__privileged=True).count() if privileged is None else 0
    visual = visual_timeline_for(incident=incident, now=report.created_at)

    def localise(moment):
        return timezone.localtime(moment)

    def rows():
        for entry in entries.iterator(chunk_size=timeline.VERIFY_CHUNK_SIZE):
            words = ""
            if entry.is_privileged:
                words = (
                    privileged.get(str(entry.seq), {}).get("text", "")
                    if privileged is not None
                    else PRIVILEGED_WITHHELD
                )
            entry.readable = readable_summary(entry)
            entry.backdated = is_backdated(entry)
            yield entry, words

    return {
        "incident": incident,
        "report": report,
        "vendors": list(incident.vendors.order_by("name")),
        "deadlines": list(incident.deadlines.order_by("due_at", "rule_id")),
        "notices": list(
            incident.notifications.filter(kind__in=EXTERNAL_KINDS).order_by("created_at", "pk")
        ),
        "phases": visual.phases,
        "svg": mark_safe(  # noqa: S308 - every text in it is escaped by render_svg
            render_svg(visual, localise=localise, title=f"{incident.reference} on a time axis")
        ),
        "svg_text": text_alternative(visual, localise=localise),
        "rows": rows(),
        "head_seq": head[0] if head else 0,
        "head_hash": head[1] if head else GENESIS_HASH,
        "withheld": withheld,
        "privileged_mark": PRIVILEGED_MARK if privileged is not None else "",
        "zone": timezone.get_current_timezone_name(),
    }


def timeline_report_pdf(report: TimelineReport) -> bytes:
    """The report as PDF bytes, times in the requester's zone (WeasyPrint, HTML and CSS in)."""
    from weasyprint import HTML  # heavy (1 s import): only the worker pays for it

    zone = zoneinfo.ZoneInfo(report.requested_by.time_zone or "UTC")
    with timezone.override(zone):
        html = render_to_string("incidents/timeline_report.html", timeline_report_context(report))
    return HTML(string=html).write_pdf()


INCIDENT_LIST_CSV_HEADER = [
    "reference",
    "title",
    "severity",
    "phase",
    "vendors",
    "commander",
    "next_deadline_utc",
    "aware_since_utc",
    "open_tasks",
    "overdue_tasks",
    "restricted",
]
# Rows read from the database this many at a time, each batch with its vendors.
INCIDENT_LIST_CSV_CHUNK = 500


def _utc(moment) -> str:
    return (
        moment.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")
        if moment
        else ""
    )


def incident_list_csv_rows(incidents) -> Iterator[list[Any]]:
    """One list of cells per incident of ``incidents`` (``incident_list_for_user``, filtered).

    Times in UTC ISO 8601 with ``Z``; vendors joined with "; ". Read in
    batches of ``INCIDENT_LIST_CSV_CHUNK`` (one query for the batch, one for
    its vendors). Cells are neutralised against spreadsheet formulas by the
    writer (``breachdesk.spreadsheets.csv_response``), not here.
    """
    for incident in incidents.iterator(chunk_size=INCIDENT_LIST_CSV_CHUNK):
        yield [
            incident.reference,
            incident.title,
            incident.get_severity_display(),
            incident.get_phase_display(),
            "; ".join(vendor.name for vendor in incident.vendors.all()),
            incident.commander.display_name if incident.commander else "",
            _utc(incident.next_deadline_at),
            _utc(incident.discovered_at),
            incident.open_tasks,
            incident.overdue_tasks,
            "yes" if incident.restricted else "no",
        ]
