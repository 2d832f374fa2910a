"""Working the incident's playbook tasks, row by row."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from breachdesk.submissions import AlreadySubmitted
from breachdesk.types import HtmxHttpRequest
from incidents import selectors, services
from incidents.exceptions import NothingChanged
from incidents.forms import TaskAddForm, TaskAssignForm, TaskSkipForm
from incidents.models import Task
from incidents.services.playbook_tasks import ONLY_COMMANDER_ADDS
from incidents.views.responses import attach, errors_of, form_messages, panel_response

# A task changes the phase gate (required tasks still open) and the timeline.
TASK_CHANGES = ("phase", "timeline-latest")


def _task(ws, task_id: int) -> Task:
    """Tasks are found within the incident, so a forged id of another is a 404."""
    return get_object_or_404(ws.incident.tasks.select_related("assignee"), pk=task_id)


def _row(
    request, ws, task_id: int, *, status=200, errors=(), notices=(), skip_form=None
) -> HttpResponse:
    """The task's row (or its skip form), after or instead of the change."""
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        for notice in notices:
            messages.info(request, notice)
        return redirect(f"{ws.incident.get_absolute_url()}#task-{task_id}")
    task = _task(ws, task_id)
    if skip_form is not None:
        return panel_response(
            request, ws, "task-skip-row", status=status, task=task, skip_form=skip_form
        )
    return panel_response(
        request,
        ws,
        "task-row",
        status=status,
        errors=errors,
        changed=TASK_CHANGES,
        task=task,
        task_errors=list(errors),
        task_notices=list(notices),
    )


def _run(request, reference: str, task_id: int, service, **kwargs) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    task = _task(ws, task_id)
    try:
        service(task=task, actor=request.user, **kwargs)
    except ValidationError as exc:
        return _row(request, ws, task_id, status=422, errors=errors_of(exc))
    except NothingChanged as exc:
        return _row(request, ws, task_id, notices=[str(exc)])
    return _row(request, selectors.workspace_after_change(ws), task_id)


@require_POST
def task_complete(request: HtmxHttpRequest, reference: str, task_id: int) -> HttpResponse:
    return _run(request, reference, task_id, services.task_complete)


@require_POST
def task_reopen(request: HtmxHttpRequest, reference: str, task_id: int) -> HttpResponse:
    return _run(request, reference, task_id, services.task_reopen)


@require_POST
def task_assign(request: HtmxHttpRequest, reference: str, task_id: int) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    form = TaskAssignForm(request.POST, incident=ws.incident)
    if not form.is_valid():
        return _row(request, ws, task_id, status=422, errors=form_messages(form))
    return _run(
        request, reference, task_id, services.task_assign, assignee=form.cleaned_data["assignee"]
    )


@require_http_methods(["GET", "POST"])
def task_skip(request: HtmxHttpRequest, reference: str, task_id: int) -> HttpResponse:
    """GET: the reason form (in the row with htmx, a page without). POST: skip the task."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    task = _task(ws, task_id)
    form = TaskSkipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_skip(task=task, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach(form, exc)
        else:
            return _row(request, selectors.workspace_after_change(ws), task_id)
    status = 422 if request.method == "POST" else 200
    if request.htmx:
        return _row(request, ws, task_id, status=status, skip_form=form)
    return render(
        request,
        "incidents/task_skip.html",
        {"incident": ws.incident, "task": task, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def task_add(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """GET: the form for a task the playbook did not foresee. POST: add it (commander only)."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    if not ws.abilities.commands:
        raise PermissionDenied(ONLY_COMMANDER_ADDS)
    form = TaskAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_add(incident=ws.incident, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted as exc:
            messages.info(request, str(exc))
            return redirect(f"{ws.incident.get_absolute_url()}#tasks")
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Task added."))
            return redirect(f"{ws.incident.get_absolute_url()}#task-{task.pk}")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "incidents/task_add.html", {"incident": ws.incident, "form": form}, status=status
    )
