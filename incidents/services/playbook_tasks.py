"""Working the playbook tasks of an incident (the Celery tasks are in incidents/tasks.py)."""

from datetime import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from breachdesk.models import User
from breachdesk.submissions import submission_claim
from incidents import timeline
from incidents.exceptions import NothingChanged
from incidents.models import Incident, Task
from incidents.permissions import abilities_for
from incidents.services.common import Need, lock_incident

NOT_WORKING = "Only members working this incident can change its tasks."
ASSIGNEE_NOT_MEMBER = "{name} is not a member of this incident; add them to the team first."
ASSIGNEE_ONLY_READS = (
    "{name} can only read this incident; assign the task to someone working it, or change "
    "their role on the team first."
)
ALREADY_DONE = "This task is already done."
ALREADY_SKIPPED = "This task was already skipped."
ALREADY_OPEN = "This task is already open."
SKIP_NEEDS_REASON = "Say why this task is being skipped."
REQUIRED_SKIP_NEEDS_COMMANDER = "Only the incident commander can skip a required task."
ALREADY_ASSIGNED = "The task is already assigned to {name}; nothing changed."
NOBODY_ASSIGNED = "The task is already unassigned; nothing changed."


TASK_TITLE_EMPTY = "Say what has to be done."
TASK_TITLE_TOO_LONG = "Keep the task title under {limit} characters."
TASK_DUE_BEFORE_AWARENESS = "A task cannot be due before we became aware of the incident."
ONLY_COMMANDER_ADDS = "Only the incident commander adds tasks."
TASK_INCIDENT_CLOSED = "The incident is closed; reopen it to add a task."


@transaction.atomic(durable=True)
def task_add(
    *,
    incident: Incident,
    actor: User,
    title: str,
    guidance: str = "",
    due_at: datetime | None = None,
    required: bool = False,
    assignee: User | None = None,
    submission_token: UUID | None = None,
) -> Task:
    """A task the playbook did not foresee, in the incident's current phase, at its end.

    Only the commander adds one. Raises ValidationError (empty or long title,
    a due time before awareness, an assignee not working the incident),
    AlreadySubmitted for a form sent twice, PermissionDenied otherwise.
    """
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=ONLY_COMMANDER_ADDS
    )
    if incident.is_closed:
        raise ValidationError(TASK_INCIDENT_CLOSED)
    title = " ".join(title.split())
    limit = Task._meta.get_field("title").max_length
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [TASK_TITLE_EMPTY]
    elif len(title) > limit:
        errors["title"] = [TASK_TITLE_TOO_LONG.format(limit=limit)]
    if due_at is not None and due_at < incident.discovered_at:
        errors["due_at"] = [TASK_DUE_BEFORE_AWARENESS]
    if assignee is not None:
        _check_assignee(incident, assignee)
    if errors:
        raise ValidationError(errors)
    submission_claim(submission_token, user=actor)
    last = incident.tasks.filter(phase=incident.phase).aggregate(last=Max("order"))["last"]
    task = Task.objects.create(
        incident=incident,
        phase=incident.phase,
        order=(last or 0) + 1,
        title=title,
        guidance=guidance.strip(),
        due_at=due_at,
        required=required,
        default_role=Task._meta.get_field("default_role").default,
        assignee=assignee,
    )
    timeline.record_task_added(task=task, actor=actor)
    earliest = incident.next_task_due_at
    if due_at is not None and (earliest is None or due_at < earliest):
        _set_next_task_due(incident, due_at)
    return task


def _check_assignee(incident: Incident, assignee: User) -> None:
    membership = incident.members.filter(user=assignee).first()
    if membership is None:
        raise ValidationError(
            {"assignee": [ASSIGNEE_NOT_MEMBER.format(name=assignee.display_name)]}
        )
    if not abilities_for(assignee, incident, membership).works:
        raise ValidationError(
            {"assignee": [ASSIGNEE_ONLY_READS.format(name=assignee.display_name)]}
        )


def _locked_task(task: Task, actor: User) -> Task:
    """Lock the incident (and so its chain), then re-read the task under the lock."""
    incident = lock_incident(task.incident, actor=actor, need=Need.WORK, refused=NOT_WORKING)
    task = Task.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=task.pk)
    task.incident = incident
    return task


