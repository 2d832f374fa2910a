from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from breachdesk.feed_keys import feed_key, incident_scope
from incidents import services
from incidents.models import Deadline
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db


def HELIX_CONTRACT() -> str:
    """Helix's contract clock: contract rules are named by the stakeholder's id."""
    from vendors.models import Stakeholder

    return f"contract:{Stakeholder.objects.get(name='Helix Health').pk}"


@pytest.fixture
def exposed(incident, responder):
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    return incident


def _url(incident, name, **kwargs):
    return reverse(name, kwargs={"reference": incident.reference, **kwargs})


def test_the_workspace_shows_deadlines_with_countdowns_and_citations(client, exposed, viewer):
    client.force_login(viewer)

    html = client.get(exposed.get_absolute_url()).content.decode()

    assert "GDPR Art. 33(1)" in html
    assert "h left" in html
    # Written out, not only in a hover title that a keyboard never reaches.
    assert "GDPR Art. 33(1) (confidence A)" in html


def test_legal_records_a_filing_from_the_deadline_page(client, exposed, legal):
    gdpr = Deadline.objects.get(incident=exposed, rule_id="gdpr-art33")
    client.force_login(legal)
    filed = timezone.localtime(timezone.now() - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")

    page = client.get(_url(exposed, "incidents:deadline", deadline_id=gdpr.pk))
    response = client.post(
        _url(exposed, "incidents:deadline-met", deadline_id=gdpr.pk),
        {"filed_at": filed, "reference": "DPC-2026-42"},
    )

    assert page.status_code == 200
    assert response.status_code == 302
    gdpr.refresh_from_db()
    assert gdpr.status == Deadline.Status.MET


def test_a_filing_time_before_the_clock_is_refused_on_the_page(client, exposed, legal):
    gdpr = Deadline.objects.get(incident=exposed, rule_id="gdpr-art33")
    client.force_login(legal)
    before = timezone.localtime(exposed.discovered_at - timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )

    response = client.post(
        _url(exposed, "incidents:deadline-met", deadline_id=gdpr.pk),
        {"filed_at": before, "reference": "x"},
    )

    assert response.status_code == 422
    assert "cannot have been met before then" in response.content.decode()


def test_legal_decides_not_required_with_a_rationale(client, exposed, legal):
    duty = Deadline.objects.get(incident=exposed, rule_id="gdpr-art34")
    client.force_login(legal)

    empty = client.post(
        _url(exposed, "incidents:deadline-waive", deadline_id=duty.pk), {"reason": ""}
    )
    decided = client.post(
        _url(exposed, "incidents:deadline-waive", deadline_id=duty.pk),
        {"reason": "Encrypted at rest, key not exposed"},
    )

    assert empty.status_code == 422
    assert decided.status_code == 302
    duty.refresh_from_db()
    assert duty.status == Deadline.Status.WAIVED


def test_a_viewer_cannot_decide(client, exposed, viewer):
    duty = Deadline.objects.get(incident=exposed, rule_id="gdpr-art34")
    client.force_login(viewer)

    response = client.post(
        _url(exposed, "incidents:deadline-waive", deadline_id=duty.pk), {"reason": "because"}
    )

    assert response.status_code == 403


def test_decisions_are_recorded_from_the_panel(client, exposed, commander):
    client.force_login(commander)

    response = client.post(
        _url(exposed, "incidents:decisions"), {"high_risk": "no"}, headers={"HX-Request": "true"}
    )

    exposed.refresh_from_db()
    assert response.status_code == 200
    assert exposed.high_risk is False
    assert not exposed.deadlines.filter(rule_id="gdpr-art34").exists()


def test_a_decision_in_the_future_is_refused_in_the_panel(client, exposed, commander):
    client.force_login(commander)
    later = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        _url(exposed, "incidents:decisions"),
        {"materiality_determined_at": later},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "in the future" in response.content.decode()


# --- the what-if page --------------------------------------------------------------------


def test_what_if_shows_clocks_for_entered_facts_and_saves_nothing(client, viewer):
    client.force_login(viewer)

    response = client.get(
        reverse("whatif"),
        {
            "aware_at": "2026-11-25T10:40",
            "role": "controller",
            "personal_data": "yes",
            "affected": "DE=1200, US-TX=300",
            "stakeholder_windows": "Helix Health=48",
        },
    )

    rules = {clock.rule: clock for clock in response.context["clocks"]}
    assert response.status_code == 200
    assert {"gdpr-art33", "us-tx", "us-tx-ag", "contract:1"} <= set(rules)
    assert rules["contract:1"].recipient == "Helix Health"
    assert not Deadline.objects.exists()


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"affected": "XX=5"}, "affected", "unknown jurisdiction code"),
        ({"affected": "DE=-3"}, "affected", "cannot be negative"),
        ({"affected": "DE=many"}, "affected", "whole number"),
        (
            {"materiality_determined_at": "2026-11-20T10:00"},
            "materiality_determined_at",
            "before we became aware",
        ),
        ({"aware_at": ""}, "aware_at", "required"),
    ],
)
def test_what_if_names_the_bad_field(client, viewer, params, field, words):
    client.force_login(viewer)

    response = client.get(
        reverse("whatif"), {"aware_at": "2026-11-25T10:40", "role": "controller", **params}
    )

    assert response.status_code == 422
    assert words in " ".join(response.context["form"].errors[field])


