"""The rule list (/clocks/rules/), the what-if page's new rules, and the organisation
profile's new standing facts: establishment, time zone, entity kinds, rules turned on."""

from datetime import timedelta

import pytest
from django.urls import reverse

from incidents import services
from incidents.admin import OrganisationProfileAdmin
from incidents.clocks import RULES, RULES_BY_ID
from incidents.models import Deadline, OrganisationProfile
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db


def _rows(response):
    return [row.rule.id for row in response.context["rows"]]


# --- the rule list -----------------------------------------------------------------------


def test_the_rule_list_shows_every_rule_with_its_trigger_window_calendar_and_dates(client, viewer):
    client.force_login(viewer)

    response = client.get(reverse("clock-rules"))

    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(_rows(response)) == sorted(rule.id for rule in RULES)
    dora = RULES_BY_ID["dora-initial"]
    assert 'id="rule-dora-initial"' in html
    assert dora.citation in html
    assert "from 2025-01-17" in html
    assert "classification as major" in html
    assert "calendar days, in Asia/Tokyo; the trigger day is day 1" in html


def test_the_rule_list_marks_grade_c_rules(client, viewer):
    client.force_login(viewer)

    html = client.get(reverse("clock-rules"), {"jurisdiction": "IN"}).content.decode()

    dpdp = html.split('id="rule-in-dpdp"')[1].split("</tr>")[0]
    cert_in = html.split('id="rule-in-cert-in"')[1].split("</tr>")[0]
    assert "badge-grade-c" in dpdp
    assert "pending (expected 2027-05-13)" in dpdp
    assert "badge-grade-c" not in cert_in


def test_the_rule_list_filters_by_jurisdiction_including_subdivisions(client, viewer):
    client.force_login(viewer)

    japan = _rows(client.get(reverse("clock-rules"), {"jurisdiction": "JP"}))
    canada = _rows(client.get(reverse("clock-rules"), {"jurisdiction": "CA"}))

    assert set(japan) == {"jp-appi-preliminary", "jp-appi-final", "jp-appi-entrusted"}
    assert {"ca-pipeda", "ca-qc-law25", "ca-ab-pipa"} == set(canada)


