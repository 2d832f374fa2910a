"""Two beats running at once (a deploy that started a second one): each reminder goes out once.

Both beats run the reminder sweep every second and two workers take their
sweeps at the same time; the mail server counts every escalation by its
Message-ID.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Deadline, DeadlineReminder, Notification, TimelineEntry
from incidents.services.deadlines import ESCALATION
from tests.factories import IncidentFactory
from tests.faults.helpers import wait_for
from vendors.models import DataAsset

pytestmark = [
    pytest.mark.services("postgres", "redis-server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SWEEP = "sweep-deadline-reminders"


@pytest.fixture
def overdue_incident(commander, responder, legal, breached_vendor):
    """Confirmed exposure of EU health data found ten days ago: every deadline has passed."""
    from incidents.email_templates import ensure_email_templates
    from incidents.playbooks import ensure_default_playbook

    ensure_default_playbook()
    ensure_email_templates()
    incident = IncidentFactory(
        commander=commander,
        vendors=[breached_vendor],
        discovered_at=timezone.now() - timedelta(days=10),
        team={responder: "responder", legal: "legal"},
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    return incident


def test_two_beats_at_once_send_each_escalation_exactly_once(
    overdue_incident, smtp_server, celery_worker, two_beats
):
    due = list(
        Deadline.objects.filter(
            incident=overdue_incident, next_reminder_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    assert len(due) >= 2, "the incident should have several deadlines past due"
    # Each to the commander and to the incident's Legal member.
    expected = 2 * len(due)

    wait_for(
        lambda: all(beat.ticks(SWEEP) >= 3 for beat in two_beats), 60, "three ticks of each beat"
    )
    wait_for(lambda: len(smtp_server.envelopes) >= expected, 60, f"{expected} escalations")
    # Room for a duplicate to arrive, had there been one.
    time.sleep(3)

    escalations = Notification.objects.filter(
        incident=overdue_incident, kind=Notification.Kind.ESCALATION
    )
    assert escalations.count() == expected
    message_ids = smtp_server.message_ids()
    assert len(message_ids) == expected
    assert sorted(message_ids) == sorted(escalations.values_list("message_id", flat=True))
    assert DeadlineReminder.objects.filter(
        deadline__in=due, offset=ESCALATION, notified=True
    ).count() == len(due)
    missed = TimelineEntry.objects.filter(incident=overdue_incident, kind="deadline_missed")
    # A duty with no fixed time escalates past its internal target but is never "missed".
    fixed = Deadline.objects.filter(pk__in=due, due_at__isnull=False).count()
    assert missed.count() == fixed