# --- calendar feeds ------------------------------------------------------------------------


def _events(response):
    calendar = Calendar.from_ical(response.content)
    return [component for component in calendar.walk("VEVENT")]


def test_the_incident_feed_parses_and_holds_its_deadlines(client, exposed, viewer):
    response = client.get(
        _url(exposed, "incidents:deadlines-ics"),
        {"key": feed_key(viewer, incident_scope(exposed.pk))},
    )

    events = _events(response)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    summaries = [str(event["SUMMARY"]) for event in events]
    assert any("GDPR Art. 33(1)" in s for s in summaries)
    assert all(s.startswith(f"[{exposed.reference}]") for s in summaries)
    gdpr = Deadline.objects.get(incident=exposed, rule_id="gdpr-art33")
    starts = {event.decoded("DTSTART") for event in events}
    assert gdpr.due_at.replace(microsecond=0) in starts


def test_my_feed_holds_every_incident_i_can_see(client, exposed, legal):
    response = client.get(reverse("deadlines-ics"), {"key": feed_key(legal)})

    assert len(_events(response)) == exposed.deadlines.exclude(due_at=None).count()


def test_a_wrong_key_gets_404(client, exposed):
    assert client.get(reverse("deadlines-ics"), {"key": "not-a-key"}).status_code == 404
    assert (
        client.get(
            reverse("deadlines-ics"), {"key": "5a4b3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d"}
        ).status_code
        == 404
    )


def test_a_rotated_key_stops_working(client, exposed, viewer):
    old_key = feed_key(viewer, incident_scope(exposed.pk))
    client.force_login(viewer)
    client.post(reverse("calendar-key"))
    client.logout()

    response = client.get(_url(exposed, "incidents:deadlines-ics"), {"key": old_key})

    assert response.status_code == 404


def test_a_key_does_not_open_an_incident_its_owner_cannot_see(client, exposed, outsider):
    response = client.get(
        _url(exposed, "incidents:deadlines-ics"),
        {"key": feed_key(outsider, incident_scope(exposed.pk))},
    )

    assert response.status_code == 404


def test_my_feed_leaves_out_incidents_i_cannot_see(client, exposed, outsider):
    response = client.get(reverse("deadlines-ics"), {"key": feed_key(outsider)})

    assert _events(response) == []


def test_viewers_are_not_offered_the_decisions_form(client, exposed, viewer):
    client.force_login(viewer)

    panel = client.get(
        f"{exposed.get_absolute_url()}?panel=decisions", headers={"HX-Request": "true"}
    )

    assert 'name="materiality_determined_at"' not in panel.content.decode()
