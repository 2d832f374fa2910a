"""The import checks rows with the pages' own forms, reading each table once per file (issue 10)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import DataAssetFactory, StakeholderFactory, VendorFactory
from vendors import services
from vendors.forms import DataAssetForm, VendorForm
from vendors.imports import KINDS, read_import
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


def _file(kind: str, *rows: str) -> bytes:
    return ("\n".join([",".join(KINDS[kind].header), *rows]) + "\n").encode()


def _errors(plan) -> list[str]:
    return plan.file_errors + [error for row in plan.rows for error in row.errors]


# --- the same forms -------------------------------------------------------------------------


def test_a_bad_vendor_row_gets_the_vendor_forms_own_message():
    message = VendorForm.base_fields["notify_us_within_hours"].error_messages["max_value"]

    plan = read_import("vendors", _file("vendors", "Parallax,,,,,9999999,,,"))

    assert _errors(plan) == [f"notify_us_within_hours: {message}"]


def test_a_bad_data_asset_row_gets_the_data_asset_forms_own_message():
    message = DataAssetForm.base_fields["approx_records"].error_messages["min_value"]

    plan = read_import("data-assets", _file("data-assets", "Notes,,,,-5,,,,,,,"))

    assert _errors(plan) == [f"approx_records: {message}"]


def test_a_bad_engagement_row_gets_the_engagement_forms_own_message():
    VendorFactory(name="Parallax")

    plan = read_import(
        "engagements", _file("engagements", "Parallax,Annotation,,,,2026-02-01,2026-01-01,,")
    )

    assert _errors(plan) == ["ended_on: An engagement cannot end before it started."]


def test_a_name_taken_in_another_case_updates_rather_than_duplicates():
    VendorFactory(name="Parallax Data")

    plan = read_import("vendors", _file("vendors", "PARALLAX  DATA,,critical,,,,,,"))

    assert [row.action for row in plan.rows] == ["update"]


def test_a_leading_space_formula_is_refused():
    plan = read_import("vendors", _file("vendors", '" =1+1",,,,,,,,'))

    assert _errors(plan) == [
        "name starts with “=”, which a spreadsheet would run as a formula (“=1+1”). "
        "Remove the leading character."
    ]


def test_a_cell_the_export_neutralised_is_read_as_it_was():
    plan = read_import("vendors", _file("vendors", "Parallax,'- labelling,,,,,,,"))

    assert plan.rows[0].fields["services"] == "- labelling"


def test_an_empty_status_leaves_a_vendor_as_it_was():
    VendorFactory(name="Parallax", status=Vendor.Status.OFFBOARDED)

    plan = read_import("vendors", _file("vendors", "Parallax,,,,,,,,"))

    assert "status" not in plan.rows[0].fields


def test_a_status_paused_after_the_file_was_read_is_not_overwritten(commander):
    vendor = VendorFactory(name="Parallax")
    plan = read_import("vendors", _file("vendors", "Parallax,,,offboarded,,,,,"))
    Vendor.objects.filter(pk=vendor.pk).update(status=Vendor.Status.PAUSED)

    with pytest.raises(ValidationError):
        services.inventory_import(plan=plan, actor=commander)

    assert Vendor.objects.get(pk=vendor.pk).status == Vendor.Status.PAUSED


# --- queries: the same number for ten rows or a thousand ----------------------------------


def _vendor_rows(count: int) -> list[str]:
    return [
        f"Vendor {n},Labelling,high,active,commander,24,IE,Dana,d{n}@v.example"
        for n in range(count)
    ]


def _asset_rows(count: int) -> list[str]:
    return [f"Asset {n},,,,10,yes,,,,DE,Helix; Orbit,desc" for n in range(count)]


def _engagement_rows(count: int) -> list[str]:
    return [
        f"Vendor {n % 3},Work {n},,commander,,2026-01-01,,Asset {n % 3},key: token {n}"
        for n in range(count)
    ]


@pytest.fixture
def named(commander):
    for n in range(3):
        VendorFactory(name=f"Vendor {n}")
        DataAssetFactory(name=f"Asset {n}")
    StakeholderFactory(name="Helix")
    StakeholderFactory(name="Orbit")


@pytest.mark.parametrize(
    ("kind", "rows"),
    [("vendors", _vendor_rows), ("data-assets", _asset_rows), ("engagements", _engagement_rows)],
)
@pytest.mark.parametrize("count", [10, 300])
def test_a_preview_runs_the_same_few_queries_for_any_number_of_rows(
    django_assert_max_num_queries, named, kind, rows, count
):
    data = _file(kind, *rows(count))

    with django_assert_max_num_queries(8):
        plan = read_import(kind, data)

    assert plan.ok, _errors(plan)[:3]


@pytest.mark.parametrize("count", [10, 300])
def test_the_preview_page_runs_the_same_few_queries_for_any_number_of_rows(
    client, commander, django_assert_max_num_queries, count
):
    client.force_login(commander)
    data = _file("vendors", *_vendor_rows(count))

    with django_assert_max_num_queries(14):
        response = client.post(
            reverse("vendors:import"),
            {"kind": "vendors", "file": SimpleUploadedFile("v.csv", data, "text/csv")},
        )

    assert response.status_code == 200
