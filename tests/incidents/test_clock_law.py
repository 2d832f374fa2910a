"""Clock law, second pass (issue 12): the four kinds of error, with worked dates.

Each test names the behaviour; each fails on the engine before issue 12.
"""

from datetime import UTC, date, datetime

import pytest

from incidents.clocks import RULES, FactsError, compute_clocks, parse_facts
from vendors.jurisdictions import unknown_codes

AWARE = "2026-11-25T09:40:00Z"  # a Wednesday


def clocks(**facts):
    facts.setdefault("aware_at", AWARE)
    return {c.rule: c for c in compute_clocks(parse_facts(facts, unknown_codes=unknown_codes))}


def utc(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --- 1. a processor's duties -----------------------------------------------------------

PROCESSOR_NOTIFIERS = {
    "processor",
    "data intermediary",
    "entrusted processor",
    "business maintaining data it does not own",
    # These bind whoever holds the data or runs the service, in either role.
    "service provider or body corporate",
    "APP entity",
}
EVERYWHERE = {
    rule.jurisdiction: None for rule in RULES if rule.jurisdiction not in ("EU", "US")
} | {"DE": None, "US-CA": None}


def test_a_processor_gets_only_duties_to_its_controller_across_the_table():
    found = clocks(role="processor", personal_data=True, high_risk=True, affected=EVERYWHERE)

    assert {RULES_NOTIFIER[rule] for rule in found} <= PROCESSOR_NOTIFIERS
    assert {"us-ny-vendor", "us-tx-vendor", "br-lgpd-processor", "sg-pdpa-intermediary"} <= set(
        found
    )


def test_a_controller_gets_no_processor_duty_across_the_table():
    found = clocks(role="controller", personal_data=True, high_risk=True, affected=EVERYWHERE)

    notifiers = {RULES_NOTIFIER[rule] for rule in found}
    assert not notifiers & (
        PROCESSOR_NOTIFIERS - {"service provider or body corporate", "APP entity"}
    )


RULES_NOTIFIER = {rule.id: rule.notifier for rule in RULES}


@pytest.mark.parametrize(
    ("code", "controller_rules", "processor_rule"),
    [
        ("BR", {"br-lgpd"}, "br-lgpd-processor"),
        ("SG", {"sg-pdpa"}, "sg-pdpa-intermediary"),
        ("US-NY", {"us-ny"}, "us-ny-vendor"),
        ("US-TX", {"us-tx", "us-tx-ag"}, "us-tx-vendor"),
        ("JP", {"jp-appi-final", "jp-appi-preliminary"}, "jp-appi-entrusted"),
    ],
)
def test_a_processor_owes_its_controller_not_the_regulator(code, controller_rules, processor_rule):
    found = clocks(
        role="processor",
        personal_data=True,
        high_risk=True,
        assessed_at=AWARE,
        affected={code: 900},
    )

    assert not controller_rules & set(found)
    assert found[processor_rule].due_at is None
    assert found[processor_rule].recipient in (
        "The controller",
        "The data owner or licensee",
        "The organisation we process for",
        "The entrusting business operator",
    )


def test_a_florida_vendor_tells_the_owner_within_ten_days_of_determination():
    found = clocks(
        role="processor",
        personal_data=True,
        determined_at="2026-11-25T22:00:00Z",  # 17:00 in New York
        affected={"US-FL": 20},
        time_zone="America/New_York",
    )

    assert found["us-fl-vendor"].due_date == date(2026, 12, 5)
    assert found["us-fl-vendor"].due_at == utc("2026-12-06T04:59:59Z")
    assert "us-fl" not in found


def test_a_reg_s_p_service_provider_tells_the_institution_within_72_hours():
    found = clocks(entity={"reg_sp": "service_provider"})

    assert found["reg-sp-service-provider"].due_at == utc("2026-11-28T09:40:00Z")
    assert "reg-sp-individuals" not in found


# --- 2. counting in the right calendar ---------------------------------------------------


def test_a_month_is_added_in_the_authoritys_local_calendar():
    # Filed at 00:30 on 1 March in Brussels (23:30 UTC on 28 February): due 00:30 on 1 April
    # there, which is 22:30 UTC on 31 March (summer time) — not 28 March in UTC.
    found = clocks(
        entity={"nis2": "essential"},
        significant_incident=True,
        established_in="BE",
        aware_at="2027-02-26T09:00:00Z",
        submitted={"nis2-notification": "2027-02-28T23:30:00Z"},
    )

    assert found["nis2-final"].due_at == utc("2027-03-31T22:30:00Z")
    assert found["nis2-final"].time_zone == "Europe/Brussels"


def test_a_month_keeps_the_local_hour_across_the_end_of_summer_time():
    found = clocks(
        entity={"dora_financial_entity": True},
        established_in="DE",
        aware_at="2026-10-01T08:00:00Z",
        classified_major_at="2026-10-01T09:00:00Z",
        submitted={
            "dora-initial": "2026-10-01T10:00:00Z",
            "dora-intermediate": "2026-10-05T21:30:00Z",  # 23:30 in Berlin, summer time
        },
    )

    assert found["dora-final"].due_at == utc("2026-11-05T22:30:00Z")  # 23:30 winter time


def test_a_month_from_the_31st_ends_on_the_last_day_of_a_shorter_month():
    found = clocks(
        entity={"nis2": "important"},
        significant_incident=True,
        established_in="FR",
        aware_at="2027-01-29T08:00:00Z",
        submitted={"nis2-notification": "2027-01-31T10:00:00Z"},
    )

    assert found["nis2-final"].due_at == utc("2027-02-28T10:00:00Z")


def test_hipaa_counts_from_the_entitys_own_day_of_discovery():
    # 23:00 on 25 November in Los Angeles is already 26 November in New York.
    found = clocks(
        entity={"hipaa": "covered_entity"},
        phi=True,
        affected={"US-CA": 10},
        discovered_at="2026-11-25T23:00:00-08:00",
        time_zone="America/Los_Angeles",
    )

    assert found["hipaa-individuals"].due_date == date(2027, 1, 24)
    assert found["hipaa-individuals"].due_at == utc("2027-01-25T07:59:59Z")


def test_a_small_breach_discovered_late_on_31_december_in_the_west_goes_in_that_years_log():
    found = clocks(
        entity={"hipaa": "covered_entity"},
        phi=True,
        affected={"US-CA": 10},
        aware_at="2027-01-01T07:30:00Z",
        discovered_at="2026-12-31T23:30:00-08:00",
        time_zone="America/Los_Angeles",
    )

    assert found["hipaa-hhs"].due_date == date(2027, 3, 1)
    assert found["hipaa-hhs"].due_at == utc("2027-03-02T07:59:59Z")


def test_state_day_counts_use_the_organisations_zone():
    found = clocks(
        personal_data=True,
        affected={"US-TX": 10},
        determined_at="2026-11-25T20:00:00Z",  # 05:00 on 26 November in Tokyo
        time_zone="Asia/Tokyo",
    )

    assert found["us-tx"].due_date == date(2027, 1, 25)
    assert found["us-tx"].time_zone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("discovered", "due"),
    [
        ("2026-11-09T10:00:00+09:00", date(2026, 12, 8)),  # day 30 is a Tuesday
        ("2026-11-07T10:00:00+09:00", date(2026, 12, 7)),  # day 30 is a Sunday
        ("2027-01-13T10:00:00+09:00", date(2027, 2, 12)),  # day 30 is National Foundation Day
        ("2026-12-01T10:00:00+09:00", date(2027, 1, 4)),  # day 30 is 30 Dec: offices closed
    ],
)
def test_japans_final_report_counts_the_day_of_knowledge_as_day_one_and_skips_closed_days(
    discovered, due
):
    found = clocks(
        aware_at=discovered, discovered_at=discovered, personal_data=True, affected={"JP": 5}
    )

    assert found["jp-appi-final"].due_date == due


