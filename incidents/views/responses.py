"""The one way an incident-page action answers: htmx success, htmx 422, or a redirect.

With htmx, the answer is the panel the action targeted, then, on success,
the other panels its change touched, as out-of-band swaps: one round trip.
The ``HX-Trigger`` header names what changed ("tasks-changed",
"timeline-changed", …) for anything else on the page that listens.
Without JavaScript the answer is a redirect back to the page (post, redirect,
get), with any refusal as a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django_htmx.http import trigger_client_event

from breachdesk.submissions import AlreadySubmitted
from incidents.exceptions import NothingChanged, TransitionNotAllowed
from incidents.selectors import Workspace, panel_context, workspace_after_change
from incidents.views.panel_forms import panel_forms

PAGE = "incidents/detail.html"
# Events are named for what changed; most panels are named for it already.
EVENTS = {"task-row": "tasks", "timeline-latest": "timeline", "note-form": "timeline"}


def errors_of(exc: ValidationError) -> list[str]:
    return (
        [message for messages in exc.message_dict.values() for message in messages]
        if hasattr(exc, "error_dict")
        else list(exc.messages)
    )


def attach(form, exc: ValidationError) -> None:
    """A service's ValidationError shown next to the field it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def form_messages(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


def render_panels(request, ws: Workspace, names, *, oob: bool = False, **context) -> str:
    """The named panels' partials, each with its read model and forms, concatenated."""
    names = list(names)
    shared = {**panel_context(ws, names), **panel_forms(ws, names), **context}
    return "".join(
        render_to_string(f"{PAGE}#{name}", {**shared, "oob": oob}, request) for name in names
    )


def panel_response(
    request,
    ws: Workspace,
    panel: str,
    *,
    changed=(),
    status: int = 200,
    errors=(),
    notices=(),
    redirect_to: str = "",
    **context,
) -> HttpResponse:
    """Answer an action: ``panel`` (with ``errors``, 422), plus ``changed`` out of band on success.

    ``notices`` say what happened when it is not what the user expects
    ("already saved").

    ``ws`` is the workspace as it stands after the action; ``context`` adds to
    the target panel's context (a bound form with its errors, say).
    """
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        for notice in notices:
            messages.info(request, notice)
        return redirect(redirect_to or ws.incident.get_absolute_url())
    body = render_panels(
        request, ws, [panel], panel_errors=list(errors), panel_notices=list(notices), **context
    )
    if status < 400:
        body += render_panels(request, ws, changed, oob=True)
    response = HttpResponse(body, status=status)
    if status < 400 and changed:
        for name in dict.fromkeys(EVENTS.get(name, name) for name in [panel, *changed]):
            trigger_client_event(response, f"{name}-changed")
    return response


def form_action(
    request, ws: Workspace, *, form, form_name: str, panel: str, changed=(), run
) -> HttpResponse:
    """Validate ``form``, run the service with its data, answer with the panels.

    On failure the panel comes back with the form and its errors (422), so
    nothing is saved and the responder sees why next to the field.
    """
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except (AlreadySubmitted, NothingChanged) as exc:
            return panel_response(
                request, workspace_after_change(ws), panel, changed=changed, notices=[str(exc)]
            )
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            attach(form, exc)
        else:
            return panel_response(request, workspace_after_change(ws), panel, changed=changed)
    return panel_response(
        request, ws, panel, status=422, errors=form_messages(form), **{form_name: form}
    )


def call_action(request, ws: Workspace, *, panel: str, changed=(), run) -> HttpResponse:
    """Run a service that needs no form; if it refuses, the panel says why (422).

    An action that changed nothing says so (``NothingChanged``), as a notice.
    """
    try:
        run()
    except NothingChanged as exc:
        return panel_response(request, ws, panel, notices=[str(exc)])
    except TransitionNotAllowed as exc:
        return panel_response(request, ws, panel, status=422, errors=[str(exc)])
    except ValidationError as exc:
        return panel_response(request, ws, panel, status=422, errors=errors_of(exc))
    return panel_response(request, workspace_after_change(ws), panel, changed=changed)
