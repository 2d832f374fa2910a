"""The dashboard as a cockpit: what is burning first, the week's deadlines, notices, vendors."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import DELIVERY_UNCERTAIN_PREFIX, Deadline, Incident, Notification
from incidents.selectors.lists import DASHBOARD_VENDORS, upcoming_deadlines
from incidents.selectors.notices import failed_notices_for
from tests.factories import IncidentFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _deadline(incident, hours, citation="GDPR Art. 33(1)", rule_id=None):
    due = timezone.now() + timedelta(hours=hours)
    deadline = incident.deadlines.create(
        rule_id=rule_id or f"contract:{uuid.uuid4()}",
        regime="Contract",
        recipient="Helix Health",
        citation=citation,
        confidence="A",
        standard="48 hours",
        trigger="aware_at",
        starts_at=due - timedelta(hours=72),
        due_at=due,
        status=Deadline.Status.PENDING,
    )
    Incident.objects.filter(pk=incident.pk).update(next_deadline_at=due)
    return deadline


def _notice(incident, *, status, last_error="", sent_hours_ago=None, subject="Notice"):
    sent_at = None if sent_hours_ago is None else timezone.now() - timedelta(hours=sent_hours_ago)
    return Notification.objects.create(
        incident=incident,
        kind=Notification.Kind.PARTNER_NOTICE,
        recipient_name="Helix privacy",
        recipient_email="privacy@helix.example",
        subject=subject,
        body_text="Text",
        body_html="<p>Text</p>",
        status=status,
        message_id=f"<{uuid.uuid4()}@breachdesk.test>",
        ack_nonce=uuid.uuid4(),
        last_error=last_error,
        sent_at=sent_at,
        failed_at=timezone.now() if status == Notification.Status.FAILED else None,
    )


def _rows(response):
    return [incident.reference for incident in response.context["incidents"]]


def test_the_dashboard_puts_the_incident_with_the_nearest_deadline_first(client, commander):
    newest_without_deadline = IncidentFactory(commander=commander, severity="sev1")
    later = IncidentFactory(commander=commander, severity="sev1")
    sooner = IncidentFactory(commander=commander, severity="sev3")
    _deadline(later, 51)
    _deadline(sooner, 5)
    client.force_login(commander)

    response = client.get(reverse("home"))

    assert _rows(response) == [sooner.reference, later.reference, newest_without_deadline.reference]


def test_overdue_tasks_on_the_dashboard_say_overdue_in_words(client, incident, commander):
    incident.tasks.filter(phase="triage").update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(commander)

    page = client.get(reverse("home")).content.decode()

    assert (
        '<span class="badge badge-overdue"><span aria-hidden="true">⚠</span> 4 overdue</span>'
        in page
    )


def test_an_overdue_deadline_on_the_dashboard_says_overdue_in_words(client, incident, commander):
    _deadline(incident, -3)
    client.force_login(commander)

    page = client.get(reverse("home")).content.decode()

    assert "overdue by 3 h 0 m" in page
    assert "badge-overdue" in page


def test_the_dashboard_lists_deadlines_of_the_next_7_days_only(client, incident, commander):
    soon = _deadline(incident, 30, citation="Due within the week")
    _deadline(incident, 8 * 24, citation="Due next fortnight")
    client.force_login(commander)

    response = client.get(reverse("home"))

    assert soon in response.context["deadlines"]
    assert [d.citation for d in response.context["deadlines"]].count("Due next fortnight") == 0
    assert "Due within the week" in response.content.decode()


def test_the_weeks_deadlines_leave_out_incidents_the_reader_may_not_see(
    client, commander, legal, incident
):
    hidden = IncidentFactory(commander=commander, restricted=True)
    _deadline(hidden, 10, citation="Secret duty")
    client.force_login(legal)

    response = client.get(reverse("home"))

    assert "Secret duty" not in response.content.decode()


def test_the_dashboard_lists_vendors_with_open_incidents_and_how_many(client, commander):
    cobalt = VendorFactory(name="Cobalt Labs", slug="cobalt")
    IncidentFactory(commander=commander, vendors=[cobalt])
    IncidentFactory(commander=commander, vendors=[cobalt])
    closed_only = VendorFactory(name="Quiet Vendor", slug="quiet")
    closed = IncidentFactory(commander=commander, vendors=[closed_only])
    Incident.objects.filter(pk=closed.pk).update(phase=Incident.Phase.CLOSED)
    client.force_login(commander)

    response = client.get(reverse("home"))

    vendors = {vendor.name: vendor.open_incidents for vendor in response.context["vendors"]}
    assert vendors["Cobalt Labs"] == 2
    assert "Quiet Vendor" not in vendors
    assert "2 open incidents" in response.content.decode()


def test_the_dashboard_shows_failed_and_uncertain_notices_each_named(client, incident, commander):
    _notice(incident, status=Notification.Status.FAILED, last_error="550", subject="Bounced one")
    _notice(
        incident,
        status=Notification.Status.FAILED,
        last_error=f"{DELIVERY_UNCERTAIN_PREFIX} the worker stopped",
        subject="Maybe arrived",
    )
    _notice(incident, status=Notification.Status.SENT, sent_hours_ago=1, subject="Went fine")
    client.force_login(commander)

    page = client.get(reverse("home")).content.decode()

    assert "Bounced one" in page
    assert "Maybe arrived" in page
    assert "Went fine" not in page
    assert "Delivery uncertain" in page
    assert "Failed" in page


def test_the_dashboard_shows_notices_unacknowledged_after_the_alert_delay(
    client, incident, commander
):
    _notice(incident, status=Notification.Status.SENT, sent_hours_ago=49, subject="Still waiting")
    _notice(incident, status=Notification.Status.SENT, sent_hours_ago=2, subject="Just sent")
    client.force_login(commander)

    page = client.get(reverse("home")).content.decode()

    assert "Still waiting" in page
    assert "Not acknowledged" in page
    assert "Just sent" not in page


def test_notices_of_incidents_the_reader_may_not_see_stay_off_the_dashboard(
    client, commander, legal, incident
):
    hidden = IncidentFactory(commander=commander, restricted=True)
    _notice(hidden, status=Notification.Status.FAILED, subject="Secret bounce")
    client.force_login(legal)

    page = client.get(reverse("home")).content.decode()

    assert "Secret bounce" not in page


def test_the_dashboard_panels_poll_every_30_seconds(client, commander):
    client.force_login(commander)

    page = client.get(reverse("home")).content.decode()

    assert 'hx-trigger="every 30s, live:resume"' in page
    assert "data-live" in page


def test_a_poll_gets_the_panels_without_the_page_around_them(client, incident, commander):
    client.force_login(commander)

    response = client.get(reverse("home"), headers=HTMX)

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="dashboard-panels"')
    assert incident.reference in body
    assert "<html" not in body


def test_polling_the_dashboard_does_not_keep_the_session_alive(client, commander):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(commander)
        client.get(reverse("home"))
        # Polls every 30 s; stepping 30 min at a time keeps the test quick.
        for _ in range(12 * 2):
            clock.shift(timedelta(minutes=30))
            client.get(reverse("home"), headers=HTMX)
        clock.shift(timedelta(seconds=1))

        response = client.get(reverse("home"), headers=HTMX)

    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_the_dashboard_costs_the_same_queries_with_10_or_60_busy_incidents(client, commander):
    responder = UserFactory(roles=["Responder"])

    def add(count):
        for n in range(count):
            incident = IncidentFactory(
                commander=commander,
                vendors=[VendorFactory()],
                team={responder: "responder"},
            )
            _deadline(incident, n + 1)
            _notice(incident, status=Notification.Status.FAILED, subject=f"Bounced {n}")
            _notice(incident, status=Notification.Status.SENT, sent_hours_ago=50)
            task = incident.tasks.first()
            task.assignee = responder
            task.save()

    client.force_login(responder)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    add(10)
    small = count()
    add(50)

    assert count() == small


def _plan_without_scans_or_sorts(sql: str) -> str:
    """PostgreSQL's plan of ``sql`` when it may neither scan a table whole nor sort.

    On a test's few rows a scan is cheapest, so it is ruled out; ruling out
    the sort too leaves only an index that gives the rows in order.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.services("postgres")
