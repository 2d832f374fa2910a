"""The incident page, and each of its panels on its own (htmx)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from breachdesk.types import HtmxHttpRequest
from incidents import selectors
from incidents.selectors.workspace import ROW_PARTIALS
from incidents.views.panel_forms import panel_forms
from incidents.views.responses import PAGE, render_panels


@require_GET
def incident_detail(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """The whole page; with ``?panel=<name>`` and htmx, that panel alone (its poll, say)."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    panel = request.GET.get("panel", "")
    if request.htmx and panel:
        if panel not in selectors.PANELS or panel in ROW_PARTIALS:
            raise Http404
        return HttpResponse(render_panels(request, ws, [panel]))
    names = [name for name in selectors.PANELS if name not in ROW_PARTIALS]
    context = {**selectors.panel_context(ws, names), **panel_forms(ws, names)}
    return render(request, PAGE, context)
