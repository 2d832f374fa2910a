import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services, timeline
from incidents.models import Task, TimelineEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(incident):
    return incident.tasks.get(title__startswith="Preserve evidence")


def _last_entry(incident):
    return TimelineEntry.objects.filter(incident=incident).order_by("-seq").first()


def test_a_responder_completes_a_task(incident, task, responder):
    services.task_complete(task=task, actor=responder)

    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert task.resolved_by == responder
    assert _last_entry(incident).summary == "Task done: Preserve evidence"


def test_completing_a_done_task_again_is_refused(task, responder):
    services.task_complete(task=task, actor=responder)

    with pytest.raises(ValidationError, match="already done"):
        services.task_complete(task=task, actor=responder)


def test_a_viewer_cannot_work_tasks(task, viewer):
    with pytest.raises(PermissionDenied):
        services.task_complete(task=task, actor=viewer)


def test_a_non_member_cannot_work_tasks_even_if_they_can_read(task, legal, outsider):
    with pytest.raises(PermissionDenied):
        services.task_complete(task=task, actor=outsider)


def test_a_task_is_assigned_to_a_member(incident, task, commander, responder):
    services.task_assign(task=task, actor=commander, assignee=responder)

    task.refresh_from_db()
    assert task.assignee == responder
    assert _last_entry(incident).data["to"]["username"] == "responder"


def test_a_task_cannot_be_assigned_to_a_non_member(task, commander, outsider):
    with pytest.raises(ValidationError, match="not a member"):
        services.task_assign(task=task, actor=commander, assignee=outsider)


def test_a_task_cannot_be_assigned_to_a_member_who_only_reads(task, commander, viewer):
    with pytest.raises(ValidationError, match="can only read this incident"):
        services.task_assign(task=task, actor=commander, assignee=viewer)

    task.refresh_from_db()
    assert task.assignee is None


def test_the_assignee_list_offers_only_members_working_the_incident(incident, viewer):
    from incidents.forms import TaskAssignForm

    offered = set(TaskAssignForm(incident=incident).fields["assignee"].queryset)

    assert viewer not in offered
    assert {m.user for m in incident.members.exclude(role="viewer")} == offered


def test_skipping_needs_a_reason(task, commander):
    with pytest.raises(ValidationError, match="Say why"):
        services.task_skip(task=task, actor=commander, reason="")


def test_skipping_a_required_task_needs_the_commander(task, responder):
    with pytest.raises(PermissionDenied):
        services.task_skip(task=task, actor=responder, reason="not relevant")


def test_a_skipped_task_keeps_its_reason_on_the_timeline(incident, task, commander):
    services.task_skip(task=task, actor=commander, reason="Vendor holds no logs of ours.")

    task.refresh_from_db()
    assert task.status == Task.Status.SKIPPED
    assert _last_entry(incident).data["reason"] == "Vendor holds no logs of ours."


def test_reopening_a_task_clears_its_resolution(incident, task, responder):
    services.task_complete(task=task, actor=responder)

    services.task_reopen(task=task, actor=responder)

    task.refresh_from_db()
    assert (task.status, task.resolved_by, task.resolved_at) == (Task.Status.OPEN, None, None)
    assert _last_entry(incident).kind == "task_reopened"


def test_every_task_change_keeps_the_chain_valid(incident, task, commander, responder):
    services.task_assign(task=task, actor=commander, assignee=responder)
    services.task_complete(task=task, actor=responder)
    services.task_reopen(task=task, actor=responder)

    assert timeline.verify_chain(incident).ok
