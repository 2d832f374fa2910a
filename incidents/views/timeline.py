"""The timeline for review, its exports (JSON with the hash chain, CSV, the PDF report),
and the chain's check."""

import json

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods

from breachdesk.spreadsheets import csv_response
from breachdesk.types import HtmxHttpRequest
from incidents import reports, selectors, services
from incidents import timeline as incident_timeline
from incidents.chain import iso_utc
from incidents.filters import TimelineFilter
from incidents.forms import LegalHoldForm, TimelineExportForm
from incidents.reports import PRIVILEGED_MARK
from incidents.visual_timeline import render_svg, text_alternative

TIMELINE_PAGE_SIZE = 100


@require_GET
def timeline(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """The timeline for review: filtered and ordered by the URL's query, a page at a time.

    A malformed filter (a date that is not one) is named next to its field
    with status 422; the other filters still apply.
    """
    ws = selectors.workspace_for(user=request.user, reference=reference)
    filters = TimelineFilter(
        request.GET or None,
        queryset=selectors.timeline_entries(incident=ws.incident),
        actors=selectors.timeline_actors(incident=ws.incident),
    )
    page = Paginator(filters.qs, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.readable_entries(
        selectors.with_privileged_texts(
            page.object_list, reads_privileged=ws.abilities.reads_privileged
        )
    )
    context = {"incident": ws.incident, "page": page, "filters": filters}
    status = 422 if filters.is_bound and not filters.is_valid() else 200
    if request.htmx:
        return render(request, "incidents/timeline.html#results", context, status=status)
    visual = selectors.visual_timeline_for(incident=ws.incident, now=ws.now)
    context |= {
        "abilities": ws.abilities,
        "hold_form": LegalHoldForm(),
        "svg": mark_safe(  # noqa: S308 - render_svg escapes every text it draws
            render_svg(visual, localise=localtime, title=f"{ws.incident.reference} on a time axis")
        ),
        "svg_text": text_alternative(visual, localise=localtime),
    }
    return render(request, "incidents/timeline.html", context, status=status)


def _export_form_or_record(request: HtmxHttpRequest, reference: str, export_format: str):
    """GET: the export form. POST: record the export in its own short transaction.

    DESIGN.md, Exports: the "export made" entry is committed first and names
    the last entry the file holds; a GET never writes. Returns ``(response,
    None)`` when the form is to be shown, else ``(None, (incident, record))``;
    the caller streams after this returns, so the incident's lock (taken by
    the service and released at its commit) is never held while streaming.
    """
    ws = selectors.workspace_for(user=request.user, reference=reference)
    incident = ws.incident
    form = TimelineExportForm(
        request.POST if request.method == "POST" else None,
        can_include_privileged=ws.abilities.reads_privileged,
    )
    if request.method == "GET" or not form.is_valid():
        context = {
            "incident": incident,
            "form": form,
            "export_format": export_format,
            "export_view": f"incidents:timeline-export-{export_format}",
        }
        status = 200 if request.method == "GET" else 422
        return render(request, "incidents/export.html", context, status=status), None
    record = services.timeline_export_record(
        incident=incident,
        actor=request.user,
        export_format=export_format,
        include_privileged=form.cleaned_data.get("include_privileged", False),
    )
    return None, (incident, record)


def _export_name(incident, record, extension: str) -> str:
    name = f"{incident.reference}-timeline-to-{record.covers_seq}"
    if record.include_privileged:
        name += "-Privileged-Confidential"
    return f"{name}.{extension}"


def _privileged_texts(incident, record):
    if not record.include_privileged:
        return None
    return incident_timeline.timeline_privileged_texts(incident, up_to_seq=record.covers_seq)


@require_http_methods(["GET", "POST"])
def timeline_export_json(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """GET: the export form. POST: record the export, then stream the chain it covers."""
    response, recorded = _export_form_or_record(request, reference, "json")
    if response is not None:
        return response
    incident, record = recorded
    privileged = _privileged_texts(incident, record)

    def document():
        yield "{"
        if privileged is not None:
            yield f'"classification":{json.dumps(PRIVILEGED_MARK)},'
        yield f'"incident":{json.dumps(incident.reference)},'
        yield f'"exported_at":{json.dumps(iso_utc(record.entry.recorded_at))},'
        yield f'"export_entry_seq":{record.entry.seq},'
        yield '"hash_chain":"sha256_hex(prev_hash + canonical(body)); first prev_hash is 64 zeros",'
        if privileged is not None:
            yield (
                '"privileged_commitment":"text_sha256 = sha256_hex(nonce + text)",'
                f'"privileged_texts":{json.dumps(privileged, ensure_ascii=False)},'
            )
        yield '"entries":['
        entries = incident_timeline.timeline_export_entries(incident, up_to_seq=record.covers_seq)
        for index, entry in enumerate(entries):
            yield ("," if index else "") + json.dumps(entry, ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(document(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_export_name(incident, record, "json")}"'
    )
    return response


@require_http_methods(["GET", "POST"])
def timeline_export_csv(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """GET: the export form. POST: record the export, then stream the entries as CSV.

    Every cell goes through ``breachdesk.spreadsheets.neutralise``: a summary
    someone typed as ``=cmd|...`` reaches the spreadsheet as text, not a formula.
    """
    response, recorded = _export_form_or_record(request, reference, "csv")
    if response is not None:
        return response
    incident, record = recorded
    privileged = _privileged_texts(incident, record)
    return csv_response(
        filename=_export_name(incident, record, "csv"),
        header=reports.timeline_csv_header(with_privileged=privileged is not None),
        rows=reports.timeline_csv_rows(
            incident, up_to_seq=record.covers_seq, privileged=privileged
        ),
    )


@require_http_methods(["GET", "POST"])
def timeline_export_pdf(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """GET: the export form. POST: record the export and queue the report for the worker.

    Laying out thousands of entries takes longer than a web request may
    wait, so the POST answers at once with the report's page, which offers
    the file when the worker has built it (DESIGN.md, Exports).
    """
    ws = selectors.workspace_for(user=request.user, reference=reference)
    form = TimelineExportForm(
        request.POST if request.method == "POST" else None,
        can_include_privileged=ws.abilities.reads_privileged,
    )
    if request.method == "GET" or not form.is_valid():
        context = {
            "incident": ws.incident,
            "form": form,
            "export_format": "pdf",
            "export_view": "incidents:timeline-export-pdf",
        }
        status = 200 if request.method == "GET" else 422
        return render(request, "incidents/export.html", context, status=status)
    report = services.timeline_report_request(
        incident=ws.incident,
        actor=request.user,
        include_privileged=form.cleaned_data.get("include_privileged", False),
    )
    return redirect("incidents:timeline-report", reference=reference, report_id=report.pk)


@require_GET
def timeline_report(request: HtmxHttpRequest, reference: str, report_id: int) -> HttpResponse:
    """The report's state; while it is being prepared the panel re-reads itself (htmx)."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    report = selectors.timeline_report_for(
        incident=ws.incident, user=request.user, report_id=report_id
    )
    context = {"incident": ws.incident, "report": report, "waited": ws.now - report.created_at}
    template = "incidents/report.html#report-status" if request.htmx else "incidents/report.html"
    return render(request, template, context)


@require_GET
def timeline_report_download(
    request: HtmxHttpRequest, reference: str, report_id: int
) -> HttpResponse:
    """The finished PDF, as an attachment the browser must not second-guess."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    report = selectors.timeline_report_for(
        incident=ws.incident, user=request.user, report_id=report_id
    )
    if report.status != report.Status.READY:
        raise Http404("The report is not ready.")
    name = f"{ws.incident.reference}-timeline-report-to-{report.covers_seq}"
    if report.include_privileged:
        name += "-Privileged-Confidential"
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"{name}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def timeline_verify(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    result = incident_timeline.verify_chain(ws.incident)
    return render(request, "incidents/verify.html", {"incident": ws.incident, "result": result})
