"""Working the playbook tasks of an incident (the Celery tasks are in incidents/tasks.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from breachdesk.models import User
from incidents import timeline
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
        membership = task.incident.members.filter(user=assignee).first()
        if membership is None:
            raise ValidationError(
                {"assignee": [ASSIGNEE_NOT_MEMBER.format(name=assignee.display_name)]}
            )
        if not abilities_for(assignee, task.incident, membership).works:
            raise ValidationError(
                {"assignee": [ASSIGNEE_ONLY_READS.format(name=assignee.display_name)]}
            )
    if task.assignee_id == (assignee.pk if assignee else None):
        return task
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
    task.save(update_fields=["status", "resolved_at", "resolved_by", "skip_reason"])
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
    *, incident: Incident, action: str, actor: User | None
) -> None:
    """A triage action that ran completes the open tasks it stands for."""
    for task in incident.tasks.select_for_update().filter(action=action, status=Task.Status.OPEN):
        task.incident = incident
        _resolve(task, actor, Task.Status.DONE)
        timeline.record_task_completed(task=task, actor=actor, via=action)
