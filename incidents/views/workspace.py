"""The incident page, and each of its panels on its own (htmx)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from breachdesk.types import HtmxHttpRequest
from incidents import selectors
from incidents.selectors.workspace import ROW_PARTIALS
from incidents.views.panel_forms import panel_forms
from incidents.views.responses import PAGE, render_panels

# A polling panel draws itself with a fingerprint of its state (``seen``);
# when a poll finds the state moved on, the panels that change touched come
# along out of band. The worker sending a notice adds timeline entries, can
# meet a partner's contract deadline, and so can move the header's next deadline.
POLL_COMPANIONS = {"notifications": ("notices_seen", ("timeline-latest", "deadlines", "header"))}


@require_GET
def incident_detail(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """The whole page; with ``?panel=<name>`` and htmx, that panel alone (its poll, say)."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    panel = request.GET.get("panel", "")
    if request.htmx and panel:
        if panel not in selectors.PANELS or panel in ROW_PARTIALS:
            raise Http404
        return HttpResponse(_poll_answer(request, ws, panel))
    names = [name for name in selectors.PANELS if name not in ROW_PARTIALS]
    context = {**selectors.panel_context(ws, names), **panel_forms(ws, names)}
    return render(request, PAGE, context)


def _poll_answer(request: HtmxHttpRequest, ws: selectors.Workspace, panel: str) -> str:
    """The panel, plus its companions out of band if its state moved on since ``?seen=``."""
    html = render_panels(request, ws, [panel])
    if panel not in POLL_COMPANIONS:
        return html
    key, companions = POLL_COMPANIONS[panel]
    seen = request.GET.get("seen", "")
    if seen and seen != selectors.panel_context(ws, [panel])[key]:
        html += render_panels(request, ws, companions, oob=True)
    return html
