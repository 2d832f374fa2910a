"""The regimes issue 12 adds, each with worked dates: one case that applies and one at
the edge that does not. Aware at 09:40 UTC on Wednesday 25 November 2026 unless a case
says otherwise (04:40 in New York, 17:40 in Shanghai)."""

from datetime import UTC, datetime

import pytest

from incidents.clocks import compute_clocks, parse_facts
from incidents.clocks.rules import GRADE_C
from vendors.jurisdictions import unknown_codes

AWARE = "2026-11-25T09:40:00Z"
ET = {"time_zone": "America/New_York"}


def clocks(**facts):
    facts.setdefault("aware_at", AWARE)
    return {c.rule: c for c in compute_clocks(parse_facts(facts, unknown_codes=unknown_codes))}


def personal(*codes, count=10, **more):
    return {"personal_data": True, "affected": dict.fromkeys(codes, count), **more}


TELECOM = {"entity": {"telecom_provider": True}}
NIS2 = {"entity": {"nis2": "essential"}, "significant_incident": True}
CRA = {"entity": {"cra_manufacturer": True}, "significant_incident": True}
PHR = {"entity": {"phr": "vendor"}, "phi": True}
SIGNIFICANT = {"significant_incident": True}

# rule, facts, due_at (UTC) or None for a duty with no number in law
APPLIES = [
    # EU
    ("gdpr-art33", personal("US-CA", established_in="DE"), "2026-11-28T09:40:00Z"),
    ("eprivacy-initial", {**TELECOM, **personal("FR")}, "2026-11-26T09:40:00Z"),
    (
        "eprivacy-full",
        {
            **TELECOM,
            **personal("FR"),
            "submitted": {"eprivacy-initial": "2026-11-26T08:00:00Z"},
        },
        "2026-11-29T08:00:00Z",
    ),
    (
        "nis2-notification",
        {**NIS2, "entity": {"nis2": "essential", "trust_service_provider": True}},
        "2026-11-26T09:40:00Z",
    ),
    ("nis2-recipients", NIS2, None),
    ("dora-clients", {"entity": {"dora_financial_entity": True}}, None),
    ("cra-early-warning", CRA, "2026-11-26T09:40:00Z"),
    ("cra-notification", CRA, "2026-11-28T09:40:00Z"),
    (
        "cra-final",
        {**CRA, "submitted": {"cra-notification": "2026-11-27T10:00:00Z"}},
        "2026-12-27T10:00:00Z",
    ),
    (
        "eu-ai-act-art73",
        {"entity": {"high_risk_ai_provider": True}, "enabled_rules": ["eu-ai-act-art73"]},
        "2026-12-10T22:59:59Z",  # 15 days, end of 10 December in Brussels
    ),
    # UK and Switzerland
    ("uk-gdpr-art33-2", personal("GB", role="processor"), None),
    ("uk-gdpr-art34", personal("GB", high_risk=True), None),
    ("uk-nis", {"entity": {"uk_nis": True}, **SIGNIFICANT}, "2026-11-28T09:40:00Z"),
    (
        "uk-pecr",
        {**TELECOM, **personal("GB"), "enabled_rules": ["uk-pecr"]},
        "2026-11-26T09:40:00Z",
    ),
    ("ch-nfadp", personal("DE", established_in="CH", high_risk=True), None),
    ("ch-nfadp-processor", personal("CH", role="processor"), None),
    # Canada
    ("ca-pipeda", personal("CA-ON", high_risk=True), None),
    ("ca-qc-law25", personal("CA-QC", high_risk=True), None),
    ("ca-ab-pipa", personal("CA-AB", high_risk=True), None),
    # Asia-Pacific and Brazil
    ("kr-pipa-subjects", personal("KR"), "2026-11-28T09:40:00Z"),
    ("kr-pipa-pipc", personal("KR", count=1000), "2026-11-28T09:40:00Z"),
    ("cn-pipl", personal("CN"), None),
    (
        "cn-cac-operator",
        {"entity": {"china_network": "operator"}, **SIGNIFICANT},
        "2026-11-25T13:40:00Z",
    ),
    ("cn-cac-ciio", {"entity": {"china_network": "ciio"}, **SIGNIFICANT}, "2026-11-25T10:40:00Z"),
    ("jp-appi-preliminary", personal("JP"), None),
    ("jp-appi-entrusted", personal("JP", role="processor"), None),
    ("sg-pdpa-intermediary", personal("SG", role="processor"), None),
    ("in-dpdp", personal("IN", enabled_rules=["in-dpdp"]), "2026-11-28T09:40:00Z"),
    ("au-ndb-notice", personal("AU", high_risk=True), None),
    (
        "br-lgpd-supplementary",
        personal("BR", high_risk=True, submitted={"br-lgpd": "2026-11-27T15:00:00Z"}),
        "2026-12-29T02:59:59Z",  # 20 business days: Christmas skipped, 28 December
    ),
    ("br-lgpd-processor", personal("BR", role="processor"), None),
    # US federal
    (
        "reg-sp-individuals",
        {"entity": {"reg_sp": "covered_institution"}, **personal("US-NY"), **ET},
        "2026-12-26T04:59:59Z",
    ),
    ("ftc-hbnr-individuals", {**PHR, "affected": {"US-CA": 10}, **ET}, "2027-01-25T04:59:59Z"),
    ("ftc-hbnr-ftc", {**PHR, "affected": {"US-CA": 600}, **ET}, "2027-01-25T04:59:59Z"),
    ("ftc-hbnr-media", {**PHR, "affected": {"US-CA": 501}, **ET}, "2027-01-25T04:59:59Z"),
    (
        "ftc-hbnr-service-provider",
        {"entity": {"phr": "service_provider"}, "phi": True, **ET},
        "2027-01-25T04:59:59Z",
    ),
    (
        "glba-safeguards-ftc",
        {"entity": {"glba_financial_institution": True}, **personal("US-NY", count=500), **ET},
        "2026-12-26T04:59:59Z",
    ),
    ("bank-36h", {"entity": {"bank": "banking_organization"}}, "2026-11-26T21:40:00Z"),
    ("bank-service-provider", {"entity": {"bank": "service_provider"}}, None),
    (
        "fcc-cpni-law-enforcement",
        {**TELECOM, **personal("US-NY"), **ET},
        "2026-12-08T04:59:59Z",  # 7 business days, Thanksgiving skipped: 7 December
    ),
    ("fcc-cpni-customers", {**TELECOM, **personal("US-NY"), **ET}, "2026-12-26T04:59:59Z"),
    (
        "circia-incident",
        {"entity": {"critical_infrastructure": True}, "enabled_rules": ["circia-incident"]},
        "2026-11-28T09:40:00Z",
    ),
    (
        "circia-ransom",
        {
            "entity": {"critical_infrastructure": True},
            "ransom_paid_at": "2026-11-26T10:00:00Z",
            "enabled_rules": ["circia-ransom"],
        },
        "2026-11-27T10:00:00Z",
    ),
    # US states: 45 days → 9 January, 60 days → 24 January, 30 days → 25 December (ET)
    ("us-al", personal("US-AL", **ET), "2027-01-10T04:59:59Z"),
    ("us-al-ag", personal("US-AL", count=1001, **ET), "2027-01-10T04:59:59Z"),
    ("us-al-vendor", personal("US-AL", role="processor", **ET), "2026-12-06T04:59:59Z"),
    ("us-az", personal("US-AZ", **ET), "2027-01-10T04:59:59Z"),
    ("us-az-ag", personal("US-AZ", count=1001, **ET), "2027-01-10T04:59:59Z"),
    ("us-ct", personal("US-CT", **ET), "2027-01-25T04:59:59Z"),
    ("us-de", personal("US-DE", **ET), "2027-01-25T04:59:59Z"),
    ("us-de-ag", personal("US-DE", count=501, **ET), "2027-01-25T04:59:59Z"),
    ("us-in", personal("US-IN", **ET), "2027-01-10T04:59:59Z"),
    ("us-la", personal("US-LA", **ET), "2027-01-25T04:59:59Z"),
    (
        "us-la-ag",
        personal("US-LA", time_zone="America/Chicago", submitted={"us-la": "2026-12-01T18:00:00Z"}),
        "2026-12-12T05:59:59Z",
    ),
    ("us-md", personal("US-MD", **ET), "2027-01-10T04:59:59Z"),
    ("us-nm", personal("US-NM", **ET), "2027-01-10T04:59:59Z"),
    ("us-nm-ag", personal("US-NM", count=1001, **ET), "2027-01-10T04:59:59Z"),
    ("us-oh", personal("US-OH", **ET), "2027-01-10T04:59:59Z"),
    ("us-or", personal("US-OR", **ET), "2027-01-10T04:59:59Z"),
    ("us-or-ag", personal("US-OR", count=251, **ET), "2027-01-10T04:59:59Z"),
    ("us-ri", personal("US-RI", **ET), "2027-01-10T04:59:59Z"),
    ("us-ri-ag", personal("US-RI", count=501, **ET), "2027-01-10T04:59:59Z"),
    ("us-sd", personal("US-SD", **ET), "2027-01-25T04:59:59Z"),
    ("us-sd-ag", personal("US-SD", count=251, **ET), "2027-01-25T04:59:59Z"),
    ("us-tn", personal("US-TN", **ET), "2027-01-10T04:59:59Z"),
    ("us-wi", personal("US-WI", **ET), "2027-01-10T04:59:59Z"),
    ("us-co-ag", personal("US-CO", count=500, **ET), "2026-12-26T04:59:59Z"),
    ("us-fl-ag", personal("US-FL", count=500, **ET), "2026-12-26T04:59:59Z"),
    ("us-wa-ag", personal("US-WA", count=501, **ET), "2026-12-26T04:59:59Z"),
    (
        "us-ca-ag",
        personal(
            "US-CA",
            count=501,
            time_zone="America/Los_Angeles",
            submitted={"us-ca": "2026-12-01T18:00:00Z"},
        ),
        "2026-12-17T07:59:59Z",
    ),
    (
        "us-ny-ag-hipaa",
        {
            "entity": {"hipaa": "covered_entity"},
            **personal("US-NY", count=600, phi=True, **ET),
            "submitted": {"hipaa-hhs": "2026-12-01T15:00:00Z"},
        },
        "2026-12-09T04:59:59Z",  # 5 business days: 8 December
    ),
    ("us-ca-expedient", personal("US-CA", aware_at="2025-12-31T12:00:00Z"), None),
    (
        "pr-daco",
        personal("US-PR", time_zone="America/Puerto_Rico", enabled_rules=["pr-daco"]),
        "2026-12-06T03:59:59Z",
    ),
]
# the same rule, at the edge where it does not apply
EDGES = [
    ("gdpr-art33", personal("US-CA", established_in="US")),
    ("eprivacy-initial", personal("FR")),
    ("eprivacy-full", personal("FR", submitted={"eprivacy-initial": AWARE})),
    ("nis2-notification", {"entity": {"nis2": "important"}, "significant_incident": False}),
    ("nis2-recipients", {**NIS2, "significant_incident": False}),
    (
        "dora-clients",
        {"entity": {"dora_financial_entity": True}, "aware_at": "2025-01-15T12:00:00Z"},
    ),
    ("cra-early-warning", {**CRA, "aware_at": "2026-09-10T12:00:00Z"}),
    ("cra-notification", {**CRA, "significant_incident": False}),
    ("cra-final", {**CRA, "aware_at": "2026-09-10T12:00:00Z"}),
    ("eu-ai-act-art73", {"entity": {"high_risk_ai_provider": True}}),
    ("uk-gdpr-art33-2", personal("GB")),
    ("uk-gdpr-art34", personal("GB", high_risk=False)),
    ("uk-nis", {"entity": {"uk_nis": True}, "significant_incident": False}),
    ("uk-pecr", {**TELECOM, **personal("GB")}),
    ("ch-nfadp", personal("CH", high_risk=False)),
    ("ch-nfadp-processor", personal("CH", role="processor", aware_at="2023-08-31T12:00:00Z")),
    ("ca-pipeda", personal("CA-ON", high_risk=False)),
    ("ca-qc-law25", personal("CA-ON", high_risk=True)),
    ("ca-ab-pipa", personal("CA-AB", role="processor", high_risk=True)),
    ("kr-pipa-subjects", personal("KR", aware_at="2023-09-14T12:00:00Z")),  # 21:00 in Seoul
    ("kr-pipa-pipc", personal("KR", count=999)),
    ("cn-pipl", personal("CN", role="processor")),
    (
        "cn-cac-operator",
        {
            "entity": {"china_network": "operator"},
            **SIGNIFICANT,
            "aware_at": "2025-10-31T15:00:00Z",  # 23:00 on 31 October in Shanghai
        },
    ),
    ("cn-cac-ciio", {"entity": {"china_network": "ciio"}, "significant_incident": False}),
    ("jp-appi-preliminary", personal("JP", count=0)),
    ("jp-appi-entrusted", personal("JP")),
    ("sg-pdpa-intermediary", personal("SG")),
    ("in-dpdp", personal("IN")),
    ("au-ndb-notice", personal("AU", high_risk=False)),
    ("br-lgpd-supplementary", personal("BR", high_risk=False)),
    ("br-lgpd-processor", personal("BR")),
    (
        "reg-sp-individuals",
        {
            "entity": {"reg_sp": "covered_institution", "smaller_reporting_company": True},
            **personal("US-NY", aware_at="2026-06-02T12:00:00Z"),
        },
    ),
    ("ftc-hbnr-individuals", {**PHR, "phi": False, "affected": {"US-CA": 10}}),
    ("ftc-hbnr-ftc", {"entity": {"phr": "service_provider"}, "phi": True}),
    ("ftc-hbnr-media", {**PHR, "affected": {"US-CA": 500}}),
    ("ftc-hbnr-service-provider", PHR),
    (
        "glba-safeguards-ftc",
        {"entity": {"glba_financial_institution": True}, **personal("US-NY", count=499)},
    ),
    ("bank-36h", {"entity": {"bank": "service_provider"}}),
    ("bank-service-provider", {"entity": {"bank": "banking_organization"}}),
    ("fcc-cpni-law-enforcement", {**TELECOM, **personal("GB")}),
    ("fcc-cpni-customers", personal("US-NY")),
    ("circia-incident", {"entity": {"critical_infrastructure": True}}),
    (
        "circia-ransom",
        {"entity": {"critical_infrastructure": True}, "enabled_rules": ["circia-ransom"]},
    ),
    ("us-al", personal("US-AL", role="processor")),
    ("us-al-ag", personal("US-AL", count=1000)),
    ("us-al-vendor", personal("US-AL")),
    ("us-az", personal("US-AZ", count=0)),
    ("us-az-ag", personal("US-AZ", count=1000)),
    ("us-ct", personal("US-CT", aware_at="2021-09-30T12:00:00Z")),
    ("us-de", personal("US-DE", personal_data=False)),
    ("us-de-ag", personal("US-DE", count=500)),
    ("us-in", personal("US-IN", aware_at="2022-06-30T12:00:00Z")),
    ("us-la", personal("US-LA", role="processor")),
    ("us-la-ag", personal("US-LA", role="processor", submitted={"us-la": AWARE})),
    ("us-md", personal("US-MD", role="processor")),
    ("us-nm", personal("US-NM", role="processor")),
    ("us-nm-ag", personal("US-NM", count=1000)),
    ("us-oh", personal("US-OH", role="processor")),
    ("us-or", personal("US-OR", role="processor")),
    ("us-or-ag", personal("US-OR", count=250)),
    ("us-ri", personal("US-RI", role="processor")),
    ("us-ri-ag", personal("US-RI", count=500)),
    ("us-sd", personal("US-SD", role="processor")),
    ("us-sd-ag", personal("US-SD", count=250)),
    ("us-tn", personal("US-TN", role="processor")),
    ("us-wi", personal("US-WI", role="processor")),
    ("us-co-ag", personal("US-CO", count=499)),
    ("us-fl-ag", personal("US-FL", count=499)),
    ("us-wa-ag", personal("US-WA", count=500)),
    ("us-ca-ag", personal("US-CA", count=500, submitted={"us-ca": AWARE})),
    (
        "us-ny-ag-hipaa",
        {
            "entity": {"hipaa": "covered_entity"},
            **personal("US-NJ", count=600, phi=True),
            "submitted": {"hipaa-hhs": AWARE},
        },
    ),
    ("us-ca-expedient", personal("US-CA", aware_at="2026-01-01T12:00:00Z")),
    ("pr-daco", personal("US-PR")),
]


@pytest.mark.parametrize(("rule", "facts", "due_at"), APPLIES, ids=[a[0] for a in APPLIES])
def test_the_regime_applies_with_its_worked_due_time(rule, facts, due_at):
    clock = clocks(**facts)[rule]

    expected = datetime.fromisoformat(due_at).astimezone(UTC) if due_at else None
    assert clock.due_at == expected
    if due_at is None:
        assert clock.standard and not clock.standard[0].isdigit()


@pytest.mark.parametrize(("rule", "facts"), EDGES, ids=[e[0] for e in EDGES])
def test_the_regime_does_not_apply_at_its_edge(rule, facts):
    assert rule not in clocks(**facts)


@pytest.mark.parametrize("rule", ["eu-ai-act-art73", "uk-pecr", "in-dpdp", "pr-daco"])
def test_a_grade_c_rule_turned_on_is_marked_grade_c(rule):
    facts = next(f for r, f, _due in APPLIES if r == rule)

    clock = clocks(**facts)[rule]

    assert clock.confidence == "C"
    assert GRADE_C in clock.flags


def test_every_new_regime_has_a_case_that_applies_and_one_that_does_not():
    assert {a[0] for a in APPLIES} == {e[0] for e in EDGES}