# --- 3. effective dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("classified", "applies"),
    [
        ("2025-01-16T22:30:00Z", False),  # 23:30 on 16 January in Brussels
        ("2025-01-16T23:30:00Z", True),  # 00:30 on 17 January in Brussels
    ],
)
def test_dora_applies_by_the_local_date_of_classification(classified, applies):
    found = clocks(
        entity={"dora_financial_entity": True}, aware_at=classified, classified_major_at=classified
    )

    assert ("dora-initial" in found) is applies
    assert ("dora-final" in found) is applies


@pytest.mark.parametrize(
    ("determined", "smaller", "applies"),
    [
        ("2023-12-17T15:00:00-05:00", False, False),
        ("2023-12-18T15:00:00-05:00", False, True),
        ("2024-06-14T15:00:00-04:00", True, False),
        ("2024-06-15T15:00:00-04:00", True, True),
    ],
)
def test_sec_item_105_starts_later_for_smaller_reporting_companies(determined, smaller, applies):
    found = clocks(
        aware_at=determined,
        materiality_determined_at=determined,
        entity={"sec_registrant": True, "smaller_reporting_company": smaller},
    )

    assert ("sec-8k-1.05" in found) is applies


def test_new_york_before_its_30_days_is_an_open_duty():
    found = clocks(
        personal_data=True, affected={"US-NY": 3}, aware_at="2024-12-21T03:00:00Z"
    )  # 22:00 on 20 December in New York

    assert "us-ny" not in found
    assert found["us-ny-expedient"].due_at is None


