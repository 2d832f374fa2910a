"""The database itself refuses inventory that makes no sense."""

import pytest
from django.db import IntegrityError, transaction

from tests.factories import (
    DataAssetFactory,
    EngagementFactory,
    StakeholderFactory,
    VendorContactFactory,
    VendorFactory,
)
from vendors.models import DataAsset, Vendor

pytestmark = pytest.mark.django_db


def _refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_vendor_names_are_unique_ignoring_case():
    VendorFactory(name="Parallax Data")

    _refused(lambda: VendorFactory(name="PARALLAX DATA", slug="other"))


def test_vendor_tier_must_be_a_known_tier():
    vendor = VendorFactory()

    _refused(lambda: Vendor.objects.filter(pk=vendor.pk).update(tier="catastrophic"))


def test_vendor_notify_window_of_zero_hours_is_refused():
    vendor = VendorFactory()

    _refused(lambda: Vendor.objects.filter(pk=vendor.pk).update(notify_us_within_hours=0))


def test_empty_vendor_name_is_refused():
    _refused(lambda: VendorFactory(name="", slug="empty"))


def test_negative_record_counts_are_refused():
    asset = DataAssetFactory()

    _refused(lambda: DataAsset.objects.filter(pk=asset.pk).update(approx_records=-1))


def test_absurd_record_counts_are_refused():
    asset = DataAssetFactory()

    _refused(lambda: DataAsset.objects.filter(pk=asset.pk).update(approx_records=10**12))


def test_health_data_must_also_be_personal_data():
    _refused(lambda: DataAssetFactory(health_data=True, personal_data=False))


def test_engagement_cannot_end_before_it_starts():
    _refused(lambda: EngagementFactory(started_on="2026-05-01", ended_on="2026-04-30"))


def test_a_vendor_contact_email_appears_once_per_vendor():
    contact = VendorContactFactory(email="sec@vendor.example")

    _refused(lambda: VendorContactFactory(vendor=contact.vendor, email="SEC@vendor.example"))


def test_stakeholder_names_are_unique_ignoring_case():
    StakeholderFactory(name="Helix Health")

    _refused(lambda: StakeholderFactory(name="helix health", slug="helix-2"))


def test_a_vendor_with_engagements_cannot_be_deleted():
    engagement = EngagementFactory()

    with pytest.raises(Exception, match="protected"):
        engagement.vendor.delete()
