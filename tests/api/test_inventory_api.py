"""The inventory's API: read by its readers, created and changed by editors, with the forms' words."""

import pytest

from tests.api.conftest import api_as
from tests.factories import DataAssetFactory, StakeholderFactory, VendorFactory
from vendors.models import Vendor
from vendors.permissions import CANNOT_EDIT, CANNOT_READ

pytestmark = pytest.mark.django_db


def test_a_responder_reads_the_inventory_but_cannot_change_it(responder):
    VendorFactory(name="Parallax Data")
    client = api_as(responder)

    listed = client.get("/api/v1/vendors/")
    created = client.post("/api/v1/vendors/", {"name": "New"}, format="json")

    assert [v["name"] for v in listed.json()["results"]] == ["Parallax Data"]
    assert created.status_code == 403
    assert created.json()["detail"] == str(CANNOT_EDIT)


def test_a_viewer_does_not_read_the_inventory(viewer):
    response = api_as(viewer).get("/api/v1/stakeholders/")

    assert response.status_code == 403
    assert response.json()["detail"] == str(CANNOT_READ)


def test_a_commander_creates_a_vendor(commander):
    response = api_as(commander).post(
        "/api/v1/vendors/",
        {"name": "Orbital", "tier": "high", "status": "active", "jurisdictions": "DE, FR"},
        format="json",
    )

    assert response.status_code == 201
    vendor = Vendor.objects.get(slug=response.json()["slug"])
    assert vendor.jurisdictions == ["DE", "FR"]


def test_a_duplicate_vendor_name_gets_the_forms_words(commander):
    VendorFactory(name="Orbital")

    response = api_as(commander).post(
        "/api/v1/vendors/",
        {"name": "orbital", "tier": "high", "status": "active", "jurisdictions": "DE"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["name"] == ["A vendor with this name already exists."]


def test_a_patch_changes_only_what_it_sends(commander):
    vendor = VendorFactory(name="Orbital", tier="low", jurisdictions=["DE"])

    response = api_as(commander).patch(
        f"/api/v1/vendors/{vendor.slug}/", {"tier": "critical"}, format="json"
    )

    assert response.status_code == 200
    vendor.refresh_from_db()
    assert (vendor.name, vendor.tier, vendor.jurisdictions) == ("Orbital", "critical", ["DE"])


def test_a_patch_refuses_unknown_fields_by_name(commander):
    vendor = VendorFactory(name="Orbital")

    response = api_as(commander).patch(
        f"/api/v1/vendors/{vendor.slug}/", {"slug": "x", "tier": "high"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["slug"]


def test_a_data_asset_patch_keeps_its_stakeholders(commander):
    helix = StakeholderFactory(name="Helix")
    asset = DataAssetFactory(name="Samples", stakeholders=[helix])

    response = api_as(commander).patch(
        f"/api/v1/data-assets/{asset.slug}/", {"approx_records": 5}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["stakeholders"] == [helix.pk]
    assert response.json()["approx_records"] == 5


def test_an_engagement_is_added_to_a_vendor_and_changed(commander):
    vendor = VendorFactory(name="Orbital")
    client = api_as(commander)

    created = client.post(
        f"/api/v1/vendors/{vendor.slug}/engagements/",
        {"name": "Labelling", "status": "active"},
        format="json",
    )
    changed = client.patch(
        f"/api/v1/engagements/{created.json()['id']}/",
        {"started_on": "2026-03-01", "ended_on": "2026-01-01"},
        format="json",
    )

    assert created.status_code == 201
    assert changed.status_code == 400
    assert changed.json()["ended_on"] == ["An engagement cannot end before it started."]


def test_a_list_value_for_a_text_field_is_refused(commander):
    response = api_as(commander).post(
        "/api/v1/stakeholders/", {"name": ["a", "b"], "kind": "partner"}, format="json"
    )

    assert response.status_code == 400
    assert "single value" in response.json()["name"][0]
