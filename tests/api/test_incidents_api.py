"""The incidents' API keeps every rule of the pages: the gate, the services' checks (who may
note, waive, approve; four eyes), privileged text for Legal only, the forms' words."""

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Incident, TimelineEntry
from incidents.services.deadlines import NOT_LEGAL
from incidents.services.incidents import (
    CANNOT_OPEN,
    MAX_NOTE_LENGTH,
    NOTE_NOT_ALLOWED,
    PRIVILEGE_NOT_ALLOWED,
)
from incidents.services.notifications import FOUR_EYES, approvers_in_words
from tests.api.conftest import api_as
from tests.factories import IncidentFactory, StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db


def _url(incident, rest=""):
    return f"/api/v1/incidents/{incident.reference}/{rest}"


def test_a_member_reads_the_incident(incident, viewer):
    response = api_as(viewer).get(_url(incident))

    assert response.status_code == 200
    assert response.json()["reference"] == incident.reference


def test_a_non_member_of_a_restricted_incident_gets_404(incident, outsider, commander):
    Incident.objects.filter(pk=incident.pk).update(restricted=True)
    other_commander = type(commander).objects.create(username="c2")
    other_commander.groups.add(*commander.groups.all())

    assert api_as(outsider).get(_url(incident)).status_code == 404
    assert api_as(other_commander).get(_url(incident, "timeline/")).status_code == 404


