"""Every export imports back unchanged (issue 10): one round trip per sheet.

A sheet is exported, uploaded as it came, previewed and confirmed: the
preview has only "update" rows, none with a change or a problem, and the
confirmation leaves every record, contact, link and timestamp as it was.
"""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import (
    DataAssetFactory,
    EngagementFactory,
    StakeholderFactory,
    UserFactory,
    VendorContactFactory,
    VendorFactory,
)
from vendors.imports import KINDS
from vendors.models import (
    DataAsset,
    Engagement,
    EngagementAccess,
    Vendor,
    VendorContact,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(commander):
    """Records with every kind of cell: lists, empty cells, paused, formula-like text."""
    parallax = VendorFactory(
        name="Parallax Data",
        services="- Labelling\n- Hosting",
        tier=Vendor.Tier.CRITICAL,
        relationship_owner=commander,
        notify_us_within_hours=24,
        jurisdictions=["IE", "US-CA"],
    )
    VendorContactFactory(vendor=parallax, name="Dana Ruiz", email="Dana@Parallax.example")
    VendorContactFactory(vendor=parallax, name="Ops desk", is_security_contact=False)
    quill = VendorFactory(
        name="Quill", status=Vendor.Status.PAUSED, notify_us_within_hours=None, jurisdictions=[]
    )
    helix = StakeholderFactory(name="Helix Health")
    orbit = StakeholderFactory(name="Orbit Bank")
    notes = DataAssetFactory(
        name="Clinical notes",
        classification=DataAsset.Classification.RESTRICTED,
        owning_team="Data partnerships",
        personal_data=True,
        health_data=True,
        subject_jurisdictions=["DE", "FR"],
        stakeholders=[helix, orbit],
        description="Notes; with a semicolon, and “quotes”",
    )
    weights = DataAssetFactory(name="Model weights v2", kind="model_weights", approx_records=None)
    annotation = EngagementFactory(
        vendor=parallax,
        name="Annotation",
        owner=commander,
        started_on=date(2026, 1, 15),
        ended_on=date(2026, 6, 30),
        status=Engagement.Status.ENDED,
        data_assets=[notes, weights],
    )
    EngagementAccess.objects.create(engagement=annotation, kind="key", description="S3: upload")
    EngagementAccess.objects.create(engagement=annotation, kind="system", description="SSO group")
    EngagementFactory(vendor=quill, name="Evaluation", status=Engagement.Status.PAUSED)
    return parallax


def _export(client, url_name: str) -> bytes:
    return b"".join(client.get(reverse(url_name)).streaming_content)


def _import(client, kind: str, data: bytes):
    preview = client.post(
        reverse("vendors:import"),
        {"kind": kind, "file": SimpleUploadedFile("export.csv", data, content_type="text/csv")},
    )
    confirmed = client.post(reverse("vendors:import-confirm"), {"token": preview.context["token"]})
    return preview, confirmed


def _state():
    """Every row the inventory holds, timestamps included."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Vendor,
            VendorContact,
            DataAsset,
            DataAsset.stakeholders.through,
            Engagement,
            Engagement.data_assets.through,
            EngagementAccess,
        )
    }


def _unchanged_updates(plan) -> bool:
    return bool(plan.rows) and all(
        row.action == "update" and not row.changes and not row.errors for row in plan.rows
    )


@pytest.mark.parametrize(
    ("kind", "url_name"),
    [
        ("vendors", "vendors:export"),
        ("data-assets", "vendors:asset-export"),
        ("engagements", "vendors:engagement-export"),
    ],
)
def test_each_export_imports_back_unchanged(client, commander, inventory, kind, url_name):
    client.force_login(commander)
    exported = _export(client, url_name)
    before = _state()

    preview, confirmed = _import(client, kind, exported)

    assert preview.status_code == 200
    assert _unchanged_updates(preview.context["plan"]), [
        (row.line, row.action, row.changes, row.errors) for row in preview.context["plan"].rows
    ]
    assert confirmed.status_code == 302
    assert _state() == before


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_export_has_its_import_templates_columns(client, commander, inventory, kind):
    url_name = {
        "vendors": "vendors:export",
        "data-assets": "vendors:asset-export",
        "engagements": "vendors:engagement-export",
    }[kind]
    client.force_login(commander)

    exported = _export(client, url_name).decode("utf-8-sig")

    assert next(csv.reader(io.StringIO(exported))) == KINDS[kind].header


def _rows(client, url_name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_export(client, url_name).decode("utf-8-sig"))))


def test_the_vendor_export_names_owners_by_username(client, commander, inventory):
    commander.first_name, commander.last_name = "Ada", "Lovelace"
    commander.save()
    client.force_login(commander)

    rows = _rows(client, "vendors:export")

    assert rows[0]["relationship_owner"] == commander.username


def test_the_engagement_export_names_owners_by_username(client, commander, inventory):
    client.force_login(commander)

    rows = _rows(client, "vendors:engagement-export")

    assert rows[0]["owner"] == commander.username


def test_the_vendor_export_carries_the_security_contact(client, commander, inventory):
    client.force_login(commander)

    rows = _rows(client, "vendors:export")

    assert (rows[0]["security_contact_name"], rows[0]["security_contact_email"]) == (
        "Dana Ruiz",
        "Dana@Parallax.example",
    )


def test_a_security_contact_exported_elsewhere_is_added_on_import(client, commander, inventory):
    client.force_login(commander)
    exported = _export(client, "vendors:export")
    VendorContact.objects.filter(email__iexact="dana@parallax.example").delete()

    preview, _confirmed = _import(client, "vendors", exported)

    assert preview.context["plan"].rows[0].changes == ["security_contact_email"]
    contact = inventory.contacts.get(email="Dana@Parallax.example")
    assert (contact.name, contact.is_security_contact) == ("Dana Ruiz", True)


def test_an_owner_who_has_left_does_not_stop_the_export_importing(client, commander, inventory):
    leaver = UserFactory(username="leaver", is_active=False)
    Vendor.objects.filter(pk=inventory.pk).update(relationship_owner=leaver)
    client.force_login(commander)
    exported = _export(client, "vendors:export")

    preview, _confirmed = _import(client, "vendors", exported)

    assert _unchanged_updates(preview.context["plan"])
    assert Vendor.objects.get(pk=inventory.pk).relationship_owner == leaver


def test_the_import_will_not_give_a_vendor_to_someone_who_has_left(client, commander, inventory):
    UserFactory(username="leaver", is_active=False)
    client.force_login(commander)
    exported = _export(client, "vendors:export").replace(b"commander", b"leaver")

    preview = client.post(
        reverse("vendors:import"),
        {"kind": "vendors", "file": SimpleUploadedFile("v.csv", exported, "text/csv")},
    )

    assert preview.status_code == 422
    assert Vendor.objects.get(pk=inventory.pk).relationship_owner == commander


def test_the_export_neutralises_a_formula_after_spaces(client, commander):
    VendorFactory(name=" =1+1", slug="formula", services="\t@SUM(A1)")
    client.force_login(commander)

    rows = _rows(client, "vendors:export")

    assert (rows[0]["name"], rows[0]["services"]) == ("' =1+1", "'\t@SUM(A1)")


def test_the_export_leaves_signed_numbers_and_plain_text_alone(client, commander):
    VendorFactory(name="-4", slug="minus-four", services="'90s data, + more")
    client.force_login(commander)

    rows = _rows(client, "vendors:export")

    assert (rows[0]["name"], rows[0]["services"]) == ("-4", "'90s data, + more")
