"""A paused vendor or engagement comes back only through its incidents (issue 9, fault 2).

"Paused" is set by an incident's "Pause engagements" and lifted only once the
incident commander and Legal both approve; the inventory (its pages, services,
CSV import and the Django admin) never moves a status into or out of it.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents import services as incident_services
from incidents.models import EngagementPause, TimelineEntry
from tests.factories import EngagementFactory, IncidentFactory, VendorFactory
from vendors import services
from vendors.imports import KINDS, read_import
from vendors.models import Engagement, Vendor

pytestmark = pytest.mark.django_db

REASON = "Breach under investigation"


@pytest.fixture
def paused(incident, commander):
    """The incident's pause of the "Annotation" engagement with Parallax Data."""
    return incident_services.engagements_pause(incident=incident, actor=commander, reason=REASON)[0]


def _engagement_form(engagement, **changes):
    return {
        "name": engagement.name,
        "description": engagement.description,
        "owner": engagement.owner_id or "",
        "started_on": "",
        "ended_on": "",
        "data_assets": [asset.pk for asset in engagement.data_assets.all()],
        **changes,
    }


def _vendor_form(vendor, **changes):
    return {
        "name": vendor.name,
        "services": vendor.services,
        "tier": vendor.tier,
        "relationship_owner": "",
        "notify_us_within_hours": vendor.notify_us_within_hours or "",
        "jurisdictions": ", ".join(vendor.jurisdictions),
        **changes,
    }


def _entry_count(incident):
    return TimelineEntry.objects.filter(incident=incident).count()


def _errors(plan):
    return plan.file_errors + [error for row in plan.rows for error in row.errors]


# --- the inventory pages ------------------------------------------------------------------


def test_the_engagement_form_cannot_resume_a_paused_engagement(client, commander, incident, paused):
    engagement = paused.engagement
    entries_before = _entry_count(incident)
    client.force_login(commander)

    client.post(
        reverse("vendors:engagement-edit", kwargs={"pk": engagement.pk}),
        _engagement_form(engagement, status="active"),
    )

    engagement.refresh_from_db()
    paused.refresh_from_db()
    assert engagement.status == Engagement.Status.PAUSED
    assert paused.is_open
    assert paused.commander_approved_by is None
    assert paused.legal_approved_by is None
    assert _entry_count(incident) == entries_before


def test_the_engagement_form_of_a_paused_engagement_has_no_status_field(client, commander, paused):
    client.force_login(commander)

    response = client.get(reverse("vendors:engagement-edit", kwargs={"pk": paused.engagement_id}))

    assert response.status_code == 200
    assert "status" not in response.context["form"].fields
    assert 'name="status"' not in response.content.decode()


def test_the_engagement_form_still_saves_other_changes_to_a_paused_engagement(
    client, commander, paused
):
    engagement = paused.engagement
    client.force_login(commander)

    response = client.post(
        reverse("vendors:engagement-edit", kwargs={"pk": engagement.pk}),
        _engagement_form(engagement, description="Labelling of clinical samples"),
    )

    engagement.refresh_from_db()
    assert response.status_code == 302
    assert engagement.description == "Labelling of clinical samples"
    assert engagement.status == Engagement.Status.PAUSED


def test_the_engagement_form_never_offers_paused(client, commander):
    engagement = EngagementFactory(vendor=VendorFactory(name="Quill"))
    client.force_login(commander)

    response = client.get(reverse("vendors:engagement-edit", kwargs={"pk": engagement.pk}))

    offered = [value for value, _label in response.context["form"].fields["status"].choices]
    assert offered == [Engagement.Status.ACTIVE, Engagement.Status.ENDED]


def test_the_engagement_form_cannot_pause_an_engagement(client, commander):
    engagement = EngagementFactory(vendor=VendorFactory(name="Quill"))
    client.force_login(commander)

    response = client.post(
        reverse("vendors:engagement-edit", kwargs={"pk": engagement.pk}),
        _engagement_form(engagement, status="paused"),
    )

    engagement.refresh_from_db()
    assert response.status_code == 422
    assert engagement.status == Engagement.Status.ACTIVE
    assert not EngagementPause.objects.exists()


def test_an_engagement_cannot_be_added_paused(client, commander):
    vendor = VendorFactory(name="Quill")
    client.force_login(commander)

    response = client.post(
        reverse("vendors:engagement-create", kwargs={"slug": vendor.slug}),
        {"name": "Evaluation", "status": "paused"},
    )

    assert response.status_code == 422
    assert not Engagement.objects.filter(vendor=vendor).exists()


def test_the_vendor_form_cannot_resume_a_paused_vendor(client, commander, paused):
    vendor = paused.engagement.vendor
    client.force_login(commander)

    client.post(
        reverse("vendors:edit", kwargs={"slug": vendor.slug}), _vendor_form(vendor, status="active")
    )

    vendor.refresh_from_db()
    assert vendor.status == Vendor.Status.PAUSED