def test_the_detail_has_an_etag_and_answers_304_when_it_is_current(incident, viewer):
    client = api_as(viewer)

    first = client.get(_url(incident))
    again = client.get(_url(incident), HTTP_IF_NONE_MATCH=first["ETag"])
    services.incident_set_severity(incident=incident, actor=incident.commander, severity="sev1")
    changed = client.get(_url(incident), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert not again.content
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_the_list_takes_the_pages_filters_and_search(commander):
    IncidentFactory(commander=commander, title="Parallax leak", severity="sev1")
    IncidentFactory(commander=commander, title="Orbital outage", severity="sev3")
    client = api_as(commander)

    searched = client.get("/api/v1/incidents/", {"q": "parall"}).json()["results"]
    filtered = client.get("/api/v1/incidents/", {"severity": "sev3"}).json()["results"]

    assert [i["title"] for i in searched] == ["Parallax leak"]
    assert [i["title"] for i in filtered] == ["Orbital outage"]


def test_a_malformed_filter_is_400_with_the_filters_words(commander):
    response = api_as(commander).get(
        "/api/v1/incidents/", {"aware_after": "2026-03-01", "aware_before": "2020-01-01"}
    )

    assert response.status_code == 400
    assert "The first date is after the second." in str(response.json())


def test_the_list_pages_by_cursor(commander):
    for n in range(3):
        IncidentFactory(commander=commander, title=f"Breach {n}")
    client = api_as(commander)

    first = client.get("/api/v1/incidents/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    seen = [i["reference"] for i in first["results"] + second["results"]]
    assert len(seen) == 3 == len(set(seen))
    assert second["next"] is None


def test_a_commander_opens_an_incident_with_the_forms_fields(commander, breached_vendor):
    response = api_as(commander).post(
        "/api/v1/incidents/",
        {
            "title": "Parallax Data breach",
            "vendors": [breached_vendor.pk],
            "source": "press_report",
            "severity": "sev1",
            "discovered_at": "2026-03-02T08:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201
    incident = Incident.objects.get(reference=response.json()["reference"])
    assert incident.commander == commander
    assert incident.timeline.filter(kind=TimelineEntry.Kind.INCIDENT_OPENED).exists()


def test_opening_twice_with_one_submission_token_opens_one_incident(commander, breached_vendor):
    body = {
        "title": "Parallax Data breach",
        "vendors": [breached_vendor.pk],
        "source": "press_report",
        "severity": "sev2",
        "discovered_at": "2026-03-02T08:00:00Z",
        "submission_token": "5b0b8d1e-2f0c-4f7e-9a51-0a3c2f9d7e11",
    }
    client = api_as(commander)

    first = client.post("/api/v1/incidents/", body, format="json")
    again = client.post("/api/v1/incidents/", body, format="json")

    assert again.json()["reference"] == first.json()["reference"]
    assert Incident.objects.count() == 1


def test_a_responder_cannot_open_an_incident(responder):
    response = api_as(responder).post("/api/v1/incidents/", {}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == CANNOT_OPEN


def test_opening_refuses_unknown_fields_by_name(commander, breached_vendor):
    response = api_as(commander).post(
        "/api/v1/incidents/",
        {"title": "x", "vendors": [breached_vendor.pk], "phase": "closed", "owner": 1},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"phase", "owner"}
    assert not Incident.objects.exists()


def test_a_note_too_long_gets_the_forms_words(incident, responder):
    response = api_as(responder).post(
        _url(incident, "timeline/"), {"text": "x" * (MAX_NOTE_LENGTH + 1)}, format="json"
    )

    assert response.status_code == 400
    assert "Attach long documents as evidence instead." in response.json()["text"][0]


def test_a_responder_adds_a_note(incident, responder):
    response = api_as(responder).post(
        _url(incident, "timeline/"), {"text": "Vendor confirmed the scope."}, format="json"
    )

    assert response.status_code == 201
    assert incident.timeline.filter(summary__contains="Vendor confirmed the scope.").exists()


def test_a_viewer_cannot_add_a_note(incident, viewer):
    response = api_as(viewer).post(_url(incident, "timeline/"), {"text": "Hi"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == NOTE_NOT_ALLOWED


def test_only_legal_marks_a_note_privileged(incident, responder):
    response = api_as(responder).post(
        _url(incident, "timeline/"), {"text": "Advice", "privileged": True}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == PRIVILEGE_NOT_ALLOWED


def test_privileged_text_is_given_to_legal_only(incident, legal, responder):
    services.note_add(incident=incident, actor=legal, text="Counsel: hold", privileged=True)

    as_legal = api_as(legal).get(_url(incident, "timeline/")).json()["results"]
    as_responder = api_as(responder).get(_url(incident, "timeline/"))

    assert [e["privileged_text"] for e in as_legal if e["privileged"]] == ["Counsel: hold"]
    assert "Counsel: hold" not in as_responder.content.decode()


def _open_deadline(incident):
    """GDPR's 72 hours, started by a confirmed exposure of EU health data."""
    services.scope_review_mark(
        incident=incident,
        actor=incident.commander,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    return incident.deadlines.get(rule_id="gdpr-art33")


def test_a_responder_cannot_waive_a_deadline(incident, responder):
    deadline = _open_deadline(incident)

    response = api_as(responder).post(
        _url(incident, f"deadlines/{deadline.pk}/waive/"), {"reason": "Encrypted"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == NOT_LEGAL


def test_waiving_without_a_reason_gets_the_pages_words(incident, legal):
    deadline = _open_deadline(incident)

    response = api_as(legal).post(
        _url(incident, f"deadlines/{deadline.pk}/waive/"), {"reason": "   "}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["reason"] == ["A reason is required; it goes on the timeline."]


def test_the_commander_marks_a_deadline_met(incident, commander):
    deadline = _open_deadline(incident)

    response = api_as(commander).post(
        _url(incident, f"deadlines/{deadline.pk}/met/"),
        {"filed_at": timezone.now().isoformat(), "reference": "Case 42"},
        format="json",
    )

    assert response.status_code == 200
    deadline.refresh_from_db()
    assert deadline.status == "met"
    assert deadline.met_reference == "Case 42"


def test_four_eyes_hold_through_the_api(incident, commander, responder):
    StakeholderContactFactory(
        stakeholder=Stakeholder.objects.get(name="Helix Health"), email="privacy@helix.example"
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
        records_affected=100,
    )
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)

    response = api_as(commander).post(
        _url(incident, f"notifications/{drafts[0].pk}/approve/"), {}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        FOUR_EYES.format(approvers=approvers_in_words(drafts[0]))
    ]
    drafts[0].refresh_from_db()
    assert drafts[0].status == "draft"


def test_the_whatif_clocks_answer_from_the_query(responder):
    response = api_as(responder).get(
        "/api/v1/clocks/",
        {
            "aware_at": "2026-03-01T09:00",
            "role": "controller",
            "personal_data": "yes",
            "affected": "DE=100",
        },
    )

    assert response.status_code == 200
    assert any("GDPR" in clock["regime"] for clock in response.json()["clocks"])


def test_the_whatif_clocks_refuse_an_unknown_parameter(responder):
    response = api_as(responder).get(
        "/api/v1/clocks/", {"aware_at": "2026-03-01T09:00", "role": "controller", "nope": "1"}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["nope"]