def test_the_rule_list_filter_answers_htmx_with_the_table_only(client, viewer):
    client.force_login(viewer)

    response = client.get(
        reverse("clock-rules"), {"jurisdiction": "KR"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="rules"')
    assert "<form" not in html


def test_the_rule_list_names_an_unknown_jurisdiction(client, viewer):
    client.force_login(viewer)

    response = client.get(reverse("clock-rules"), {"jurisdiction": "ZZ"})

    assert response.status_code == 422
    assert "No rule is kept for “ZZ”" in response.content.decode()
    assert len(_rows(response)) == len(RULES)


# --- the what-if page --------------------------------------------------------------------


def test_what_if_shows_the_new_regimes_for_entity_facts(client, viewer):
    client.force_login(viewer)

    response = client.get(
        reverse("whatif"),
        {
            "aware_at": "2026-11-25T10:40",
            "role": "processor",
            "telecom_provider": "on",
            "personal_data": "yes",
            "affected": "FR=10, US-TX=5",
        },
    )

    rules = {clock.rule for clock in response.context["clocks"]}
    assert response.status_code == 200
    assert {"eprivacy-initial", "us-tx-vendor", "gdpr-art33-2"} <= rules
    assert "us-tx" not in rules


def test_what_if_turns_on_a_grade_c_rule_and_marks_it(client, viewer):
    client.force_login(viewer)

    response = client.get(
        reverse("whatif"),
        {
            "aware_at": "2026-11-25T10:40",
            "role": "controller",
            "critical_infrastructure": "on",
            "enabled_rules": ["circia-incident"],
        },
    )

    results = response.content.decode().split('id="clocks-heading"')[1]
    row = results.split("CIRCIA")[1].split("</tr>")[0]
    assert "badge-grade-c" in row
    assert 'href="/clocks/rules/#rule-circia-incident"' in row


def test_what_if_starts_from_the_organisation_profile(client, viewer):
    OrganisationProfile.objects.create(
        established_in="DE", time_zone="Europe/Berlin", cra_manufacturer=True
    )
    client.force_login(viewer)

    form = client.get(reverse("whatif")).context["form"]

    assert form["established_in"].value() == "DE"
    assert form["time_zone"].value() == "Europe/Berlin"
    assert form["cra_manufacturer"].value() is True


def test_what_if_names_a_bad_time_zone(client, viewer):
    client.force_login(viewer)

    response = client.get(
        reverse("whatif"),
        {"aware_at": "2026-11-25T10:40", "role": "controller", "time_zone": "Mars/Olympus"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["time_zone"]


# --- the organisation profile ------------------------------------------------------------


def test_the_profiles_standing_facts_are_the_incidents_facts(incident):
    OrganisationProfile.objects.create(
        established_in="IE", time_zone="Asia/Tokyo", bank="service_provider"
    )

    facts = services.incident_facts(incident)

    assert facts["established_in"] == "IE"
    assert facts["time_zone"] == "Asia/Tokyo"
    assert facts["entity"]["bank"] == "service_provider"


def test_a_rule_turned_on_in_the_profile_starts_a_grade_c_deadline(incident, responder):
    OrganisationProfile.objects.create(
        critical_infrastructure=True, enabled_rules=["circia-incident"]
    )

    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
        records_affected=None,
    )

    circia = Deadline.objects.get(incident=incident, rule_id="circia-incident")
    assert circia.confidence == "C"
    assert circia.due_at == incident.discovered_at + timedelta(hours=72)


def test_the_workspace_marks_a_grade_c_deadline(client, incident, responder):
    OrganisationProfile.objects.create(
        critical_infrastructure=True, enabled_rules=["circia-incident"]
    )
    services.deadlines_recompute(incident=incident, actor=incident.commander)
    client.force_login(responder)

    html = client.get(incident.get_absolute_url()).content.decode()

    deadlines = html.split('id="deadlines"')[1].split("</section>")[0]
    assert "badge-grade-c" in deadlines.split("CIRCIA")[1].split("</li>")[0]


def test_the_admin_form_keeps_in_step_with_every_profile_field():
    shown = {
        name for _title, options in OrganisationProfileAdmin.fieldsets for name in options["fields"]
    }
    stored = {
        field.name
        for field in OrganisationProfile._meta.get_fields()
        if field.editable and field.name != "id"
    }

    assert shown == stored


def test_the_admin_refuses_a_grade_a_rule_in_the_rules_turned_on(admin_client):
    response = admin_client.post(
        reverse("admin:incidents_organisationprofile_add"),
        {
            "role": "controller",
            "internal_target_hours": "24",
            "enabled_rules": ["gdpr-art33"],
            "time_zone": "Nowhere/City",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "enabled_rules" in errors
    assert "time_zone" in errors
    assert not OrganisationProfile.objects.exists()


def test_the_admin_saves_the_new_standing_facts(admin_client):
    response = admin_client.post(
        reverse("admin:incidents_organisationprofile_add"),
        {
            "role": "processor",
            "established_in": "FR",
            "time_zone": "America/Chicago",
            "internal_target_hours": "12",
            "reg_sp": "service_provider",
            "enabled_rules": ["circia-incident", "uk-pecr"],
        },
    )

    assert response.status_code == 302
    profile = OrganisationProfile.current()
    assert profile.standing_facts() == {
        "role": "processor",
        "entity": {**profile.entity_facts(), "reg_sp": "service_provider"},
        "established_in": "FR",
        "time_zone": "America/Chicago",
        "enabled_rules": ["circia-incident", "uk-pecr"],
        "internal_target_hours": 12,
    }
    assert profile.entity_facts()["reg_sp"] == "service_provider"
    assert profile.entity_facts()["bank"] is None


def test_what_if_links_only_rule_table_clocks_to_the_rule_list(client, viewer):
    client.force_login(viewer)

    response = client.get(
        reverse("whatif"),
        {
            "aware_at": "2026-11-25T10:40",
            "role": "controller",
            "personal_data": "yes",
            "affected": "DE=5",
            "stakeholder_windows": "Helix Health=48",
        },
    )

    html = response.content.decode()
    assert 'href="/clocks/rules/#rule-gdpr-art33"' in html
    assert "#rule-contract:" not in html


def test_what_if_takes_a_zone_in_any_case_and_suggests_for_a_near_miss(client, viewer):
    client.force_login(viewer)
    base = {"aware_at": "2026-11-25T10:40", "role": "controller"}

    taken = client.get(reverse("whatif"), {**base, "time_zone": "america/chicago"})
    missed = client.get(reverse("whatif"), {**base, "time_zone": "America/Chicgo"})

    assert taken.context["form"].cleaned_data["time_zone"] == "America/Chicago"
    assert "Did you mean America/Chicago" in missed.content.decode()


def test_the_admin_offers_zones_to_type_and_takes_any_case(admin_client):
    form_page = admin_client.get(reverse("admin:incidents_organisationprofile_add"))
    admin_client.post(
        reverse("admin:incidents_organisationprofile_add"),
        {"role": "controller", "time_zone": "asia/tokyo", "internal_target_hours": "24"},
    )

    assert '<datalist id="id_time_zone-zones">' in form_page.content.decode()
    assert OrganisationProfile.current().time_zone == "Asia/Tokyo"
