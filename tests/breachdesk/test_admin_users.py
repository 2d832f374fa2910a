"""People who appear on a timeline are deactivated in the admin, never deleted (issue 10, 3).

Timeline entries are append-only and must go on saying who did what, so
deleting their author is refused with the reason, and deactivation offered.
"""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from breachdesk.models import User
from incidents import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CANNOT_DELETE = "the account cannot be deleted"


@pytest.fixture
def admin(admin_client):
    """The admin site, with a server error answered as the 500 a browser would get."""
    admin_client.raise_request_exception = False
    return admin_client


@pytest.fixture
def note_writer(incident, responder):
    """A responder who wrote a note on the incident's timeline."""
    services.note_add(
        incident=incident, actor=responder, text="The vendor confirmed the bucket was public."
    )
    return responder


def _delete_url(user):
    return reverse("admin:breachdesk_user_delete", args=[user.pk])


def test_asking_to_delete_a_user_on_a_timeline_says_to_deactivate_instead(admin, note_writer):
    response = admin.get(_delete_url(note_writer), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert CANNOT_DELETE in page
    assert "Deactivate it instead" in page
    assert User.objects.filter(pk=note_writer.pk).exists()


def test_confirming_the_deletion_of_a_user_on_a_timeline_keeps_the_user(admin, note_writer):
    response = admin.post(_delete_url(note_writer), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert CANNOT_DELETE in response.content.decode()
    assert User.objects.filter(pk=note_writer.pk).exists()
    assert note_writer.incident_memberships.exists()


def test_a_user_on_a_timeline_is_protected_from_deletion_outside_the_admin(incident, note_writer):
    with pytest.raises(ProtectedError):
        note_writer.delete()

    note = incident.timeline.get(kind="note_added")
    assert note.actor_id == note_writer.pk


def test_a_user_on_no_record_can_still_be_deleted(admin):
    newcomer = UserFactory(username="newcomer")

    response = admin.post(_delete_url(newcomer), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not User.objects.filter(pk=newcomer.pk).exists()


def test_the_deactivate_action_deactivates_the_selected_users(admin, note_writer, viewer):
    response = admin.post(
        reverse("admin:breachdesk_user_changelist"),
        {"action": "deactivate", "_selected_action": [note_writer.pk, viewer.pk]},
        follow=True,
    )

    assert response.status_code == 200
    note_writer.refresh_from_db()
    viewer.refresh_from_db()
    assert (note_writer.is_active, viewer.is_active) == (False, False)


def test_the_deactivate_action_ends_the_users_calendar_links(admin, note_writer):
    token = note_writer.calendar_token

    admin.post(
        reverse("admin:breachdesk_user_changelist"),
        {"action": "deactivate", "_selected_action": [note_writer.pk]},
    )

    note_writer.refresh_from_db()
    assert note_writer.calendar_token != token
