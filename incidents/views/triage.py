"""Triage actions: pause engagements, approve resuming them, review the scope."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from breachdesk.types import HtmxHttpRequest
from incidents import selectors, services
from incidents.forms import PauseForm, ResumeApprovalForm, ScopeMarkForm
from incidents.selectors.questionnaires import vendor_reports
from incidents.views.responses import attach, form_action

# Pausing completes the "pause engagements" task, tells the owners (notices)
# and goes on the timeline.
PAUSE_CHANGES = ("tasks", "notifications", "timeline-latest")


@require_POST
def engagements_pause(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return form_action(
        request,
        ws,
        form=PauseForm(request.POST),
        form_name="pause_form",
        panel="triage",
        changed=PAUSE_CHANGES,
        run=lambda data: services.engagements_pause(
            incident=ws.incident, actor=request.user, reason=data["reason"]
        ),
    )


@require_POST
def pause_approve_resume(request: HtmxHttpRequest, reference: str, pause_id: int) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    pause = get_object_or_404(ws.incident.pauses, pk=pause_id)
    # A reason the form refuses (too long, NUL) is shown, not dropped while approving.
    return form_action(
        request,
        ws,
        form=ResumeApprovalForm(request.POST),
        form_name="resume_form",
        panel="triage",
        changed=("timeline-latest",),
        run=lambda data: services.pause_approve_resume(
            pause=pause, actor=request.user, reason=data["reason"]
        ),
    )


# --- the scope review -------------------------------------------------------------------------


def _scope_form(asset, item, data=None, report=None) -> ScopeMarkForm:
    """One row's form; the page names its fields ``asset-<id>-status`` and so on.

    The whole page is one form, so each row's fields carry the asset's id. A
    client marking a single asset may post them bare (``status``…) instead.
    """
    prefix = f"asset-{asset.pk}"
    if data is not None and f"{prefix}-status" not in data and "status" in data:
        data = {f"{prefix}-{name}": data.get(name, "") for name in ScopeMarkForm.base_fields}
    return ScopeMarkForm(data, prefix=prefix, item=item, report=report)


def _scope_page(request, ws, *, bound=None, page_errors=(), status=200):
    """The scope review; ``bound`` holds the posted forms of the rows to show again, by asset id."""
    rows = selectors.scope_rows(incident=ws.incident)
    reports = vendor_reports(incident=ws.incident)
    bound = bound or {}
    items = [item for _, item in rows if item]
    context = {
        "incident": ws.incident,
        "rows": [
            (
                asset,
                item,
                bound.get(asset.pk) or _scope_form(asset, item, report=reports.get(asset.pk)),
            )
            for asset, item in rows
        ],
        "abilities": ws.abilities,
        "scope": selectors.summarise_scope(items, len(rows)),
        "page_errors": list(page_errors),
    }
    return render(request, "incidents/scope.html", context, status=status)


@require_GET
def scope_review(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    return _scope_page(request, selectors.workspace_for(user=request.user, reference=reference))


@require_POST
def scope_review_mark(request: HtmxHttpRequest, reference: str, asset_id: int) -> HttpResponse:
    """Save one row of the scope review (its own Save button)."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    incident = ws.incident
    asset = get_object_or_404(selectors.held_assets(incident), pk=asset_id)
    item = incident.scope_items.filter(data_asset=asset).first()
    form = _scope_form(asset, item, request.POST)
    if form.is_valid():
        try:
            item = services.scope_review_mark(
                incident=incident, actor=request.user, data_asset=asset, **form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
    if form.errors and not request.htmx:
        return _scope_page(request, ws, bound={asset.pk: form}, status=422)
    if not request.htmx:
        return redirect(f"{reverse('incidents:scope', args=[incident.reference])}#asset-{asset.pk}")
    context = {
        "incident": incident,
        "asset": asset,
        "item": item,
        "form": form if form.errors else _scope_form(asset, item),
        "abilities": ws.abilities,
    }
    return render(
        request, "incidents/scope.html#scope-row", context, status=422 if form.errors else 200
    )


@require_POST
def scope_review_mark_all(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """Save every row the responder changed, in one go; rows left alone stay as they are.

    A row still on "Not reviewed yet" with nothing typed in it is left out;
    one that is wrong refuses the whole save, with every row's errors shown.
    """
    ws = selectors.workspace_for(user=request.user, reference=reference)
    rows = selectors.scope_rows(incident=ws.incident)
    reports = vendor_reports(incident=ws.incident)
    forms = {
        asset.pk: _scope_form(asset, item, request.POST, report=reports.get(asset.pk))
        for asset, item in rows
    }
    changed = {pk: form for pk, form in forms.items() if form.has_changed()}
    page_errors: list[str] = []
    # A list, not a generator: every changed row is validated, so all errors show at once.
    if all([form.is_valid() for form in changed.values()]):
        assets = {asset.pk: asset for asset, _item in rows}
        marks = [
            services.ScopeMark(data_asset=assets[pk], **form.cleaned_data)
            for pk, form in changed.items()
        ]
        try:
            services.scope_review_mark_many(incident=ws.incident, actor=request.user, marks=marks)
        except ValidationError as exc:
            page_errors = _attach_scope_errors(changed, exc)
        else:
            if marks:
                messages.success(
                    request,
                    ngettext(
                        "Recorded the review of %(count)d data asset.",
                        "Recorded the review of %(count)d data assets.",
                        len(marks),
                    )
                    % {"count": len(marks)},
                )
            else:
                messages.info(request, _("Nothing to save: no row was changed."))
            return redirect("incidents:scope", reference=ws.incident.reference)
    return _scope_page(request, ws, bound=changed, page_errors=page_errors, status=422)


def _attach_scope_errors(forms: dict[int, ScopeMarkForm], exc: ValidationError) -> list[str]:
    """Put the service's errors on their rows; returns those that belong to no row."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    unplaced = []
    for key, errors in exc.message_dict.items():
        form = forms.get(int(key)) if key.isdigit() else None
        if form is None:
            unplaced.extend(errors)
        else:
            form.add_error(None, errors)
    return unplaced
