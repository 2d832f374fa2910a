"""A partner notice nobody acknowledged: one alert to the commander, a mark on the panel."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from incidents import selectors, services
from incidents.models import Notification, TimelineEntry
from incidents.tasks import deadlines_sweep_task
from tests.factories import IncidentFactory, StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(incident, commander, responder, legal, django_capture_on_commit_callbacks):
    """One partner notice to Helix, sent now."""
    StakeholderContactFactory(
        stakeholder=Stakeholder.objects.get(name="Helix Health"), email="privacy@helix.example"
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
        records_affected=10,
    )
    [notice], _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    services.notification_approve(notification=notice, actor=legal)
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=incident, actor=commander)
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    return notice


def _alerts(incident):
    return list(
        incident.notifications.filter(
            kind=Notification.Kind.REMINDER, subject__contains="not acknowledged"
        )
    )


def test_a_notice_unacknowledged_after_48_hours_alerts_the_commander(sent, commander):
    with time_machine.travel(sent.sent_at + timedelta(hours=48, minutes=1), tick=False):
        alerted = services.notifications_unacknowledged_sweep()

    [alert] = _alerts(sent.incident)
    assert alerted == 1
    assert alert.recipient_email == commander.email
    assert "privacy@helix.example (Helix Health)" in alert.body_text
    assert "is not acknowledged after 48 h" in alert.body_text
    entry = sent.incident.timeline.order_by("-seq").first()
    assert entry.kind == TimelineEntry.Kind.REMINDER_SENT
    assert "not acknowledged after 48 h" in entry.summary


def test_the_alert_goes_out_once_however_often_the_sweep_runs(sent):
    with time_machine.travel(sent.sent_at + timedelta(hours=49), tick=False):
        services.notifications_unacknowledged_sweep()
        services.notifications_unacknowledged_sweep()
        deadlines_sweep_task()

    assert len(_alerts(sent.incident)) == 1


def test_the_beat_sweep_sends_the_alert(sent):
    with time_machine.travel(sent.sent_at + timedelta(hours=49), tick=False):
        deadlines_sweep_task()

    assert len(_alerts(sent.incident)) == 1


def test_before_the_limit_nothing_is_sent(sent):
    with time_machine.travel(sent.sent_at + timedelta(hours=47, minutes=59), tick=False):
        assert services.notifications_unacknowledged_sweep() == 0

    assert _alerts(sent.incident) == []


def test_an_acknowledged_notice_alerts_nobody(sent):
    token = services.notice_composition.ack_token(sent.ack_nonce)
    services.notification_acknowledge(token=token)

    with time_machine.travel(sent.sent_at + timedelta(hours=72), tick=False):
        assert services.notifications_unacknowledged_sweep() == 0


def test_the_limit_is_the_ack_alert_hours_setting(sent, settings):
    settings.ACK_ALERT_HOURS = 2

    with time_machine.travel(sent.sent_at + timedelta(hours=2, minutes=1), tick=False):
        assert services.notifications_unacknowledged_sweep() == 1

    assert "not acknowledged after 2 h" in _alerts(sent.incident)[0].body_text


def test_the_panel_says_not_acknowledged_after_48_hours(client, sent, commander):
    client.force_login(commander)
    url = reverse("incidents:detail", args=[sent.incident.reference])

    before = client.get(url).content.decode()
    with time_machine.travel(sent.sent_at + timedelta(hours=49), tick=False):
        client.force_login(commander)  # a session idle for two days has ended
        after = client.get(url).content.decode()

    assert "Not acknowledged after 48 h" not in before
    assert "Not acknowledged after 48 h" in after


def test_unacknowledged_notices_for_lists_the_overdue_notices_of_visible_incidents(
    sent, commander, outsider
):
    with time_machine.travel(sent.sent_at + timedelta(hours=49), tick=False):
        mine = list(selectors.unacknowledged_notices_for(commander))
        theirs = list(selectors.unacknowledged_notices_for(outsider))

    assert mine == [sent]
    assert theirs == []


def test_unacknowledged_notices_for_leaves_out_those_not_yet_overdue(sent, commander):
    assert list(selectors.unacknowledged_notices_for(commander)) == []


def test_unacknowledged_notices_for_reads_in_one_query(
    sent, commander, django_assert_num_queries, breached_vendor
):
    IncidentFactory(commander=commander, vendors=[breached_vendor])
    later = timezone.now() + timedelta(hours=49)
    with time_machine.travel(later, tick=False), django_assert_num_queries(1):
        rows = [
            (n.incident.reference, n.stakeholder.name)
            for n in selectors.unacknowledged_notices_for(commander)
        ]

    assert rows == [(sent.incident.reference, "Helix Health")]
