"""Inventory history (django-simple-history): who changed which vendor, engagement, asset
or stakeholder, when, from what to what, shown on each inventory page."""

import pytest
from django.urls import reverse

from tests.factories import DataAssetFactory, EngagementFactory, StakeholderFactory, VendorFactory
from vendors import services
from vendors.imports import read_import
from vendors.models import Vendor

pytestmark = pytest.mark.django_db

VENDOR_HEADER = "name,services,tier,status,relationship_owner,notify_us_within_hours,jurisdictions,security_contact_name,security_contact_email\n"


def test_editing_a_vendor_records_who_changed_what_from_what_to_what(client, commander, legal):
    VendorFactory(name="Parallax", slug="parallax", tier="low")
    client.force_login(commander)
    client.post(
        reverse("vendors:edit", kwargs={"slug": "parallax"}),
        {"name": "Parallax", "tier": "critical", "status": "active", "jurisdictions": "IE"},
    )
    client.force_login(legal)

    response = client.get(reverse("vendors:history", kwargs={"slug": "parallax"}))

    change = response.context["history"][0]
    assert (change.who, change.what) == (commander.display_name, "changed")
    assert ("tier", "Low", "Critical") in change.fields
    html = response.content.decode()
    assert "Low → Critical" in html


def test_a_changed_owner_is_named_not_numbered(commander, responder):
    from vendors.selectors import inventory_history

    vendor = VendorFactory(name="Parallax", relationship_owner=commander)
    vendor.relationship_owner = responder
    vendor.save()

    (change, _created) = inventory_history(record=vendor)

    assert ("relationship owner", commander.display_name, responder.display_name) in [
        (label.lower(), before, after) for label, before, after in change.fields
    ]


def test_the_vendor_history_includes_its_engagements(client, legal):
    vendor = VendorFactory(name="Parallax", slug="parallax")
    engagement = EngagementFactory(vendor=vendor, name="Annotation")
    engagement.description = "Labelling clinical notes"
    engagement.save()
    client.force_login(legal)

    response = client.get(reverse("vendors:history", kwargs={"slug": "parallax"}))

    engagement_changes = [
        change
        for change in response.context["history"]
        if change.record == "Engagement: Annotation"
    ]
    assert [change.what for change in engagement_changes] == ["changed", "created"]
    assert engagement_changes[0].fields == [("description", "—", "Labelling clinical notes")]


def test_the_data_asset_page_shows_its_history(client, commander, responder):
    asset = DataAssetFactory(name="Clinical samples", slug="clinical-samples")
    asset.approx_records = 48_000
    asset.save()
    client.force_login(responder)

    response = client.get(reverse("vendors:asset-detail", kwargs={"slug": "clinical-samples"}))

    history = response.context["history"]
    assert [c.what for c in history] == ["changed", "created"]
    assert history[0].fields[0][2] == "48,000"
    assert "History" in response.content.decode()


def test_a_save_that_changes_nothing_is_not_listed(responder):
    from vendors.selectors import inventory_history

    stakeholder = StakeholderFactory(name="Helix", slug="helix")
    stakeholder.save()

    assert [c.what for c in inventory_history(record=stakeholder)] == ["created"]


def test_the_stakeholder_page_shows_its_history(client, responder):
    stakeholder = StakeholderFactory(name="Helix", slug="helix", notify_within_hours=72)
    stakeholder.notify_within_hours = 24
    stakeholder.save()
    client.force_login(responder)

    response = client.get(reverse("vendors:stakeholder-detail", kwargs={"slug": "helix"}))

    assert response.context["history"][0].what == "changed"


def test_an_import_records_history_for_every_row_it_writes(commander):
    VendorFactory(name="Parallax", tier="low")
    plan = read_import(
        "vendors",
        (
            VENDOR_HEADER + "Parallax,Labelling,critical,,,,,,\nCobalt,Hosting,high,,,,DE,,\n"
        ).encode(),
    )

    services.inventory_import(plan=plan, actor=commander)

    cobalt = Vendor.objects.get(name="Cobalt")
    assert [(h.history_type, h.history_user) for h in cobalt.history.all()] == [("+", commander)]
    latest = Vendor.objects.get(name="Parallax").history.first()
    assert (latest.history_type, latest.tier, latest.history_user) == ("~", "critical", commander)


def test_the_history_page_reads_a_bounded_number_of_queries(
    client, legal, django_assert_max_num_queries
):
    vendor = VendorFactory(name="Parallax", slug="parallax")
    for n in range(30):
        vendor.services = f"Labelling v{n}"
        vendor.save()
    client.force_login(legal)

    with django_assert_max_num_queries(15):
        client.get(reverse("vendors:history", kwargs={"slug": "parallax"}))


def test_someone_without_inventory_access_cannot_read_history(client, viewer):
    VendorFactory(name="Parallax", slug="parallax")
    client.force_login(viewer)

    response = client.get(reverse("vendors:history", kwargs={"slug": "parallax"}))

    assert response.status_code in (403, 404)
