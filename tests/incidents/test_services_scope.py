import pytest
from django.core.exceptions import ValidationError

from incidents import selectors, services
from incidents.models import ScopeItem, Task
from tests.factories import DataAssetFactory
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db


def _asset(name):
    return DataAsset.objects.get(name=name)


def _summary(incident):
    items = list(incident.scope_items.all())
    return selectors.summarise_scope(items, selectors.held_assets(incident).count())


def test_the_scope_review_lists_what_the_vendor_holds(incident):
    assert sorted(a.name for a in selectors.held_assets(incident)) == [
        "Clinical samples",
        "Teleop logs",
    ]


def test_marking_an_asset_freezes_its_facts(incident, responder):
    item = services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=_asset("Clinical samples"),
        status="confirmed",
        records_affected=48_000,
    )

    assert item.snapshot["name"] == "Clinical samples"
    assert item.snapshot["data_categories"] == ["personal", "health"]
    assert item.snapshot["subject_jurisdictions"] == ["DE", "FR"]
    assert item.snapshot["stakeholders"][0]["name"] == "Helix Health"
    assert item.snapshot["held_through"] == [
        {"vendor": "Parallax Data", "engagement": "Annotation"}
    ]


def test_later_inventory_edits_do_not_rewrite_the_record(incident, responder):
    asset = _asset("Clinical samples")
    services.scope_review_mark(
        incident=incident, actor=responder, data_asset=asset, status="confirmed"
    )

    asset.name = "Renamed"
    asset.subject_jurisdictions = ["US-CA"]
    asset.save()
    asset.stakeholders.clear()

    item = ScopeItem.objects.get(incident=incident)
    assert item.snapshot["name"] == "Clinical samples"
    assert item.snapshot["subject_jurisdictions"] == ["DE", "FR"]
    assert _summary(incident).stakeholders[0]["name"] == "Helix Health"


def test_affected_stakeholders_jurisdictions_and_categories_are_derived(incident, responder):
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=_asset("Clinical samples"),
        status="confirmed",
        records_affected=100,
    )
    services.scope_review_mark(
        incident=incident, actor=responder, data_asset=_asset("Teleop logs"), status="not_exposed"
    )

    summary = _summary(incident)

    assert [s["name"] for s in summary.stakeholders] == ["Helix Health"]
    assert summary.jurisdictions == ["DE", "FR"]
    assert summary.data_categories == ["health", "personal"]
    assert summary.records_affected == 100
    assert summary.unreviewed == 0


def test_suspected_exposure_counts_and_unknown_records_are_flagged(incident, responder):
    services.scope_review_mark(
        incident=incident, actor=responder, data_asset=_asset("Teleop logs"), status="suspected"
    )

    summary = _summary(incident)

    assert [s["name"] for s in summary.stakeholders] == ["Orbital Robotics"]
    assert summary.records_unknown
    assert summary.unreviewed == 1


def test_each_review_is_on_the_timeline_with_the_snapshot(incident, responder):
    services.scope_review_mark(
        incident=incident, actor=responder, data_asset=_asset("Teleop logs"), status="unknown"
    )
    services.scope_review_mark(
        incident=incident, actor=responder, data_asset=_asset("Teleop logs"), status="suspected"
    )

    entry = incident.timeline.filter(kind="scope_reviewed").order_by("-seq").first()
    assert entry.data["previous_status"] == "unknown"
    assert entry.data["asset"]["name"] == "Teleop logs"
    assert ScopeItem.objects.filter(incident=incident).count() == 1


def test_an_asset_the_vendor_does_not_hold_is_refused(incident, responder):
    with pytest.raises(ValidationError, match="does not hold"):
        services.scope_review_mark(
            incident=incident, actor=responder, data_asset=DataAssetFactory(), status="confirmed"
        )


def test_negative_records_are_refused(incident, responder):
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.scope_review_mark(
            incident=incident,
            actor=responder,
            data_asset=_asset("Teleop logs"),
            status="confirmed",
            records_affected=-5,
        )


def test_deciding_every_asset_completes_the_scope_review_task(incident, responder):
    task = incident.tasks.get(action=Task.Action.SCOPE_REVIEW)
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=_asset("Clinical samples"),
        status="confirmed",
    )
    services.scope_review_mark(
        incident=incident, actor=responder, data_asset=_asset("Teleop logs"), status="unknown"
    )
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN

    services.scope_review_mark(
        incident=incident, actor=responder, data_asset=_asset("Teleop logs"), status="not_exposed"
    )

    task.refresh_from_db()
    assert task.status == Task.Status.DONE
