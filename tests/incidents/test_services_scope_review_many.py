"""Reviewing several assets at once: every mark checked first, then all recorded, or none."""

import pytest
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import ScopeItem, Task, TimelineEntry
from incidents.services.triage import ASSET_NOT_HELD, SCOPE_NEEDS_STATUS, ScopeMark
from tests.factories import DataAssetFactory
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db


def _asset(name):
    return DataAsset.objects.get(name=name)


def _reviews(incident):
    return incident.timeline.filter(kind=TimelineEntry.Kind.SCOPE_REVIEWED)


def test_each_asset_gets_its_own_timeline_entry(incident, responder):
    services.scope_review_mark_many(
        incident=incident,
        actor=responder,
        marks=[
            ScopeMark(_asset("Clinical samples"), "confirmed", 48_000),
            ScopeMark(_asset("Teleop logs"), "not_exposed"),
        ],
    )

    assert sorted(_reviews(incident).values_list("summary", flat=True)) == [
        "Scope review: Clinical samples marked confirmed exposed, 48,000 records affected",
        "Scope review: Teleop logs marked not exposed",
    ]


def test_the_review_starts_the_clocks_of_what_it_found(incident, responder):
    services.scope_review_mark_many(
        incident=incident,
        actor=responder,
        marks=[ScopeMark(_asset("Clinical samples"), "confirmed")],
    )

    assert incident.deadlines.filter(rule_id="gdpr-art33").exists()


def test_deciding_every_asset_completes_the_scope_review_task(incident, responder):
    services.scope_review_mark_many(
        incident=incident,
        actor=responder,
        marks=[
            ScopeMark(_asset("Clinical samples"), "suspected"),
            ScopeMark(_asset("Teleop logs"), "not_exposed"),
        ],
    )

    task = incident.tasks.get(action=Task.Action.SCOPE_REVIEW)
    assert task.status == Task.Status.DONE


def test_one_bad_mark_refuses_them_all(incident, responder):
    elsewhere = DataAssetFactory(name="Not held")
    clinical = _asset("Clinical samples")
    entries = incident.timeline.count()

    with pytest.raises(ValidationError) as raised:
        services.scope_review_mark_many(
            incident=incident,
            actor=responder,
            marks=[ScopeMark(clinical, "confirmed"), ScopeMark(elsewhere, "confirmed")],
        )

    assert raised.value.message_dict == {str(elsewhere.pk): [ASSET_NOT_HELD]}
    assert not ScopeItem.objects.exists()
    assert not incident.deadlines.exists()
    assert incident.timeline.count() == entries


@pytest.mark.parametrize("status", ["", "exposed"])
def test_a_mark_without_a_real_exposure_is_refused(incident, responder, status):
    clinical = _asset("Clinical samples")

    with pytest.raises(ValidationError) as raised:
        services.scope_review_mark_many(
            incident=incident, actor=responder, marks=[ScopeMark(clinical, status)]
        )

    assert raised.value.message_dict == {str(clinical.pk): [SCOPE_NEEDS_STATUS]}
    assert not ScopeItem.objects.exists()


def test_no_marks_record_nothing(incident, responder):
    entries = incident.timeline.count()

    assert services.scope_review_mark_many(incident=incident, actor=responder, marks=[]) == []
    assert incident.timeline.count() == entries


def test_marking_one_asset_without_an_exposure_is_refused(incident, responder):
    with pytest.raises(ValidationError) as raised:
        services.scope_review_mark(
            incident=incident, actor=responder, data_asset=_asset("Teleop logs"), status=""
        )

    assert raised.value.message_dict == {"status": [SCOPE_NEEDS_STATUS]}
    assert not _reviews(incident).exists()
