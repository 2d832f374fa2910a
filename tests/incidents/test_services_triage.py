import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.exceptions import NothingChanged
from incidents.models import EngagementPause, Task, TimelineEntry
from tests.factories import EngagementFactory, UserFactory
from vendors.models import Engagement, Vendor

pytestmark = pytest.mark.django_db

REASON = "Breach under investigation"


def _last_entry(incident):
    return TimelineEntry.objects.filter(incident=incident).order_by("-seq").first()


def test_pause_stops_every_active_engagement_with_the_vendor(incident, commander, breached_vendor):
    second = EngagementFactory(vendor=breached_vendor, name="Evaluation")
    ended = EngagementFactory(vendor=breached_vendor, name="Old work", status="ended")
    elsewhere = EngagementFactory(name="Other vendor work")

    pauses = services.engagements_pause(incident=incident, actor=commander, reason=REASON)

    assert {p.engagement.name for p in pauses} == {"Annotation", "Evaluation"}
    assert Engagement.objects.get(pk=second.pk).status == Engagement.Status.PAUSED
    assert Engagement.objects.get(pk=ended.pk).status == Engagement.Status.ENDED
    assert Engagement.objects.get(pk=elsewhere.pk).status == Engagement.Status.ACTIVE
    assert Vendor.objects.get(pk=breached_vendor.pk).status == Vendor.Status.PAUSED
    assert all(p.reason == REASON and p.paused_by == commander for p in pauses)


def test_pause_is_one_timeline_entry_and_completes_its_task(incident, commander):
    services.engagements_pause(incident=incident, actor=commander, reason=REASON)

    entries = TimelineEntry.objects.filter(incident=incident).order_by("-seq")[:2]
    assert [e.kind for e in entries] == ["task_completed", "engagement_paused"]
    assert entries[1].data["reason"] == REASON
    task = incident.tasks.get(action=Task.Action.PAUSE_ENGAGEMENTS)
    assert task.status == Task.Status.DONE


def test_pause_needs_a_reason(incident, commander):
    with pytest.raises(ValidationError, match="Say why"):
        services.engagements_pause(incident=incident, actor=commander, reason="  ")

    assert not EngagementPause.objects.exists()


def test_pausing_when_nothing_is_active_says_so(incident, commander):
    services.engagements_pause(incident=incident, actor=commander, reason=REASON)

    with pytest.raises(NothingChanged, match="none is active"):
        services.engagements_pause(incident=incident, actor=commander, reason=REASON)


def test_a_viewer_cannot_pause(incident, viewer):
    with pytest.raises(PermissionDenied):
        services.engagements_pause(incident=incident, actor=viewer, reason=REASON)


@pytest.fixture
def pause(incident, commander):
    return services.engagements_pause(incident=incident, actor=commander, reason=REASON)[0]


def test_resuming_needs_the_commander_and_legal(incident, pause, commander, legal):
    services.pause_approve_resume(pause=pause, actor=commander, reason="Vendor remediated")
    pause.refresh_from_db()
    assert pause.is_open

    services.pause_approve_resume(pause=pause, actor=legal)

    pause.refresh_from_db()
    assert not pause.is_open
    assert pause.engagement.status == Engagement.Status.ACTIVE
    assert pause.engagement.vendor.status == Vendor.Status.ACTIVE
    kinds = list(
        TimelineEntry.objects.filter(incident=incident)
        .order_by("-seq")
        .values_list("kind", flat=True)[:3]
    )
    assert kinds == ["engagement_resumed", "resume_approved", "resume_approved"]


def test_the_first_approval_needs_a_reason(pause, commander):
    with pytest.raises(ValidationError, match="safe to resume"):
        services.pause_approve_resume(pause=pause, actor=commander, reason="")


def test_one_person_cannot_give_both_approvals(incident, pause, commander):
    legal_group = commander.groups.model.objects.get(name="Legal")
    commander.groups.add(legal_group)
    services.pause_approve_resume(pause=pause, actor=commander, reason="Fixed")

    with pytest.raises(ValidationError, match="already approved"):
        services.pause_approve_resume(pause=pause, actor=commander)

    pause.refresh_from_db()
    assert pause.is_open


def test_two_legal_approvals_do_not_resume(pause, legal):
    other_legal = UserFactory(roles=["Legal"])
    services.pause_approve_resume(pause=pause, actor=legal, reason="Fixed")

    with pytest.raises(ValidationError, match="someone else"):
        services.pause_approve_resume(pause=pause, actor=other_legal)


def test_a_responder_cannot_approve_resuming(pause, responder):
    with pytest.raises(PermissionDenied):
        services.pause_approve_resume(pause=pause, actor=responder, reason="Fixed")


def test_the_vendor_stays_paused_while_another_engagement_is_paused(
    incident, commander, legal, breached_vendor
):
    EngagementFactory(vendor=breached_vendor, name="Evaluation")
    first, _ = services.engagements_pause(incident=incident, actor=commander, reason=REASON)

    services.pause_approve_resume(pause=first, actor=commander, reason="Fixed")
    services.pause_approve_resume(pause=first, actor=legal)

    assert Vendor.objects.get(pk=breached_vendor.pk).status == Vendor.Status.PAUSED
