import pytest
from django.core.exceptions import ValidationError

from tests.factories import DataAssetFactory, VendorFactory
from vendors import services
from vendors.models import Engagement, Vendor

pytestmark = pytest.mark.django_db


def test_vendor_create_gives_a_slug_from_the_name(commander):
    vendor = services.vendor_create(actor=commander, name="Parallax Data Services", tier="high")

    assert vendor.slug == "parallax-data-services"
    assert Vendor.objects.get(slug="parallax-data-services").tier == "high"


def test_vendor_create_never_reuses_a_slug(commander):
    services.vendor_create(actor=commander, name="Acme Inc")

    second = services.vendor_create(actor=commander, name="Acme, Inc.")

    assert second.slug == "acme-inc-2"


def test_vendor_create_avoids_slugs_of_fixed_pages(commander):
    vendor = services.vendor_create(actor=commander, name="Assets")

    assert vendor.slug == "assets-2"


def test_vendor_create_refuses_a_duplicate_name_and_saves_nothing(commander):
    VendorFactory(name="Acme")

    with pytest.raises(ValidationError, match="A vendor with this name already exists"):
        services.vendor_create(actor=commander, name="ACME")

    assert Vendor.objects.count() == 1


def test_vendor_create_refuses_unknown_jurisdictions(commander):
    with pytest.raises(ValidationError, match="XX"):
        services.vendor_create(actor=commander, name="Acme", jurisdictions=["DE", "XX"])

    assert not Vendor.objects.exists()


def test_vendor_update_saves_only_what_changed(commander):
    vendor = VendorFactory(tier="low")

    services.vendor_update(vendor=vendor, actor=commander, tier="critical", name=vendor.name)

    vendor.refresh_from_db()
    assert vendor.tier == "critical"


def test_engagement_create_records_shared_data_and_access(commander):
    vendor = VendorFactory()
    asset = DataAssetFactory()

    engagement = services.engagement_create(
        vendor=vendor,
        actor=commander,
        name="Labelling",
        data_assets=[asset],
        accesses=[{"kind": "key", "description": "S3 upload token"}],
    )

    assert list(engagement.data_assets.all()) == [asset]
    assert [a.description for a in engagement.accesses.all()] == ["S3 upload token"]


def test_engagement_create_with_a_bad_access_saves_nothing(commander):
    vendor = VendorFactory()

    with pytest.raises(ValidationError):
        services.engagement_create(
            vendor=vendor,
            actor=commander,
            name="Labelling",
            accesses=[{"kind": "telepathy", "description": "mind link"}],
        )

    assert not Engagement.objects.exists()