def test_the_weeks_deadlines_are_read_in_order_from_the_owed_deadlines_index(commander):
    """Issue 14: at 10,000 incidents a sort of every owed deadline cost 33 ms a dashboard."""
    for hours in (-5, 3, 30, 400):
        _deadline(IncidentFactory(commander=commander), hours)
    with CaptureQueriesContext(connection) as queries:
        upcoming_deadlines(user=commander)

    plan = _plan_without_scans_or_sorts(queries[-1]["sql"])

    assert "deadline_owed_idx" in plan, plan


@pytest.mark.services("postgres")
def test_the_failed_notices_are_read_from_their_own_index(commander):
    incident = IncidentFactory(commander=commander)
    _notice(incident, status=Notification.Status.FAILED)

    with CaptureQueriesContext(connection) as queries:
        list(failed_notices_for(commander))

    plan = _plan_without_scans_or_sorts(queries[-1]["sql"])

    assert "notification_failed_idx" in plan, plan


def test_vendors_tied_on_open_incidents_are_listed_by_name_up_to_a_screenful(client, commander):
    busiest = VendorFactory(name="Zeta Busy", slug="zeta")
    tied = [VendorFactory(name=f"Tied {n:02d}", slug=f"tied-{n:02d}") for n in range(30)]
    IncidentFactory(commander=commander, vendors=[busiest])
    IncidentFactory(commander=commander, vendors=[busiest])
    for vendor in reversed(tied):
        IncidentFactory(commander=commander, vendors=[vendor])
    client.force_login(commander)

    response = client.get(reverse("home"))

    shown = [(vendor.name, vendor.open_incidents) for vendor in response.context["vendors"]]
    assert shown[0] == ("Zeta Busy", 2)
    assert shown[1:] == [(f"Tied {n:02d}", 1) for n in range(DASHBOARD_VENDORS - 1)]


def test_the_vendor_counts_leave_out_restricted_incidents_the_reader_is_not_on(
    client, commander, legal
):
    vendor = VendorFactory(name="Cobalt Labs", slug="cobalt")
    IncidentFactory(commander=commander, vendors=[vendor])
    IncidentFactory(commander=commander, vendors=[vendor], restricted=True)
    client.force_login(legal)

    response = client.get(reverse("home"))

    assert [(v.name, v.open_incidents) for v in response.context["vendors"]] == [("Cobalt Labs", 1)]
