"""The files people really have (issue 10): Excel's Unicode Text, Windows-1252, and not-CSV."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vendors.imports import A_WORKBOOK, KINDS, NOT_TEXT, read_import
from vendors.models import Vendor

pytestmark = pytest.mark.django_db

# A one-pixel PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fe0d72f5c00000000049454e44ae426082"
)


def _unicode_text(*rows: list[str], encoding: str = "utf-16-le") -> bytes:
    """What Excel's Save As › “Unicode Text” writes: UTF-16 with a BOM, tabs, CRLF."""
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    lines = ["\t".join(KINDS["vendors"].header), *("\t".join(row) for row in rows)]
    return bom + "\r\n".join([*lines, ""]).encode(encoding)


def _vendor_row(name: str, services: str = "Hosting") -> list[str]:
    return [name, services, "high", "", "", "48", "DE; FR", "", ""]


def _upload(client, data: bytes, name: str = "vendors.csv"):
    return client.post(
        reverse("vendors:import"),
        {"kind": "vendors", "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_excel_unicode_text_is_read():
    plan = read_import("vendors", _unicode_text(_vendor_row("Müller GmbH")))

    assert plan.ok, plan.file_errors + [e for row in plan.rows for e in row.errors]
    assert plan.rows[0].fields["name"] == "Müller GmbH"
    assert plan.rows[0].fields["jurisdictions"] == ["DE", "FR"]


def test_big_endian_unicode_text_is_read():
    plan = read_import(
        "vendors", _unicode_text(_vendor_row("Société Générale"), encoding="utf-16-be")
    )

    assert plan.ok
    assert plan.rows[0].fields["name"] == "Société Générale"


def test_the_preview_says_a_unicode_text_file_was_read_as_utf_16_with_tabs(client, commander):
    client.force_login(commander)

    response = _upload(client, _unicode_text(_vendor_row("Müller GmbH")), "vendors.txt")

    assert response.status_code == 200
    assert "Read as UTF-16 text, with columns separated by tabs." in response.content.decode()


def test_a_windows_1252_file_is_read_and_its_encoding_named(client, commander):
    data = "\n".join(
        [",".join(KINDS["vendors"].header), "Müller GmbH,,,,,,,,", "Société Générale,Crédit,,,,,,,"]
    )
    client.force_login(commander)

    preview = _upload(client, data.encode("cp1252"))
    client.post(reverse("vendors:import-confirm"), {"token": preview.context["token"]})

    assert "Read as Windows-1252 text, with columns separated by commas." in (
        preview.content.decode()
    )
    assert sorted(Vendor.objects.values_list("name", "services")) == [
        ("Müller GmbH", ""),
        ("Société Générale", "Crédit"),
    ]


def test_a_latin_1_file_with_one_accent_is_read():
    plan = read_import("vendors", "name\nSécurité SA\n".encode("latin-1"))

    assert plan.ok
    assert plan.rows[0].fields["name"] == "Sécurité SA"


def test_a_utf_8_file_says_it_was_read_as_utf_8():
    plan = read_import("vendors", "name\nSécurité SA\n".encode())

    assert (plan.encoding, plan.delimiter) == ("UTF-8", "commas")


def test_a_png_is_refused_as_not_a_csv_file():
    plan = read_import("vendors", PNG)

    assert plan.file_errors == [str(NOT_TEXT)]


def test_an_excel_workbook_is_refused_with_how_to_save_it_as_csv():
    plan = read_import("vendors", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))

    assert plan.file_errors == [str(A_WORKBOOK)]


def test_a_unicode_text_file_of_the_largest_size_allowed_is_not_refused_for_its_bytes():
    rows = [_vendor_row(f"Vendor {n:04}", "Training-data labelling") for n in range(5_000)]

    plan = read_import("vendors", _unicode_text(*rows))

    assert not plan.file_errors
