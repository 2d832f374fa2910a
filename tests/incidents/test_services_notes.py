from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services

pytestmark = pytest.mark.django_db


def test_a_note_is_a_timeline_entry(incident, responder):
    entry = services.note_add(incident=incident, actor=responder, text="Vendor called back.")

    assert (entry.kind, entry.summary, entry.is_privileged) == (
        "note_added",
        "Vendor called back.",
        False,
    )


def test_a_note_can_describe_an_earlier_moment(incident, responder):
    earlier = timezone.now() - timedelta(hours=5)

    entry = services.note_add(incident=incident, actor=responder, text="Call", occurred_at=earlier)

    assert entry.occurred_at == earlier
    assert entry.recorded_at > earlier


def test_legal_marks_a_note_privileged(incident, legal):
    entry = services.note_add(incident=incident, actor=legal, text="Advice", privileged=True)

    assert entry.is_privileged
    assert entry.data["privileged"] is True


def test_only_legal_marks_notes_privileged(incident, responder):
    with pytest.raises(PermissionDenied):
        services.note_add(incident=incident, actor=responder, text="Advice", privileged=True)


def test_a_one_megabyte_note_is_refused(incident, responder):
    with pytest.raises(ValidationError, match="limited to 20,000 characters"):
        services.note_add(incident=incident, actor=responder, text="x" * 1_000_000)


def test_an_empty_note_is_refused(incident, responder):
    with pytest.raises(ValidationError, match="empty"):
        services.note_add(incident=incident, actor=responder, text="  \n ")


def test_a_note_about_the_future_is_refused(incident, responder):
    with pytest.raises(ValidationError, match="future"):
        services.note_add(
            incident=incident,
            actor=responder,
            text="x",
            occurred_at=timezone.now() + timedelta(days=1),
        )


def test_a_viewer_cannot_add_notes(incident, viewer):
    with pytest.raises(PermissionDenied):
        services.note_add(incident=incident, actor=viewer, text="x")


def test_legal_adds_notes_to_an_incident_it_is_not_a_member_of(incident, commander):
    from tests.factories import UserFactory

    counsel = UserFactory(roles=["Legal"])

    entry = services.note_add(incident=incident, actor=counsel, text="Reviewed.", privileged=True)

    assert entry.is_privileged