def test_the_vendor_form_of_a_paused_vendor_has_no_status_field(client, commander, paused):
    client.force_login(commander)

    response = client.get(reverse("vendors:edit", kwargs={"slug": paused.engagement.vendor.slug}))

    assert response.status_code == 200
    assert "status" not in response.context["form"].fields


def test_the_vendor_form_never_offers_paused(client, commander):
    client.force_login(commander)

    response = client.get(reverse("vendors:create"))

    offered = [value for value, _label in response.context["form"].fields["status"].choices]
    assert offered == [Vendor.Status.ACTIVE, Vendor.Status.OFFBOARDED]


def test_the_vendor_form_cannot_pause_a_vendor(client, commander):
    vendor = VendorFactory(name="Quill")
    client.force_login(commander)

    response = client.post(
        reverse("vendors:edit", kwargs={"slug": vendor.slug}), _vendor_form(vendor, status="paused")
    )

    vendor.refresh_from_db()
    assert response.status_code == 422
    assert vendor.status == Vendor.Status.ACTIVE


def test_pausing_from_another_incident_still_works_after_a_status_edit(
    client, commander, paused, breached_vendor
):
    engagement = paused.engagement
    other = IncidentFactory(commander=commander, vendors=[breached_vendor], title="Second report")
    client.force_login(commander)
    client.post(
        reverse("vendors:engagement-edit", kwargs={"pk": engagement.pk}),
        _engagement_form(engagement, status="active"),
    )
    # The old fault surfaced as a server error: let the client report it as one.
    client.raise_request_exception = False

    response = client.post(
        reverse("incidents:pause", kwargs={"reference": other.reference}), {"reason": REASON}
    )

    engagement.refresh_from_db()
    assert response.status_code == 302
    assert engagement.status == Engagement.Status.PAUSED
    assert (
        EngagementPause.objects.filter(engagement=engagement, resumed_at__isnull=True).count() == 2
    )


# --- the services -------------------------------------------------------------------------


def test_engagement_update_refuses_to_resume_a_paused_engagement(commander, paused):
    with pytest.raises(ValidationError) as raised:
        services.engagement_update(engagement=paused.engagement, actor=commander, status="active")

    assert "status" in raised.value.message_dict
    assert Engagement.objects.get(pk=paused.engagement_id).status == Engagement.Status.PAUSED


def test_engagement_update_refuses_to_end_a_paused_engagement(commander, paused):
    with pytest.raises(ValidationError) as raised:
        services.engagement_update(engagement=paused.engagement, actor=commander, status="ended")

    assert "status" in raised.value.message_dict
    assert Engagement.objects.get(pk=paused.engagement_id).status == Engagement.Status.PAUSED


def test_engagement_update_refuses_to_pause_an_engagement(commander):
    engagement = EngagementFactory()

    with pytest.raises(ValidationError) as raised:
        services.engagement_update(engagement=engagement, actor=commander, status="paused")

    assert "status" in raised.value.message_dict
    assert Engagement.objects.get(pk=engagement.pk).status == Engagement.Status.ACTIVE


def test_engagement_update_may_end_an_active_engagement(commander):
    engagement = EngagementFactory()

    services.engagement_update(engagement=engagement, actor=commander, status="ended")

    assert Engagement.objects.get(pk=engagement.pk).status == Engagement.Status.ENDED


def test_engagement_create_refuses_a_paused_engagement(commander):
    vendor = VendorFactory()

    with pytest.raises(ValidationError) as raised:
        services.engagement_create(
            vendor=vendor, actor=commander, name="Evaluation", status="paused"
        )

    assert "status" in raised.value.message_dict
    assert not Engagement.objects.filter(vendor=vendor).exists()


def test_vendor_update_refuses_to_resume_a_paused_vendor(commander, paused):
    vendor = paused.engagement.vendor

    with pytest.raises(ValidationError) as raised:
        services.vendor_update(vendor=vendor, actor=commander, status="active")

    assert "status" in raised.value.message_dict
    assert Vendor.objects.get(pk=vendor.pk).status == Vendor.Status.PAUSED


def test_vendor_update_refuses_to_pause_a_vendor(commander):
    vendor = VendorFactory()

    with pytest.raises(ValidationError) as raised:
        services.vendor_update(vendor=vendor, actor=commander, status="paused")

    assert "status" in raised.value.message_dict
    assert Vendor.objects.get(pk=vendor.pk).status == Vendor.Status.ACTIVE


def test_vendor_create_refuses_a_paused_vendor(commander):
    with pytest.raises(ValidationError) as raised:
        services.vendor_create(actor=commander, name="Quill", tier="low", status="paused")

    assert "status" in raised.value.message_dict
    assert not Vendor.objects.filter(name="Quill").exists()


