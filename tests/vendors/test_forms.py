import pytest

from tests.factories import DataAssetFactory, VendorFactory
from vendors.forms import DataAssetForm, VendorContactForm, VendorForm

pytestmark = pytest.mark.django_db


def _vendor_form(**overrides):
    data = {
        "name": "Parallax Data Services",
        "services": "Labelling",
        "tier": "critical",
        "status": "active",
        "notify_us_within_hours": "24",
        "jurisdictions": "ie, us-ca",
        **overrides,
    }
    return VendorForm(data)


def test_a_valid_vendor_form_cleans_jurisdiction_codes():
    form = _vendor_form()

    assert form.is_valid(), form.errors
    assert form.cleaned_data["jurisdictions"] == ["IE", "US-CA"]


def test_an_empty_name_is_refused():
    form = _vendor_form(name="   ")

    assert not form.is_valid()
    assert "name" in form.errors


def test_a_name_over_200_characters_is_refused():
    form = _vendor_form(name="x" * 201)

    assert not form.is_valid()
    assert "at most 200 characters" in form.errors["name"][0]


def test_a_duplicate_name_is_reported_next_to_the_name_field():
    VendorFactory(name="Parallax Data Services")

    form = _vendor_form(name="parallax  data services")

    assert not form.is_valid()
    assert form.errors["name"] == ["A vendor with this name already exists."]
    assert "__all__" not in form.errors


def test_an_unknown_jurisdiction_is_named_in_the_error():
    form = _vendor_form(jurisdictions="DE, XX, US-ZZ")

    assert not form.is_valid()
    assert "XX, US-ZZ" in form.errors["jurisdictions"][0]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "at least 1 hour"),
        ("100000", "longer than a year"),
        ("-5", "at least 1 hour"),
        ("two days", "whole hours"),
    ],
)
def test_an_implausible_notify_window_is_refused(hours, message):
    form = _vendor_form(notify_us_within_hours=hours)

    assert not form.is_valid()
    assert message in form.errors["notify_us_within_hours"][0]


@pytest.mark.parametrize("email", ["not-an-email", "a@b.c\r\nBcc: x@evil.example", "a@@b.example"])
def test_a_malformed_contact_email_is_refused(email):
    form = VendorContactForm({"name": "Dana", "email": email}, vendor=VendorFactory())

    assert not form.is_valid()
    assert "email" in form.errors


def _asset_form(**overrides):
    data = {
        "name": "Helix samples",
        "kind": "dataset",
        "classification": "restricted",
        "approx_records": "48000",
        "personal_data": "on",
        "subject_jurisdictions": "DE FR",
        **overrides,
    }
    return DataAssetForm(data)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ("-1", "cannot be negative"),
        ("1000000000000000", "more records than is plausible"),
        ("lots", "whole number"),
    ],
)
def test_negative_or_absurd_record_counts_are_refused(records, message):
    form = _asset_form(approx_records=records)

    assert not form.is_valid()
    assert message in form.errors["approx_records"][0]


def test_health_data_without_personal_data_is_refused_in_words():
    form = _asset_form(personal_data="", health_data="on")

    assert not form.is_valid()
    assert "tick “personal data” too" in str(form.errors)


def test_a_duplicate_asset_name_is_refused():
    DataAssetFactory(name="Helix samples")

    form = _asset_form()

    assert not form.is_valid()
    assert form.errors["name"] == ["A data asset with this name already exists."]
