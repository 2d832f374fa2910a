"""CSV import: preview with errors in plain words, then all rows or none."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import DataAssetFactory, StakeholderFactory, VendorFactory
from vendors import services
from vendors.imports import KINDS, read_import, template_csv
from vendors.models import DataAsset, Engagement, Vendor, VendorContact

pytestmark = pytest.mark.django_db

VENDOR_HEADER = "name,services,tier,status,relationship_owner,notify_us_within_hours,jurisdictions,security_contact_name,security_contact_email\n"


def _vendors_csv(*rows: str) -> bytes:
    return (VENDOR_HEADER + "\n".join(rows) + "\n").encode()


def _errors(plan):
    return plan.file_errors + [error for row in plan.rows for error in row.errors]


def test_a_good_vendor_file_plans_one_create_per_row(commander):
    plan = read_import(
        "vendors",
        _vendors_csv(
            "Parallax,Labelling,critical,active,commander,24,IE; US-CA,Dana Ruiz,sec@parallax.example",
            "Cobalt,Hosting,high,,,,DE,,",
        ),
    )

    assert plan.ok, _errors(plan)
    assert [row.action for row in plan.rows] == ["create", "create"]


def test_applying_a_plan_saves_every_row(commander):
    plan = read_import(
        "vendors",
        _vendors_csv(
            "Parallax,Labelling,critical,active,commander,24,IE; US-CA,Dana Ruiz,sec@parallax.example",
            "Cobalt,Hosting,high,,,,DE,,",
        ),
    )

    counts = services.inventory_import(plan=plan, actor=commander)

    assert counts == {"create": 2, "update": 0, "unchanged": 0}
    parallax = Vendor.objects.get(name="Parallax")
    assert parallax.jurisdictions == ["IE", "US-CA"]
    assert parallax.relationship_owner == commander
    assert parallax.contacts.get().is_security_contact


def test_a_row_with_an_existing_name_updates_that_vendor(commander):
    VendorFactory(name="Parallax", tier="low")

    plan = read_import("vendors", _vendors_csv("PARALLAX,Labelling,critical,,,,,,"))
    services.inventory_import(plan=plan, actor=commander)

    assert [row.action for row in plan.rows] == ["update"]
    assert Vendor.objects.get().tier == "critical"


def test_semicolon_separated_files_from_european_excel_are_read(commander):
    data = VENDOR_HEADER.replace(",", ";") + "Parallax;Labelling;critical;;;;IE;;\n"

    plan = read_import("vendors", data.encode("utf-8-sig"))

    assert plan.ok, _errors(plan)


def test_wrong_headers_are_named():
    plan = read_import("vendors", b"vendor_name,colour\nParallax,blue\n")

    assert not plan.ok
    assert "Missing required column(s): name." in plan.file_errors
    assert "Unknown column(s): vendor_name, colour." in plan.file_errors[1]


def test_ten_megabytes_of_junk_is_refused_for_its_size():
    plan = read_import("vendors", b"j" * 10_000_000)

    assert plan.file_errors == [
        "The file is 10.0 MB; imports are limited to 2 MB. Split it into smaller files."
    ]


def test_binary_data_is_not_a_csv():
    plan = read_import("vendors", b"name\n\x00\x01\x02PK\x03\x04")

    assert plan.file_errors == ["This is not a CSV file: it contains binary data."]


def test_an_empty_file_says_so():
    assert read_import("vendors", b"").file_errors == ["The file is empty."]


def test_a_header_without_rows_says_so():
    assert read_import("vendors", b"name,tier\n\n").file_errors == [
        "The file has a header but no rows."
    ]


def test_formula_cells_are_refused_with_the_column_named():
    plan = read_import(
        "vendors", _vendors_csv('"=HYPERLINK(""http://evil.example"",""x"")",Labelling,,,,,,,')
    )

    assert not plan.ok
    assert plan.rows[0].errors[0].startswith("name starts with “=”, which a spreadsheet would run")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Parallax,,catastrophic,,,,,,",
            "tier “catastrophic” is not one of: critical, high, medium, low.",
        ),
        ("Parallax,,,,,-4,,,", "notify_us_within_hours: A notification window is at least 1 hour."),
        ("Parallax,,,,,99999999,,,", "notify_us_within_hours: A notification window longer than"),
        ("Parallax,,,,,,DE; XX,,", "jurisdictions: We do not know the jurisdiction code(s) XX."),
        ("Parallax,,,,nobody,,,,", "relationship_owner “nobody” is not the username or email"),
        (
            "Parallax,,,,,,,Dana,a@b.c\r\nBcc: x@evil.example",
            "security_contact_email: Enter a valid email address.",
        ),
        (",Labelling,,,,,,,", "name: This field is required."),
        ("@SUM(A1),,,,,,,,", "name starts with “@”"),
        (
            "x" * 201 + ",,,,,,,,",
            "name: Ensure this value has at most 200 characters (it has 201).",
        ),
    ],
)
def test_bad_cells_are_explained_per_row(commander, row, message):
    plan = read_import("vendors", _vendors_csv(row))

    assert not plan.ok
    assert message in " ".join(_errors(plan))


def test_the_same_vendor_twice_in_one_file_is_an_error():
    plan = read_import("vendors", _vendors_csv("Parallax,,,,,,,,", "parallax,,,,,,,,"))

    assert plan.rows[1].errors == ["The same record is already on line 2."]


def test_one_bad_row_means_no_row_can_be_applied(commander):
    plan = read_import("vendors", _vendors_csv("Good one,,,,,,,,", "Bad one,,catastrophic,,,,,,"))

    assert not plan.ok
    with pytest.raises(ValueError, match="cannot be applied"):
        services.inventory_import(plan=plan, actor=commander)
    assert not Vendor.objects.exists()


def test_a_failure_half_way_through_saves_nothing(commander, monkeypatch):
    plan = read_import(
        "vendors", _vendors_csv("First,,,,,,,Dana Ruiz,sec@first.example", "Second,,,,,,,,")
    )

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    # The vendors are written first; the failure comes with their contacts.
    monkeypatch.setattr(VendorContact.objects, "bulk_create", disk_full)

    with pytest.raises(RuntimeError):
        services.inventory_import(plan=plan, actor=commander)

    assert not Vendor.objects.exists()


def test_data_assets_name_existing_stakeholders(commander):
    helix = StakeholderFactory(name="Helix Health")
    header = ",".join(KINDS["data-assets"].header)
    data = f"{header}\nClinical samples,dataset,restricted,Partnerships,48000,yes,no,yes,no,DE; FR,helix health,\n"

    plan = read_import("data-assets", data.encode())
    services.inventory_import(plan=plan, actor=commander)

    asset = DataAsset.objects.get()
    assert list(asset.stakeholders.all()) == [helix]
    assert asset.health_data and asset.personal_data


def test_a_data_asset_naming_an_unknown_stakeholder_is_refused():
    header = ",".join(KINDS["data-assets"].header)
    data = f"{header}\nClinical samples,,,,,,,,,,Nobody Inc,\n"

    plan = read_import("data-assets", data.encode())

    assert "stakeholders: no stakeholder named “Nobody Inc”" in plan.rows[0].errors[0]


def test_a_data_asset_with_health_but_not_personal_data_is_refused_in_words():
    header = ",".join(KINDS["data-assets"].header)
    data = f"{header}\nClinical samples,,,,,no,,yes,,,,\n"

    plan = read_import("data-assets", data.encode())

    assert "tick “personal data” too" in " ".join(plan.rows[0].errors)


def test_engagements_link_vendors_data_and_access(commander):
    vendor = VendorFactory(name="Parallax")
    asset = DataAssetFactory(name="Clinical samples")
    header = ",".join(KINDS["engagements"].header)
    data = (
        f"{header}\nParallax,Annotation,,commander,active,2026-02-01,,Clinical samples,"
        f"key: S3 upload token; SSO group\n"
    )

    plan = read_import("engagements", data.encode())
    services.inventory_import(plan=plan, actor=commander)

    engagement = Engagement.objects.get()
    assert engagement.vendor == vendor
    assert list(engagement.data_assets.all()) == [asset]
    assert sorted((a.kind, a.description) for a in engagement.accesses.all()) == [
        ("key", "S3 upload token"),
        ("system", "SSO group"),
    ]


def test_an_engagement_for_an_unknown_vendor_is_refused():
    header = ",".join(KINDS["engagements"].header)

    plan = read_import("engagements", f"{header}\nNobody,Annotation,,,,,,,\n".encode())

    assert "vendor: no vendor named “Nobody”" in plan.rows[0].errors[0]


def test_an_engagement_with_a_bad_date_is_refused():
    VendorFactory(name="Parallax")
    header = ",".join(KINDS["engagements"].header)

    plan = read_import("engagements", f"{header}\nParallax,Annotation,,,,31/01/2026,,,\n".encode())

    assert "started_on “31/01/2026” is not a date like 2026-03-31." in plan.rows[0].errors


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_template_has_the_columns_the_import_reads(kind):
    assert template_csv(kind).strip().split(",") == KINDS[kind].header


# --- through the pages --------------------------------------------------------


def _upload(client, kind, data, name="inventory.csv"):
    return client.post(
        reverse("vendors:import"),
        {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_upload_previews_then_confirm_saves(client, commander):
    client.force_login(commander)

    preview = _upload(client, "vendors", _vendors_csv("Parallax,,critical,,,,,,"))
    assert preview.status_code == 200
    assert not Vendor.objects.exists()

    confirmed = client.post(reverse("vendors:import-confirm"), {"token": preview.context["token"]})

    assert confirmed.status_code == 302
    assert Vendor.objects.get().name == "Parallax"


def test_a_preview_with_errors_offers_no_confirmation(client, commander):
    client.force_login(commander)

    preview = _upload(client, "vendors", _vendors_csv("Parallax,,catastrophic,,,,,,"))

    html = preview.content.decode()
    assert preview.status_code == 422
    assert "Nothing has been saved" in html
    assert reverse("vendors:import-confirm") not in html


def test_an_oversized_upload_is_refused_without_reading_it(client, commander):
    client.force_login(commander)

    response = _upload(client, "vendors", b"j" * 10_000_000)

    assert response.status_code == 422
    assert "imports are limited to 2 MB" in response.content.decode()


def test_confirm_checks_again_what_changed_since_the_preview(client, commander):
    VendorFactory(name="Parallax")
    asset = DataAssetFactory(name="Clinical samples")
    header = ",".join(KINDS["engagements"].header)
    client.force_login(commander)
    preview = _upload(
        client, "engagements", f"{header}\nParallax,Annotation,,,,,,Clinical samples,\n".encode()
    )
    assert preview.status_code == 200
    asset.delete()

    response = client.post(reverse("vendors:import-confirm"), {"token": preview.context["token"]})

    assert response.status_code == 422
    assert "no data asset named “Clinical samples”" in response.content.decode()
    assert not Engagement.objects.exists()


def test_a_confirmation_cannot_be_replayed(client, commander):
    client.force_login(commander)
    preview = _upload(client, "vendors", _vendors_csv("Parallax,,critical,,,,,,"))
    client.post(reverse("vendors:import-confirm"), {"token": preview.context["token"]})
    Vendor.objects.all().delete()

    replay = client.post(
        reverse("vendors:import-confirm"), {"token": preview.context["token"]}, follow=True
    )

    assert "already applied or has expired" in replay.content.decode()
    assert not Vendor.objects.exists()


def test_readers_cannot_confirm_an_import(client, responder):
    client.force_login(responder)

    assert client.post(reverse("vendors:import-confirm"), {"token": "x"}).status_code == 403


def test_upload_without_a_kind_or_file_says_what_is_missing(client, commander):
    client.force_login(commander)

    no_kind = client.post(reverse("vendors:import"), {})
    no_file = client.post(reverse("vendors:import"), {"kind": "vendors"})

    assert "Choose what the file holds" in no_kind.content.decode()
    assert "Choose a CSV file to upload." in no_file.content.decode()


def test_templates_download_as_csv(client, responder):
    client.force_login(responder)

    response = client.get(reverse("vendors:import-template", kwargs={"kind": "vendors"}))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().startswith("name,services,tier")