def test_new_york_from_21_december_2024_has_30_days():
    found = clocks(personal_data=True, affected={"US-NY": 3}, aware_at="2024-12-21T15:00:00Z")

    assert found["us-ny"].due_date == date(2025, 1, 20)
    assert "us-ny-expedient" not in found


@pytest.mark.parametrize(
    ("determined", "rule", "due"),
    [
        ("2023-08-31T12:00:00-05:00", "us-tx-ag-2021", date(2023, 10, 30)),
        ("2023-09-01T12:00:00-05:00", "us-tx-ag", date(2023, 10, 1)),
    ],
)
def test_the_texas_attorney_general_window_follows_the_date_of_determination(determined, rule, due):
    found = clocks(
        personal_data=True, affected={"US-TX": 300}, aware_at=determined, determined_at=determined
    )

    assert found[rule].due_date == due
    assert len({"us-tx-ag", "us-tx-ag-2021"} & set(found)) == 1


@pytest.mark.parametrize(
    ("paid", "applies"), [("2023-11-30T12:00:00-05:00", False), ("2023-12-01T12:00:00-05:00", True)]
)
def test_nydfs_ransom_notice_applies_from_1_december_2023(paid, applies):
    found = clocks(aware_at=paid, ransom_paid_at=paid, entity={"nydfs_covered": True})

    assert ("nydfs-500.17c" in found) is applies