@transaction.atomic(durable=True)
def task_assign(*, task: Task, actor: User, assignee: User | None) -> Task:
    task = _locked_task(task, actor)
    if assignee is not None:
        _check_assignee(task.incident, assignee)
    if task.assignee_id == (assignee.pk if assignee else None):
        raise NothingChanged(
            ALREADY_ASSIGNED.format(name=assignee.display_name) if assignee else NOBODY_ASSIGNED
        )
    old = task.assignee
    task.assignee = assignee
    task.save(update_fields=["assignee"])
    timeline.record_task_assigned(task=task, actor=actor, old=old)
    return task


@transaction.atomic(durable=True)
def task_complete(*, task: Task, actor: User) -> Task:
    task = _locked_task(task, actor)
    if task.status == Task.Status.DONE:
        raise ValidationError(ALREADY_DONE)
    _resolve(task, actor, Task.Status.DONE)
    timeline.record_task_completed(task=task, actor=actor)
    return task


@transaction.atomic(durable=True)
def task_skip(*, task: Task, actor: User, reason: str) -> Task:
    task = _locked_task(task, actor)
    if task.status == Task.Status.SKIPPED:
        raise ValidationError(ALREADY_SKIPPED)
    if task.status == Task.Status.DONE:
        raise ValidationError(ALREADY_DONE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [SKIP_NEEDS_REASON]})
    if task.required and not task.incident.abilities.commands:
        raise PermissionDenied(REQUIRED_SKIP_NEEDS_COMMANDER)
    task.skip_reason = reason
    _resolve(task, actor, Task.Status.SKIPPED)
    timeline.record_task_skipped(task=task, actor=actor)
    return task


@transaction.atomic(durable=True)
def task_reopen(*, task: Task, actor: User) -> Task:
    task = _locked_task(task, actor)
    if task.status == Task.Status.OPEN:
        raise ValidationError(ALREADY_OPEN)
    was = task.status
    task.status = Task.Status.OPEN
    task.resolved_at = None
    task.resolved_by = None
    task.skip_reason = ""
    task.done_note = task.done_link = ""
    task.save(
        update_fields=[
            "status",
            "resolved_at",
            "resolved_by",
            "skip_reason",
            "done_note",
            "done_link",
        ]
    )
    timeline.record_task_reopened(task=task, actor=actor, was=was)
    earliest = task.incident.next_task_due_at
    if task.due_at is not None and (earliest is None or task.due_at < earliest):
        _set_next_task_due(task.incident, task.due_at)
    return task


def _resolve(task: Task, actor: User | None, status: str) -> None:
    task.status = status
    task.resolved_at = timezone.now()
    task.resolved_by = actor
    task.save(update_fields=["status", "resolved_at", "resolved_by", "skip_reason"])
    if task.due_at is not None and task.due_at == task.incident.next_task_due_at:
        # The task that set the incident's earliest due time is closed: read
        # the next one (other closes leave it as it is, with no query).
        incident_next_task_refresh(task.incident)


def incident_next_task_refresh(incident: Incident) -> None:
    """Copy the earliest due time of an open task to ``incident.next_task_due_at``.

    In the caller's transaction, with the incident locked. The list's and
    dashboard's urgency order reads it (the most overdue tasks first).
    """
    earliest = incident.tasks.filter(status=Task.Status.OPEN, due_at__isnull=False).aggregate(
        earliest=Min("due_at")
    )["earliest"]
    if earliest != incident.next_task_due_at:
        _set_next_task_due(incident, earliest)


def _set_next_task_due(incident: Incident, due_at) -> None:
    incident.next_task_due_at = due_at
    incident.save(update_fields=["next_task_due_at"])


def playbook_tasks_complete_for_action(
    *, incident: Incident, action: str, actor: User | None, note: str = "", link: str = ""
) -> None:
    """A triage action that ran completes the open tasks it stands for.

    ``note`` says why when no one pressed the task's own button ("already
    paused…"), and ``link`` (a path) where to see it; the task row shows both.
    """
    for task in incident.tasks.select_for_update().filter(action=action, status=Task.Status.OPEN):
        task.incident = incident
        if note:
            task.done_note = note[: Task._meta.get_field("done_note").max_length]
            task.done_link = link
            task.save(update_fields=["done_note", "done_link"])
        _resolve(task, actor, Task.Status.DONE)
        timeline.record_task_completed(task=task, actor=actor, via=action)