def test_the_incident_resume_with_both_approvals_brings_the_engagement_back(
    commander, legal, paused
):
    incident_services.pause_approve_resume(
        pause=paused, actor=commander, reason="Vendor rotated every credential"
    )

    incident_services.pause_approve_resume(pause=paused, actor=legal)

    engagement = Engagement.objects.select_related("vendor").get(pk=paused.engagement_id)
    assert engagement.status == Engagement.Status.ACTIVE
    assert engagement.vendor.status == Vendor.Status.ACTIVE


# --- the CSV import -----------------------------------------------------------------------


def _engagement_row(vendor, name, status):
    header = ",".join(KINDS["engagements"].header)
    return f"{header}\n{vendor},{name},,,{status},,,,\n".encode()


def _vendor_row(name, status):
    header = ",".join(KINDS["vendors"].header)
    return f"{header}\n{name},Labelling,critical,{status},,,,,\n".encode()


def test_the_import_refuses_to_resume_a_paused_engagement(paused):
    plan = read_import("engagements", _engagement_row("Parallax Data", "Annotation", "active"))

    assert not plan.ok
    assert any(error.startswith("status: ") for error in plan.rows[0].errors)


def test_the_import_keeps_a_paused_engagement_paused_when_its_status_cell_is_empty(
    commander, paused
):
    plan = read_import("engagements", _engagement_row("Parallax Data", "Annotation", ""))

    services.inventory_import(plan=plan, actor=commander)

    assert plan.ok, _errors(plan)
    assert Engagement.objects.get(pk=paused.engagement_id).status == Engagement.Status.PAUSED
    assert EngagementPause.objects.get(pk=paused.pk).is_open


def test_the_import_refuses_to_pause_an_engagement():
    EngagementFactory(vendor=VendorFactory(name="Quill"), name="Evaluation")

    plan = read_import("engagements", _engagement_row("Quill", "Evaluation", "paused"))

    assert not plan.ok
    assert any(error.startswith("status: ") for error in plan.rows[0].errors)


def test_the_import_refuses_a_new_paused_engagement():
    VendorFactory(name="Quill")

    plan = read_import("engagements", _engagement_row("Quill", "Evaluation", "paused"))

    assert not plan.ok
    assert any(error.startswith("status: ") for error in plan.rows[0].errors)


def test_the_import_refuses_to_resume_a_paused_vendor(paused):
    plan = read_import("vendors", _vendor_row("Parallax Data", "active"))

    assert not plan.ok
    assert any(error.startswith("status: ") for error in plan.rows[0].errors)


def test_the_import_keeps_a_paused_vendor_paused_when_its_status_cell_is_empty(commander, paused):
    plan = read_import("vendors", _vendor_row("Parallax Data", ""))

    services.inventory_import(plan=plan, actor=commander)

    assert plan.ok, _errors(plan)
    assert Vendor.objects.get(name="Parallax Data").status == Vendor.Status.PAUSED


def test_the_import_refuses_a_new_paused_vendor():
    plan = read_import("vendors", _vendor_row("Quill", "paused"))

    assert not plan.ok
    assert any(error.startswith("status: ") for error in plan.rows[0].errors)


# --- the Django admin ---------------------------------------------------------------------


def test_the_admin_shows_a_paused_engagements_status_read_only(admin_client, paused):
    response = admin_client.get(
        reverse("admin:vendors_engagement_change", args=[paused.engagement_id])
    )

    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields


def test_the_admin_shows_a_paused_vendors_status_read_only(admin_client, paused):
    response = admin_client.get(
        reverse("admin:vendors_vendor_change", args=[paused.engagement.vendor_id])
    )

    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields


def test_the_admin_never_offers_paused_for_an_engagement(admin_client):
    engagement = EngagementFactory()

    response = admin_client.get(reverse("admin:vendors_engagement_change", args=[engagement.pk]))

    offered = [
        value for value, _label in response.context["adminform"].form.fields["status"].choices
    ]
    assert Engagement.Status.PAUSED not in offered
    assert Engagement.Status.ACTIVE in offered


def test_the_admin_never_offers_paused_for_a_vendor(admin_client):
    response = admin_client.get(reverse("admin:vendors_vendor_add"))

    offered = [
        value for value, _label in response.context["adminform"].form.fields["status"].choices
    ]
    assert Vendor.Status.PAUSED not in offered
    assert Vendor.Status.ACTIVE in offered


def test_the_admin_vendor_page_lists_engagement_statuses_read_only(admin_client, paused):
    response = admin_client.get(
        reverse("admin:vendors_vendor_change", args=[paused.engagement.vendor_id])
    )

    engagement_forms = [
        form
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.model is Engagement
        for form in formset.formset.forms
    ]
    assert engagement_forms
    assert all("status" not in form.fields for form in engagement_forms)
