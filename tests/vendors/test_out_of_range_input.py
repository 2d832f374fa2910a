"""Out-of-range ids, numbers and dates on the inventory's forms and URLs: a 4xx, never a 500."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    DataAssetFactory,
    EngagementFactory,
    StakeholderContactFactory,
    StakeholderFactory,
    VendorContactFactory,
    VendorFactory,
)
from vendors.models import DataAsset, Engagement, EngagementAccess, Stakeholder, Vendor

pytestmark = pytest.mark.django_db

HUGE_ID = "9223372036854775808"  # one past the largest 64-bit id
LONG_NUMBER = "9" * 400
BAD_IDS = [HUGE_ID, LONG_NUMBER, "0", "-1"]
BAD_WINDOWS = [LONG_NUMBER, "0", "-5", "9000"]
BAD_DATES = ["0001-01-01", "1989-12-31", "9999-12-31"]


def _vendor_form(**overrides):
    return {
        "name": "Parallax",
        "tier": "high",
        "status": "active",
        "jurisdictions": "IE",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *(("relationship_owner", value) for value in BAD_IDS),
        *(("notify_us_within_hours", value) for value in BAD_WINDOWS),
    ],
)
def test_the_vendor_form_refuses_out_of_range_input(client, commander, field, value):
    client.force_login(commander)

    response = client.post(reverse("vendors:create"), _vendor_form(**{field: value}))

    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not Vendor.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *(("stakeholders", [value]) for value in BAD_IDS),
        ("approx_records", LONG_NUMBER),
        ("approx_records", "-1"),
        ("approx_records", "100000000001"),
    ],
)
def test_the_data_asset_form_refuses_out_of_range_input(client, commander, field, value):
    StakeholderFactory(name="Helix Health")
    client.force_login(commander)

    response = client.post(
        reverse("vendors:asset-create"),
        {
            "name": "Clinical samples",
            "kind": "dataset",
            "classification": "restricted",
            field: value,
        },
    )

    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not DataAsset.objects.exists()


@pytest.mark.parametrize("value", BAD_WINDOWS)
def test_the_stakeholder_form_refuses_an_implausible_window(client, commander, value):
    client.force_login(commander)

    response = client.post(
        reverse("vendors:stakeholder-create"),
        {"name": "Helix Health", "kind": "partner", "notify_within_hours": value},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["notify_within_hours"]
    assert not Stakeholder.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *(("owner", value) for value in BAD_IDS),
        *(("data_assets", [value]) for value in BAD_IDS),
        *(("started_on", value) for value in BAD_DATES),
        *(("ended_on", value) for value in BAD_DATES),
    ],
)
def test_the_engagement_form_refuses_out_of_range_input(client, commander, field, value):
    vendor = VendorFactory(name="Parallax")
    DataAssetFactory(name="Clinical samples")
    client.force_login(commander)

    response = client.post(
        reverse("vendors:engagement-create", kwargs={"slug": vendor.slug}),
        {"name": "Annotation", "status": "active", field: value},
    )

    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not Engagement.objects.exists()


def test_an_implausible_year_is_named_in_words(client, commander):
    vendor = VendorFactory(name="Parallax")
    client.force_login(commander)

    response = client.post(
        reverse("vendors:engagement-create", kwargs={"slug": vendor.slug}),
        {"name": "Annotation", "status": "active", "started_on": "0001-01-01"},
    )

    assert response.context["form"].errors["started_on"] == [
        "Check the year: nothing before 1990 is plausible here."
    ]


# --- every id in an inventory URL --------------------------------------------------------------


def _int_urls(namespace):
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace == namespace:
            for pattern in resolver.url_patterns:
                assert isinstance(pattern, URLPattern)
                for key, converter in pattern.pattern.converters.items():
                    if converter.regex == "[0-9]+":
                        yield f"{namespace}:{pattern.name}", key


VENDOR_ID_URLS = list(_int_urls("vendors"))


@pytest.fixture
def real_ids():
    """A real value for every URL parameter, so that only the one under test is impossible."""
    vendor = VendorFactory(name="Parallax")
    stakeholder = StakeholderFactory(name="Helix Health")
    engagement = EngagementFactory(vendor=vendor)
    return {
        "vendors:contact-edit": {
            "slug": vendor.slug,
            "contact_id": VendorContactFactory(vendor=vendor).pk,
        },
        "vendors:contact-delete": {
            "slug": vendor.slug,
            "contact_id": VendorContactFactory(vendor=vendor).pk,
        },
        "vendors:stakeholder-contact-delete": {
            "slug": stakeholder.slug,
            "contact_id": StakeholderContactFactory(stakeholder=stakeholder).pk,
        },
        "vendors:engagement-edit": {"pk": engagement.pk},
        "vendors:engagement-access-add": {"pk": engagement.pk},
        "vendors:engagement-access-delete": {
            "pk": engagement.pk,
            "access_id": EngagementAccess.objects.create(
                engagement=engagement, kind="key", description="S3 token"
            ).pk,
        },
    }


def test_every_id_taking_inventory_url_has_real_ids_here(real_ids):
    assert {name for name, _key in VENDOR_ID_URLS} == set(real_ids)


@pytest.mark.parametrize("value", [HUGE_ID, "99999999999999999999999", LONG_NUMBER])
@pytest.mark.parametrize(("name", "key"), VENDOR_ID_URLS)
def test_an_impossible_id_in_an_inventory_url_is_404(client, commander, real_ids, name, key, value):
    client.force_login(commander)
    url = reverse(name, kwargs={**real_ids[name], key: 424242}).replace("424242", value)

    answers = {client.get(url).status_code, client.post(url).status_code}

    assert 404 in answers
    assert answers <= {404, 405}


@pytest.mark.parametrize("page", [HUGE_ID, LONG_NUMBER, "9" * 5000, "-1", "1e400"])
@pytest.mark.parametrize("name", ["vendors:list", "vendors:asset-list", "vendors:stakeholder-list"])
def test_an_impossible_page_number_shows_a_page(client, commander, name, page):
    client.force_login(commander)

    response = client.get(reverse(name), {"page": page})

    assert response.status_code == 200
