import pytest
from django.core import mail
from django.core.management import call_command

from incidents import timeline
from incidents.models import Incident, Notification, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return Incident.objects.get()


def test_the_demo_incident_is_partway_through_scoping(demo):
    assert demo.phase == Incident.Phase.SCOPING
    assert not demo.tasks.filter(phase="triage", status=Task.Status.OPEN).exists()
    assert demo.pauses.filter(resumed_at__isnull=True).count() == 2
    assert demo.scope_items.count() == 2
    assert timeline.verify_chain(demo).ok


def test_the_demo_has_notices_in_several_states(demo):
    statuses = set(demo.notifications.values_list("status", flat=True))

    assert {"queued", "failed", "draft"} <= statuses


def test_seeding_the_demo_sends_no_mail_itself(demo):
    assert mail.outbox == []
    assert not demo.notifications.filter(status=Notification.Status.SENT).exists()


def test_the_demo_notices_go_out_through_the_worker_once_the_seed_commits(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    demo = Incident.objects.get()
    assert demo.notifications.filter(status=Notification.Status.SENT).count() == len(mail.outbox)
    assert mail.outbox


def test_loading_the_demo_twice_leaves_one_incident(demo):
    call_command("seed_demo")

    assert Incident.objects.count() == 1