# --- 4. bad input is a clear named error -------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"stakeholder_windows": "Helix=48"}, "stakeholder_windows"),
        ({"stakeholder_windows": {"name": "Helix"}}, "stakeholder_windows"),
        ({"stakeholder_windows": 5}, "stakeholder_windows"),
        (
            {"stakeholder_windows": [{"name": "Helix", "hours": 10**12}]},
            "stakeholder_windows[0].hours",
        ),
        ({"stakeholder_windows": [{"name": ["x"], "hours": 4}]}, "stakeholder_windows[0].name"),
        ({"vendor_window_hours": 10**12}, "vendor_window_hours"),
        ({"aware_at": "9999-12-31T23:00:00Z"}, "aware_at"),
        ({"aware_at": "9999-12-31T23:59:59-01:00"}, "aware_at"),
        ({"aware_at": "0001-01-01T00:00:00+01:00"}, "aware_at"),
        ({"ransom_paid_at": "9999-12-31T00:00:00Z"}, "ransom_paid_at"),
        (
            {"submitted": {"nis2-notification": "9999-12-31T00:00:00Z"}},
            "submitted.nis2-notification",
        ),
        ({"determined_at": "2026-11-25T09:00:00Z"}, "determined_at"),
        ({"affected": {"DE": 10**15}}, "affected.DE"),
        ({"affected": {"DE": 1.5}}, "affected.DE"),
        ({"affected": ["DE"]}, "affected"),
        ({"entity": []}, "entity"),
        ({"entity": {"sec_registrant": "yes"}}, "entity.sec_registrant"),
        ({"entity": {"hipaa": ["covered_entity"]}}, "entity.hipaa"),
        ({"role": 3}, "role"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"time_zone": 5}, "time_zone"),
        ({"established_in": "Germany"}, "established_in"),
        ({"established_in": "XX"}, "established_in"),
        ({"enabled_rules": "circia-incident"}, "enabled_rules"),
        ({"enabled_rules": ["no-such-rule"]}, "enabled_rules"),
        ({"enabled_rules": [5]}, "enabled_rules[0]"),
        ({"submitted": []}, "submitted"),
    ],
)
def test_bad_facts_are_a_named_error(facts, field):
    with pytest.raises(FactsError) as caught:
        parse_facts({"aware_at": AWARE, **facts}, unknown_codes=unknown_codes)

    assert caught.value.field == field


def test_determined_before_aware_is_refused_like_materiality():
    with pytest.raises(FactsError, match="before we became aware"):
        parse_facts({"aware_at": AWARE, "determined_at": "2026-11-24T00:00:00Z"})


def test_a_lowercase_z_means_utc():
    facts = parse_facts({"aware_at": "2026-11-25t09:40:00z"})

    assert facts.aware_at == utc(AWARE)


def test_the_longest_windows_at_the_latest_time_still_compute():
    found = compute_clocks(
        parse_facts(
            {
                "aware_at": "2199-12-31T23:59:59Z",
                "stakeholder_windows": [{"name": "Helix", "hours": 24 * 366}],
                "entity": {"hipaa": "covered_entity"},
                "phi": True,
                "affected": {"US-NY": 10},
            }
        )
    )

    assert found


def test_nydfs_ransom_notice_uses_the_new_york_date_of_payment_not_the_utc_date():
    # 21:00 on 30 November 2023 in New York is already 1 December in UTC.
    found = clocks(
        aware_at="2023-12-01T02:00:00Z",
        ransom_paid_at="2023-12-01T02:00:00Z",
        entity={"nydfs_covered": True},
    )

    assert "nydfs-500.17c" not in found


def test_every_rule_counts_its_dates_in_a_named_local_zone():
    assert not [rule.id for rule in RULES if rule.time_zone == "UTC"]


# --- duties with no number in law ---------------------------------------------------------


def test_a_duty_with_no_number_keeps_due_at_empty_and_gets_the_internal_target():
    found = clocks(
        role="processor", personal_data=True, affected={"DE": 5}, internal_target_hours=12
    )

    duty = found["gdpr-art33-2"]
    assert duty.due_at is None
    assert duty.target_at == utc("2026-11-25T21:40:00Z")
    assert duty.as_json()["target_at"] == "2026-11-25T21:40:00Z"


def test_a_duty_with_no_number_ranks_by_its_internal_target_among_dated_clocks():
    found = compute_clocks(
        parse_facts(
            {
                "aware_at": AWARE,
                "personal_data": True,
                "high_risk": True,
                "affected": {"DE": 5},
                "stakeholder_windows": [{"name": "Helix", "hours": 48}],
                "internal_target_hours": 24,
            }
        )
    )

    assert [clock.rule for clock in found][:3] == ["gdpr-art34", "contract:1", "gdpr-art33"]
