"""Evidence files and legal hold: pages for Legal and the team working the incident."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from breachdesk.submissions import AlreadySubmitted
from breachdesk.types import HtmxHttpRequest
from incidents import selectors, services
from incidents.forms import EvidenceDeleteForm, EvidenceUploadForm, LegalHoldForm
from incidents.views.responses import attach, form_messages


def _evidence_page(request, ws, *, form=None, status=200) -> HttpResponse:
    context = {
        "incident": ws.incident,
        "abilities": ws.abilities,
        "evidence": selectors.incident_evidence(incident=ws.incident),
        "form": form or EvidenceUploadForm(),
        "delete_form": EvidenceDeleteForm(),
        "evidence_max_mb": settings.EVIDENCE_MAX_MB,
    }
    return render(request, "incidents/evidence.html", context, status=status)


@require_http_methods(["GET", "POST"])
def evidence(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """GET: the incident's files and the upload form. POST: add a file."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    if request.method == "GET":
        return _evidence_page(request, ws)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.evidence_add(
                incident=ws.incident,
                actor=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                submission_token=form.cleaned_data["submission_token"],
            )
        except AlreadySubmitted as exc:
            messages.info(request, str(exc))
            return redirect("incidents:evidence", reference=reference)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": added.original_name})
            return redirect("incidents:evidence", reference=reference)
    return _evidence_page(request, ws, form=form, status=422)


@require_POST
def evidence_download(request: HtmxHttpRequest, reference: str, evidence_id: int) -> HttpResponse:
    """Record who takes a copy, then stream the file as an attachment (chain of custody)."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    item = selectors.evidence_for(incident=ws.incident, evidence_id=evidence_id)
    services.evidence_record_download(evidence=item, actor=request.user)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def evidence_delete(request: HtmxHttpRequest, reference: str, evidence_id: int) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    item = selectors.evidence_for(incident=ws.incident, evidence_id=evidence_id)
    form = EvidenceDeleteForm(request.POST)
    if form.is_valid():
        try:
            services.evidence_delete(
                evidence=item, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Deleted %(name)s.") % {"name": item.original_name})
            return redirect("incidents:evidence", reference=reference)
    for error in form_messages(form):
        messages.error(request, error)
    return _evidence_page(request, ws, status=422)


@require_POST
def legal_hold(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """Place the hold if it is off, lift it if it is on; back to the timeline either way."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    form = LegalHoldForm(request.POST)
    service = (
        services.incident_lift_legal_hold
        if ws.incident.legal_hold
        else services.incident_place_legal_hold
    )
    if form.is_valid():
        try:
            service(incident=ws.incident, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach(form, exc)
    for error in form_messages(form):
        messages.error(request, error)
    return redirect("incidents:timeline", reference=reference)
