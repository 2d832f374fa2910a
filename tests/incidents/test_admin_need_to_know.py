"""The Django admin reads incidents under the same need-to-know gate as the app.

A staff superuser who is not on a restricted incident's team sees none of it
in the admin: not the incident, nor its tasks, timeline entries, scope items,
pauses, notifications or deadlines. Timeline entries are read-only there, and
privileged notes' texts are not in the admin at all.
"""

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Incident, TimelineEntry
from tests.factories import StakeholderContactFactory, UserFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db

ADVICE = "Counsel advises holding the regulator call until Thursday (zephyr-quill)."
SECRET_WORD = "zephyr-quill"

# Each admin of an incident's rows, with the row's way to its incident.
ROWS = {
    "incident": "pk",
    "task": "incident_id",
    "timelineentry": "incident_id",
    "scopeitem": "incident_id",
    "engagementpause": "incident_id",
    "notification": "incident_id",
    "deadline": "incident_id",
}


@pytest.fixture
def restricted(incident, commander, responder):
    """A restricted incident with a row of every kind the admin lists."""
    StakeholderContactFactory(stakeholder=Stakeholder.objects.get(name="Helix Health"))
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    services.engagements_pause(incident=incident, actor=commander, reason="Press report")
    services.notifications_draft_partner_notices(incident=incident, actor=commander)
    Incident.objects.filter(pk=incident.pk).update(restricted=True)
    incident.refresh_from_db()
    return incident


def _changelist(client, model: str, **query):
    return client.get(reverse(f"admin:incidents_{model}_changelist"), query)


def _incidents_listed(response, model: str) -> set[int]:
    return {getattr(row, ROWS[model]) for row in response.context["cl"].result_list}


def _rows_of(incident, model: str):
    if model == "incident":
        return Incident.objects.filter(pk=incident.pk)
    related = {
        "task": "tasks",
        "timelineentry": "timeline",
        "scopeitem": "scope_items",
        "engagementpause": "pauses",
        "notification": "notifications",
        "deadline": "deadlines",
    }[model]
    return getattr(incident, related).all()


# --- need-to-know ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ROWS)
def test_a_restricted_incidents_rows_are_absent_from_the_admin_for_a_non_member(
    admin_client, restricted, model
):
    assert _rows_of(restricted, model).exists()

    response = _changelist(admin_client, model)

    assert response.status_code == 200
    assert restricted.pk not in _incidents_listed(response, model)


def test_a_restricted_incident_is_not_named_on_the_admin_list(admin_client, restricted):
    response = _changelist(admin_client, "incident")

    assert restricted.reference not in response.content.decode()


def test_the_admin_change_page_of_a_restricted_incident_redirects_a_non_member(
    admin_client, restricted
):
    response = admin_client.get(reverse("admin:incidents_incident_change", args=[restricted.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_the_admin_page_of_a_restricted_incidents_timeline_entry_redirects_a_non_member(
    admin_client, restricted
):
    entry = restricted.timeline.first()

    response = admin_client.get(reverse("admin:incidents_timelineentry_change", args=[entry.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_an_unrestricted_incident_is_in_the_admin_for_staff(admin_client, incident):
    response = _changelist(admin_client, "timelineentry")

    assert incident.pk in _incidents_listed(response, "timelineentry")


def test_a_staff_member_of_the_team_sees_the_restricted_incident_in_the_admin(
    client, restricted, commander
):
    staff = UserFactory(is_staff=True, is_superuser=True)
    services.member_add(incident=restricted, actor=commander, user=staff, role="viewer")
    client.force_login(staff)

    response = _changelist(client, "timelineentry")

    assert restricted.pk in _incidents_listed(response, "timelineentry")


# --- read-only -------------------------------------------------------------------------


def test_timeline_entries_cannot_be_added_in_the_admin(admin_client, incident):
    response = admin_client.get(reverse("admin:incidents_timelineentry_add"))

    assert response.status_code == 403


def test_timeline_entries_cannot_be_changed_in_the_admin(admin_client, incident):
    entry = incident.timeline.first()

    response = admin_client.post(
        reverse("admin:incidents_timelineentry_change", args=[entry.pk]),
        {"summary": "rewritten", "kind": entry.kind, "seq": entry.seq},
    )

    assert response.status_code == 403
    assert TimelineEntry.objects.get(pk=entry.pk).summary == entry.summary


def test_timeline_entries_cannot_be_deleted_in_the_admin(admin_client, incident):
    entry = incident.timeline.first()

    response = admin_client.post(
        reverse("admin:incidents_timelineentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert TimelineEntry.objects.filter(pk=entry.pk).exists()


# --- privileged notes ------------------------------------------------------------------


def test_privileged_texts_are_not_in_the_admin(admin_client, incident):
    index = admin_client.get(reverse("admin:index"))

    response = admin_client.get("/admin/incidents/privilegedtext/")

    assert response.status_code == 404
    assert "privileged" not in index.content.decode().lower()


def test_searching_timeline_entries_in_the_admin_for_privileged_words_finds_nothing(
    admin_client, incident, legal
):
    services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)

    response = _changelist(admin_client, "timelineentry", q=SECRET_WORD)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_the_admin_page_of_a_privileged_note_does_not_show_its_text(admin_client, incident, legal):
    note = services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)

    response = admin_client.get(reverse("admin:incidents_timelineentry_change", args=[note.pk]))

    assert response.status_code == 200
    assert SECRET_WORD not in response.content.decode()
