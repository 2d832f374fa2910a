"""Create and edit pages of the inventory, as editor and as reader."""

import pytest
from django.urls import reverse

from tests.factories import (
    DataAssetFactory,
    EngagementFactory,
    StakeholderContactFactory,
    StakeholderFactory,
    VendorFactory,
)
from vendors.models import DataAsset, Engagement, EngagementAccess, Stakeholder, Vendor

pytestmark = pytest.mark.django_db

EDIT_PAGES = [
    ("vendors:create", {}),
    ("vendors:asset-create", {}),
    ("vendors:stakeholder-create", {}),
    ("vendors:import", {}),
]


@pytest.mark.parametrize("persona", ["viewer", "responder"])
@pytest.mark.parametrize(("url_name", "kwargs"), EDIT_PAGES)
def test_readers_cannot_open_editing_pages(client, request, persona, url_name, kwargs):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize("persona", ["viewer", "responder"])
def test_readers_cannot_change_a_vendor(client, request, persona):
    vendor = VendorFactory(name="Parallax")
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        reverse("vendors:edit", kwargs={"slug": vendor.slug}),
        {"name": "Renamed", "tier": "low", "status": "active"},
    )

    assert response.status_code == 403
    vendor.refresh_from_db()
    assert vendor.name == "Parallax"


def test_a_commander_adds_a_vendor(client, commander):
    client.force_login(commander)

    response = client.post(
        reverse("vendors:create"),
        {
            "name": "Parallax Data Services",
            "services": "Labelling",
            "tier": "critical",
            "status": "active",
            "relationship_owner": commander.pk,
            "notify_us_within_hours": "24",
            "jurisdictions": "IE, US-CA",
        },
    )

    vendor = Vendor.objects.get()
    assert response.status_code == 302
    assert response["Location"] == vendor.get_absolute_url()
    assert vendor.jurisdictions == ["IE", "US-CA"]
    assert vendor.relationship_owner == commander


def test_a_bad_vendor_form_is_shown_again_with_422_and_nothing_saved(client, commander):
    client.force_login(commander)

    response = client.post(
        reverse("vendors:create"),
        {"name": "", "tier": "catastrophic", "status": "active", "jurisdictions": "ZZ"},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "Select a valid choice" in html
    assert "ZZ" in html
    assert not Vendor.objects.exists()


def test_a_commander_edits_a_vendor_and_keeps_its_address(client, commander):
    vendor = VendorFactory(name="Parallax", slug="parallax")
    client.force_login(commander)

    client.post(
        reverse("vendors:edit", kwargs={"slug": "parallax"}),
        {"name": "Parallax Data", "tier": "high", "status": "offboarded", "jurisdictions": "IE"},
    )

    vendor.refresh_from_db()
    assert (vendor.name, vendor.slug, vendor.status) == ("Parallax Data", "parallax", "offboarded")


def test_a_commander_adds_a_data_asset_with_whose_data_it_is(client, commander):
    helix = StakeholderFactory(name="Helix")
    client.force_login(commander)

    response = client.post(
        reverse("vendors:asset-create"),
        {
            "name": "Clinical samples",
            "kind": "dataset",
            "classification": "restricted",
            "approx_records": "48000",
            "personal_data": "on",
            "health_data": "on",
            "subject_jurisdictions": "DE FR",
            "stakeholders": [helix.pk],
        },
    )

    asset = DataAsset.objects.get()
    assert response.status_code == 302
    assert list(asset.stakeholders.all()) == [helix]
    assert asset.subject_jurisdictions == ["DE", "FR"]


def test_the_data_asset_page_shows_which_vendors_hold_it(client, responder):
    asset = DataAssetFactory(name="Clinical samples")
    EngagementFactory(vendor=VendorFactory(name="Parallax"), data_assets=[asset])
    EngagementFactory(vendor=VendorFactory(name="Quill"), data_assets=[asset])
    VendorFactory(name="Unrelated")
    client.force_login(responder)

    response = client.get(asset.get_absolute_url())

    assert [vendor.name for vendor in response.context["holders"]] == ["Parallax", "Quill"]
    assert "Unrelated" not in response.content.decode()


def test_the_data_asset_list_counts_vendors_holding_each(client, responder):
    asset = DataAssetFactory(name="Clinical samples")
    EngagementFactory(data_assets=[asset])
    EngagementFactory(data_assets=[asset])
    client.force_login(responder)

    response = client.get(reverse("vendors:asset-list"))

    assert response.context["page"].object_list[0].vendor_count == 2


def test_a_commander_adds_a_stakeholder_and_its_contact(client, commander):
    client.force_login(commander)

    client.post(
        reverse("vendors:stakeholder-create"),
        {"name": "Helix Health", "kind": "partner", "notify_within_hours": "48"},
    )
    stakeholder = Stakeholder.objects.get()
    response = client.post(
        reverse("vendors:stakeholder-contact-add", kwargs={"slug": stakeholder.slug}),
        {"name": "Mira", "email": "privacy@helix.example"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert stakeholder.contacts.get().email == "privacy@helix.example"


def test_the_stakeholder_page_shows_vendors_holding_their_data(client, responder):
    helix = StakeholderFactory(name="Helix")
    StakeholderContactFactory(stakeholder=helix)
    EngagementFactory(
        vendor=VendorFactory(name="Parallax"),
        data_assets=[DataAssetFactory(name="Clinical samples", stakeholders=[helix])],
    )
    client.force_login(responder)

    response = client.get(helix.get_absolute_url())

    assert [vendor.name for vendor in response.context["holders"]] == ["Parallax"]


def test_a_commander_adds_an_engagement_with_shared_data(client, commander):
    vendor = VendorFactory()
    asset = DataAssetFactory()
    client.force_login(commander)

    response = client.post(
        reverse("vendors:engagement-create", kwargs={"slug": vendor.slug}),
        {
            "name": "Annotation",
            "status": "active",
            "started_on": "2026-02-01",
            "data_assets": [asset.pk],
        },
    )

    engagement = Engagement.objects.get()
    assert response.status_code == 302
    assert list(engagement.data_assets.all()) == [asset]


def test_an_engagement_ending_before_it_started_is_refused(client, commander):
    vendor = VendorFactory()
    client.force_login(commander)

    response = client.post(
        reverse("vendors:engagement-create", kwargs={"slug": vendor.slug}),
        {
            "name": "Annotation",
            "status": "ended",
            "started_on": "2026-02-01",
            "ended_on": "2026-01-01",
        },
    )

    assert response.status_code == 422
    assert "cannot end before it started" in response.content.decode()
    assert not Engagement.objects.exists()


def test_access_granted_is_recorded_and_removed_on_the_engagement(client, commander):
    engagement = EngagementFactory()
    client.force_login(commander)

    added = client.post(
        reverse("vendors:engagement-access-add", kwargs={"pk": engagement.pk}),
        {"kind": "key", "description": "S3 upload token"},
        headers={"HX-Request": "true"},
    )
    access = EngagementAccess.objects.get()
    removed = client.post(
        reverse(
            "vendors:engagement-access-delete",
            kwargs={"pk": engagement.pk, "access_id": access.pk},
        ),
        headers={"HX-Request": "true"},
    )

    assert added.status_code == 200
    assert "S3 upload token" in added.content.decode()
    assert removed.status_code == 200
    assert not EngagementAccess.objects.exists()
