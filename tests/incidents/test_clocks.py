"""The clock engine, table by table, with worked dates. No database involved."""

import json
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from incidents.clocks import RULES, FactsError, compute_clocks, parse_facts
from tests.incidents.test_clock_regimes import APPLIES as REGIMES
from tests.manage_child import REPO
from vendors.jurisdictions import unknown_codes

AWARE = "2026-11-25T09:40:00Z"  # a Wednesday, the day before Thanksgiving


def clocks(**facts):
    facts.setdefault("aware_at", AWARE)
    return {c.rule: c for c in compute_clocks(parse_facts(facts))}


def utc(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --- the table of worked examples, one row per rule id ---------------------------

EU_PERSONAL = {"personal_data": True, "affected": {"DE": 100}}
US_PERSONAL = {"personal_data": True}
WORKED = [
    # rule, facts, expected due_at (UTC), expected due_date (local)
    ("gdpr-art33", EU_PERSONAL, "2026-11-28T09:40:00Z", None),
    ("uk-gdpr-art33", {"personal_data": True, "affected": {"GB": 5}}, "2026-11-28T09:40:00Z", None),
    (
        "nis2-early-warning",
        {"entity": {"nis2": "essential"}, "significant_incident": True},
        "2026-11-26T09:40:00Z",
        None,
    ),
    (
        "nis2-notification",
        {"entity": {"nis2": "important"}, "significant_incident": True},
        "2026-11-28T09:40:00Z",
        None,
    ),
    (
        "dora-initial",
        {"entity": {"dora_financial_entity": True}, "classified_major_at": "2026-11-25T11:00:00Z"},
        "2026-11-25T15:00:00Z",
        None,
    ),
    (
        "sec-8k-1.05",
        {
            "entity": {"sec_registrant": True},
            "materiality_determined_at": "2026-11-25T15:00:00-05:00",
        },
        "2026-12-02T22:30:00Z",
        "2026-12-02",
    ),
    (
        "hipaa-individuals",
        {"entity": {"hipaa": "covered_entity"}, "phi": True, "affected": {"US-NY": 10}},
        "2027-01-25T04:59:59Z",
        "2027-01-24",
    ),
    (
        "hipaa-hhs",
        {"entity": {"hipaa": "covered_entity"}, "phi": True, "affected": {"US-NY": 600}},
        "2027-01-25T04:59:59Z",
        "2027-01-24",
    ),
    (
        "hipaa-media",
        {"entity": {"hipaa": "covered_entity"}, "phi": True, "affected": {"US-NY": 501}},
        "2027-01-25T04:59:59Z",
        "2027-01-24",
    ),
    (
        "hipaa-ba",
        {"entity": {"hipaa": "business_associate"}, "phi": True},
        "2027-01-25T04:59:59Z",
        "2027-01-24",
    ),
    (
        "nydfs-500.17a",
        {"entity": {"nydfs_covered": True}, "determined_at": "2026-11-26T08:00:00Z"},
        "2026-11-29T08:00:00Z",
        None,
    ),
    (
        "nydfs-500.17c",
        {"entity": {"nydfs_covered": True}, "ransom_paid_at": "2026-11-26T08:00:00Z"},
        "2026-11-27T08:00:00Z",
        None,
    ),
    (
        "nydfs-500.17c-explanation",
        {"entity": {"nydfs_covered": True}, "ransom_paid_at": "2026-11-26T08:00:00Z"},
        "2026-12-27T04:59:59Z",
        "2026-12-26",
    ),
    ("us-ca", {**US_PERSONAL, "affected": {"US-CA": 10}}, "2026-12-26T07:59:59Z", "2026-12-25"),
    (
        "us-co",
        {**US_PERSONAL, "affected": {"US-CO": 10}, "determined_at": "2026-11-30T18:00:00Z"},
        "2026-12-31T06:59:59Z",
        "2026-12-30",
    ),
    ("us-fl", {**US_PERSONAL, "affected": {"US-FL": 10}}, "2026-12-26T04:59:59Z", "2026-12-25"),
    ("us-wa", {**US_PERSONAL, "affected": {"US-WA": 10}}, "2026-12-26T07:59:59Z", "2026-12-25"),
    (
        "us-me",
        {**US_PERSONAL, "affected": {"US-ME": 10}, "assessed_at": "2026-12-01T12:00:00Z"},
        "2027-01-01T04:59:59Z",
        "2026-12-31",
    ),
    ("us-ny", {**US_PERSONAL, "affected": {"US-NY": 10}}, "2026-12-26T04:59:59Z", "2026-12-25"),
    ("us-tx", {**US_PERSONAL, "affected": {"US-TX": 10}}, "2027-01-25T05:59:59Z", "2027-01-24"),
    ("us-tx-ag", {**US_PERSONAL, "affected": {"US-TX": 250}}, "2026-12-26T05:59:59Z", "2026-12-25"),
    ("us-vt", {**US_PERSONAL, "affected": {"US-VT": 10}}, "2027-01-10T04:59:59Z", "2027-01-09"),
    (
        "br-lgpd",
        {**US_PERSONAL, "affected": {"BR": 10}, "high_risk": True},
        "2026-12-01T02:59:59Z",
        "2026-11-30",
    ),
    (
        "sg-pdpa",
        {**US_PERSONAL, "affected": {"SG": 600}, "assessed_at": "2026-11-26T02:00:00Z"},
        "2026-11-29T15:59:59Z",
        "2026-11-29",
    ),
    ("in-cert-in", {"affected": {"IN": 3}}, "2026-11-25T15:40:00Z", None),
    (
        "jp-appi-final",
        {**US_PERSONAL, "affected": {"JP": 10}},
        # The day of knowledge (25 Nov in Tokyo) is day 1: day 30 is 24 Dec.
        "2026-12-24T14:59:59Z",
        "2026-12-24",
    ),
    (
        "au-ndb-assessment",
        {**US_PERSONAL, "affected": {"AU": 10}},
        "2026-12-25T12:59:59Z",
        "2026-12-25",
    ),
]


@pytest.mark.parametrize(
    ("rule", "facts", "due_at", "due_date"), WORKED, ids=[w[0] for w in WORKED]
)
def test_worked_deadline(rule, facts, due_at, due_date):
    clock = clocks(**facts)[rule]

    assert clock.due_at == utc(due_at)
    assert (clock.due_date.isoformat() if clock.due_date else None) == due_date
    assert clock.citation
    assert clock.confidence in {"A", "B", "C"}


def test_every_rule_in_the_table_has_a_worked_example_or_an_open_standard():
    covered = (
        {w[0] for w in WORKED}
        | {w[0] for w in REGIMES}
        | {
            "gdpr-art33-2",
            "gdpr-art34",
            "nis2-final",
            "dora-intermediate",
            "dora-final",
            "us-vt-ag",
            "us-tx-ag-2021",
            "us-ny-expedient",
            "us-ny-vendor",
            "us-tx-vendor",
            "us-fl-vendor",
            "reg-sp-service-provider",
            "sg-pdpa",
        }
        | {rule.id for rule in RULES if rule.id.endswith("-vendor") and rule.unit == "none"}
    )

    assert {rule.id for rule in RULES} == covered


# --- counting ---------------------------------------------------------------------


def test_gdpr_72_hours_run_straight_through_a_weekend():
    clock = clocks(aware_at="2026-11-27T10:00:00+01:00", **EU_PERSONAL)["gdpr-art33"]

    assert clock.due_at == utc("2026-11-30T09:00:00Z")


def test_sec_four_business_days_skip_the_federal_holiday():
    clock = clocks(
        entity={"sec_registrant": True}, materiality_determined_at="2026-11-25T10:00:00-05:00"
    )["sec-8k-1.05"]

    assert clock.due_date == date(2026, 12, 2)
    assert clock.calendar == {"country": "US", "subdiv": None, "holidays_version": "0.109"}


def test_sec_determined_on_a_saturday_counts_from_monday():
    clock = clocks(
        aware_at="2026-11-27T09:00:00Z",
        entity={"sec_registrant": True},
        materiality_determined_at="2026-11-28T12:00:00-05:00",
    )["sec-8k-1.05"]

    assert clock.due_date == date(2026, 12, 3)


def test_sec_waits_for_the_materiality_determination():
    clock = clocks(entity={"sec_registrant": True})["sec-8k-1.05"]

    assert clock.due_at is None
    assert "waiting for the materiality determination" in clock.flags


def test_business_days_use_the_states_own_holidays():
    clock = clocks(
        aware_at="2026-11-25T14:00:00Z",
        discovered_at="2026-11-25T14:00:00Z",
        **US_PERSONAL,
        affected={"US-VT": 3},
    )["us-vt-ag"]

    assert clock.due_date == date(2026, 12, 16)
    assert clock.calendar["subdiv"] == "VT"


def test_brazil_business_days_skip_the_national_holiday():
    clock = clocks(
        aware_at="2026-11-19T15:00:00Z", personal_data=True, high_risk=True, affected={"BR": 1}
    )["br-lgpd"]

    assert clock.due_date == date(2026, 11, 25)


def test_calendar_days_end_in_the_recipients_zone():
    clock = clocks(aware_at="2026-11-25T05:00:00Z", **US_PERSONAL, affected={"US-CA": 1})["us-ca"]

    assert clock.due_date == date(2026, 12, 24)
    assert clock.time_zone == "America/Los_Angeles"


def test_nis2_final_is_a_calendar_month_after_the_actual_submission_clamped_to_month_end():
    clock = clocks(
        aware_at="2027-01-28T09:00:00Z",
        entity={"nis2": "essential"},
        significant_incident=True,
        submitted={"nis2-notification": "2027-01-31T10:00:00Z"},
    )["nis2-final"]

    assert clock.due_at == utc("2027-02-28T10:00:00Z")
    assert clock.trigger == "nis2-notification submitted"


def test_nis2_final_in_a_leap_year_ends_on_29_february():
    clock = clocks(
        aware_at="2028-01-28T09:00:00Z",
        entity={"nis2": "essential"},
        significant_incident=True,
        submitted={"nis2-notification": "2028-01-31T10:00:00Z"},
    )["nis2-final"]

    assert clock.due_at == utc("2028-02-29T10:00:00Z")


def test_nis2_final_without_a_submission_is_projected_and_says_so():
    clock = clocks(entity={"nis2": "essential"}, significant_incident=True)["nis2-final"]

    assert clock.due_at == utc("2026-12-28T09:40:00Z")
    assert any("projected" in flag for flag in clock.flags)


def test_dora_financial_entities_report_under_dora_not_nis2():
    result = clocks(
        entity={"nis2": "essential", "dora_financial_entity": True}, significant_incident=True
    )

    assert "nis2-notification" not in result
    assert "dora-initial" in result


@pytest.mark.parametrize(
    ("classified", "due"),
    [
        ("2026-11-25T10:00:00Z", "2026-11-25T14:00:00Z"),  # early: 4 h after classification
        ("2026-11-26T07:00:00Z", "2026-11-26T09:40:00Z"),  # late: capped at 24 h after awareness
        ("2026-11-27T12:00:00Z", "2026-11-27T16:00:00Z"),  # after the cap: 4 h after classification
    ],
)
def test_dora_initial_notification(classified, due):
    clock = clocks(entity={"dora_financial_entity": True}, classified_major_at=classified)[
        "dora-initial"
    ]

    assert clock.due_at == utc(due)


def test_dora_stages_follow_the_actual_submissions():
    result = clocks(
        entity={"dora_financial_entity": True},
        classified_major_at="2026-11-25T10:00:00Z",
        submitted={
            "dora-initial": "2026-11-25T12:00:00Z",
            "dora-intermediate": "2026-11-27T12:00:00Z",
        },
    )

    assert result["dora-intermediate"].due_at == utc("2026-11-28T12:00:00Z")
    assert result["dora-final"].due_at == utc("2026-12-27T12:00:00Z")
    assert result["dora-initial"].submitted_at == utc("2026-11-25T12:00:00Z")


# --- thresholds -----------------------------------------------------------------------

HIPAA = {"entity": {"hipaa": "covered_entity"}, "phi": True}


@pytest.mark.parametrize(
    ("count", "due_date"), [(499, "2027-03-01"), (500, "2027-01-24"), (501, "2027-01-24")]
)
def test_hipaa_hhs_500_or_more_report_with_the_individuals(count, due_date):
    clock = clocks(**HIPAA, affected={"US-NY": count})["hipaa-hhs"]

    assert clock.due_date.isoformat() == due_date


@pytest.mark.parametrize(("count", "applies"), [(499, False), (500, False), (501, True)])
def test_hipaa_media_needs_more_than_500_in_one_state(count, applies):
    assert ("hipaa-media" in clocks(**HIPAA, affected={"US-NY": count})) is applies


def test_hipaa_media_counts_residents_of_one_state_not_the_total():
    result = clocks(**HIPAA, affected={"US-NY": 400, "US-NJ": 400})

    assert "hipaa-media" not in result
    assert result["hipaa-hhs"].due_date == date(2027, 1, 24)


def test_an_unknown_count_gives_the_stricter_clock_flagged():
    result = clocks(**HIPAA, affected={"US-NY": None})

    assert "hipaa-media" in result
    assert any("count unknown" in flag for flag in result["hipaa-media"].flags)
    assert any("count unknown" in flag for flag in result["hipaa-hhs"].flags)


@pytest.mark.parametrize(("count", "applies"), [(249, False), (250, True), (None, True)])
def test_texas_attorney_general_from_250_residents(count, applies):
    assert ("us-tx-ag" in clocks(**US_PERSONAL, affected={"US-TX": count})) is applies


def test_singapore_small_and_harmless_needs_no_notice():
    assert "sg-pdpa" not in clocks(**US_PERSONAL, high_risk=False, affected={"SG": 10})


# --- open standards, contracts and the vendor --------------------------------------------


def test_a_processor_owes_its_controller_notice_without_undue_delay():
    result = compute_clocks(parse_facts({"aware_at": AWARE, "role": "processor", **EU_PERSONAL}))

    clock = next(c for c in result if c.rule == "gdpr-art33-2")
    assert (clock.due_at, clock.standard) == (None, "without undue delay")
    assert result[-1].due_at is None
    assert "gdpr-art33" not in {c.rule for c in result}


def test_data_subjects_are_told_only_when_the_risk_is_high():
    assert "gdpr-art34" in clocks(**EU_PERSONAL, high_risk=True)
    assert "gdpr-art34" not in clocks(**EU_PERSONAL, high_risk=False)


def test_no_personal_data_no_gdpr_clock():
    assert "gdpr-art33" not in clocks(personal_data=False, affected={"DE": 100})


def test_a_contract_window_runs_from_awareness():
    clock = clocks(stakeholder_windows=[{"id": 7, "name": "Helix Health", "hours": 48}])[
        "contract:7"
    ]

    assert clock.due_at == utc("2026-11-27T09:40:00Z")


def test_the_vendor_sla_is_met_when_it_told_us_in_time():
    clock = clocks(vendor_aware_at="2026-11-24T12:00:00Z", vendor_window_hours=24)["vendor-sla"]

    assert (clock.due_at, clock.status) == (utc("2026-11-25T12:00:00Z"), "met")


def test_the_vendor_sla_is_missed_when_it_told_us_late():
    clock = clocks(vendor_aware_at="2026-11-23T08:00:00Z", vendor_window_hours=24)["vendor-sla"]

    assert clock.status == "missed"


def test_clocks_come_soonest_first_with_open_duties_last():
    result = compute_clocks(
        parse_facts(
            {"aware_at": AWARE, **EU_PERSONAL, "high_risk": True, "affected": {"DE": 1, "IN": 1}}
        )
    )

    assert [c.rule for c in result] == ["in-cert-in", "gdpr-art33", "gdpr-art34"]


# --- bad facts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "field", "words"),
    [
        ({}, "aware_at", "required"),
        ({"aware_at": "2026-11-25T09:40:00"}, "aware_at", "no time zone"),
        ({"aware_at": "yesterday"}, "aware_at", "not an ISO 8601"),
        (
            {"aware_at": AWARE, "affected": {"XX": 1}},
            "affected",
            "unknown jurisdiction code(s): XX",
        ),
        ({"aware_at": AWARE, "affected": {"DE": -5}}, "affected.DE", "cannot be negative"),
        (
            {"aware_at": AWARE, "materiality_determined_at": "2026-11-24T00:00:00Z"},
            "materiality_determined_at",
            "before we became aware",
        ),
        ({"aware_at": AWARE, "role": "owner"}, "role", "not one of"),
        ({"aware_at": AWARE, "entity": {"nis2": "critical"}}, "entity.nis2", "not one of"),
    ],
)
def test_bad_facts_name_the_field(facts, field, words):
    with pytest.raises(FactsError) as caught:
        parse_facts(facts, unknown_codes=unknown_codes)

    assert caught.value.field == field
    assert words in caught.value.message


def _cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "manage.py", "clocks", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_prints_the_clocks_as_json(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"aware_at": AWARE, **EU_PERSONAL}))

    result = _cli(str(path))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["rule"] == "gdpr-art33"


def test_the_command_reads_standard_input():
    result = _cli("-", stdin=json.dumps({"aware_at": AWARE, **EU_PERSONAL}))

    assert json.loads(result.stdout)[0]["due_at"] == "2026-11-28T09:40:00Z"


@pytest.mark.parametrize(
    ("stdin", "message"),
    [("{not json", "is not valid JSON"), ('{"aware_at": "2026-11-25T09:40:00"}', "aware_at: ")],
)
def test_the_command_fails_on_bad_input(stdin, message):
    result = _cli("-", stdin=stdin)

    assert result.returncode != 0
    assert message in result.stderr
