"""The notification duties BreachDesk knows, one row each.

Sources, confidence grades and edge cases: shared/research/regulatory-clocks.md
(compiled 2026-11-27). Confidence: A = checked against the legal text, B =
several secondary sources agree, C = verify before relying. Adding a US state
is adding a row to ``RULES``. Not legal advice: every row needs counsel's
sign-off before its date is treated as binding.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from incidents.clocks.calendars import END_OF_DAY
from incidents.clocks.facts import Facts

HOURS = "hours"
CALENDAR_DAYS = "calendar_days"
BUSINESS_DAYS = "business_days"
MONTHS = "months"
NONE = "none"

# EU member states and the EEA (GDPR applies in Iceland, Liechtenstein, Norway).
EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
EEA = EU | {"IS", "LI", "NO"}
VERIFIED = date(2026, 11, 27)

COUNT_UNKNOWN = "count unknown: the stricter clock is shown until the number is known"
PERSONAL_UNDECIDED = "personal data not yet decided: shown in case it is"
RISK_UNDECIDED = "risk not yet assessed: shown in case it is high"


@dataclass(frozen=True)
class Applies:
    applies: bool
    flags: tuple[str, ...] = ()


NO = Applies(False)
YES = Applies(True)


@dataclass(frozen=True)
class Rule:
    id: str
    regime: str
    citation: str
    notifier: str
    recipient: str
    trigger: str  # a Facts attribute, or "submitted:<rule id>" for a previous stage
    value: int
    unit: str
    applies: Callable[[Facts], Applies]
    confidence: str
    time_zone: str = "UTC"
    calendar: tuple[str, str | None] | None = None
    cutoff: time = END_OF_DAY
    effective_from: date = date(2000, 1, 1)
    last_verified: date = VERIFIED
    standard: str = ""
    note: str = ""

    @property
    def standard_text(self) -> str:
        if self.standard:
            return self.standard
        unit = {
            HOURS: "hours",
            CALENDAR_DAYS: "days",
            BUSINESS_DAYS: "business days",
            MONTHS: "month" if self.value == 1 else "months",
        }[self.unit]
        return f"{self.value} {unit}"


# --- predicates ------------------------------------------------------------------


def _personal(facts: Facts, codes) -> Applies:
    if facts.personal_data is False or not any(code in codes for code in facts.affected):
        return NO
    if all(facts.count(code) == 0 for code in facts.affected if code in codes):
        return NO
    return Applies(True, (PERSONAL_UNDECIDED,) if facts.personal_data is None else ())


def _both(*results: Applies) -> Applies:
    if not all(result.applies for result in results):
        return NO
    return Applies(True, tuple(flag for result in results for flag in result.flags))


def eu_personal(facts: Facts) -> Applies:
    return _personal(facts, EEA)


def controller(facts: Facts) -> Applies:
    return YES if facts.role == "controller" else NO


def processor(facts: Facts) -> Applies:
    return YES if facts.role == "processor" else NO


def high_risk(facts: Facts) -> Applies:
    if facts.high_risk is False:
        return NO
    return Applies(True, (RISK_UNDECIDED,) if facts.high_risk is None else ())


def state(code: str) -> Callable[[Facts], Applies]:
    return lambda facts: _personal(facts, {code})


def at_least(code: str, threshold: int, *, strictly_more: bool = False):
    """Applies when the jurisdiction's count reaches the threshold; unknown counts apply."""

    def predicate(facts: Facts) -> Applies:
        base = _personal(facts, {code})
        if not base.applies:
            return NO
        count = facts.count(code)
        if count is None:
            return Applies(True, (*base.flags, COUNT_UNKNOWN))
        reached = count > threshold if strictly_more else count >= threshold
        return base if reached else NO

    return predicate


def nis2(facts: Facts) -> Applies:
    # DORA is lex specialis: its financial entities report ICT incidents under DORA.
    if facts.entity.nis2 is None or facts.entity.dora_financial_entity:
        return NO
    if facts.significant_incident is False:
        return NO
    flags = () if facts.significant_incident else ("significance not yet assessed",)
    return Applies(True, flags)


def dora(facts: Facts) -> Applies:
    return YES if facts.entity.dora_financial_entity else NO


def sec(facts: Facts) -> Applies:
    return YES if facts.entity.sec_registrant else NO


def nydfs(facts: Facts) -> Applies:
    return YES if facts.entity.nydfs_covered else NO


def nydfs_ransom(facts: Facts) -> Applies:
    return YES if facts.entity.nydfs_covered and facts.ransom_paid_at else NO


def hipaa(role: str) -> Callable[[Facts], Applies]:
    def predicate(facts: Facts) -> Applies:
        if facts.entity.hipaa != role or facts.phi is False:
            return NO
        return Applies(True, ("PHI not yet decided",) if facts.phi is None else ())

    return predicate


def hipaa_media(facts: Facts) -> Applies:
    """More than 500 residents of one State; unknown state counts apply."""
    base = hipaa("covered_entity")(facts)
    if not base.applies:
        return NO
    states = {code: n for code, n in facts.affected.items() if code.startswith("US-")}
    if any(n is None for n in states.values()) or not states:
        return Applies(True, (*base.flags, COUNT_UNKNOWN))
    return base if any(n > 500 for n in states.values()) else NO


def sg_pdpa(facts: Facts) -> Applies:
    """Significant harm, or 500 or more people affected."""
    base = _personal(facts, {"SG"})
    if not base.applies or facts.high_risk is True:
        return base
    count = facts.count("SG")
    if count is None:
        return Applies(True, (*base.flags, COUNT_UNKNOWN))
    if count >= 500:
        return base
    return NO if facts.high_risk is False else Applies(True, (*base.flags, RISK_UNDECIDED))


def br_lgpd(facts: Facts) -> Applies:
    return _both(_personal(facts, {"BR"}), high_risk(facts))


def cert_in(facts: Facts) -> Applies:
    return YES if "IN" in facts.affected and facts.count("IN") != 0 else NO


# --- the table -----------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        id="gdpr-art33",
        regime="EU GDPR",
        citation="GDPR Art. 33(1)",
        notifier="controller",
        recipient="Lead supervisory authority",
        trigger="aware_at",
        value=72,
        unit=HOURS,
        applies=lambda f: _both(controller(f), eu_personal(f)),
        confidence="A",
        note="Late filing is allowed only with the reasons for the delay.",
    ),
    Rule(
        id="gdpr-art33-2",
        regime="EU GDPR",
        citation="GDPR Art. 33(2)",
        notifier="processor",
        recipient="The controller",
        trigger="aware_at",
        value=0,
        unit=NONE,
        applies=lambda f: _both(processor(f), eu_personal(f)),
        confidence="A",
        standard="without undue delay",
    ),
    Rule(
        id="gdpr-art34",
        regime="EU GDPR",
        citation="GDPR Art. 34",
        notifier="controller",
        recipient="Data subjects",
        trigger="aware_at",
        value=0,
        unit=NONE,
        applies=lambda f: _both(controller(f), eu_personal(f), high_risk(f)),
        confidence="A",
        standard="without undue delay",
        note="Not required if the data was unintelligible (e.g. encrypted) or the risk removed.",
    ),
    Rule(
        id="uk-gdpr-art33",
        regime="UK GDPR",
        citation="UK GDPR Art. 33(1)",
        notifier="controller",
        recipient="Information Commissioner's Office",
        trigger="aware_at",
        value=72,
        unit=HOURS,
        applies=lambda f: _both(controller(f), _personal(f, {"GB"})),
        confidence="A",
    ),
    Rule(
        id="nis2-early-warning",
        regime="EU NIS2",
        citation="NIS2 Dir. 2022/2555 Art. 23(4)(a)",
        notifier="essential or important entity",
        recipient="CSIRT or competent authority",
        trigger="aware_at",
        value=24,
        unit=HOURS,
        applies=nis2,
        confidence="A",
    ),
    Rule(
        id="nis2-notification",
        regime="EU NIS2",
        citation="NIS2 Dir. 2022/2555 Art. 23(4)(b)",
        notifier="essential or important entity",
        recipient="CSIRT or competent authority",
        trigger="aware_at",
        value=72,
        unit=HOURS,
        applies=nis2,
        confidence="A",
    ),
    Rule(
        id="nis2-final",
        regime="EU NIS2",
        citation="NIS2 Dir. 2022/2555 Art. 23(4)(d)",
        notifier="essential or important entity",
        recipient="CSIRT or competent authority",
        trigger="submitted:nis2-notification",
        value=1,
        unit=MONTHS,
        applies=nis2,
        confidence="A",
        note="If the incident is still ongoing, a progress report instead.",
    ),
    Rule(
        id="dora-initial",
        regime="EU DORA",
        citation="DORA Art. 19; Del. Reg. (EU) 2025/301 Art. 5(1)",
        notifier="financial entity",
        recipient="National competent authority",
        trigger="classified_major_at",
        value=4,
        unit=HOURS,
        applies=dora,
        confidence="A",
        standard="4 hours after classification, at most 24 hours after awareness",
        note="If classified more than 24 hours after awareness: 4 hours after classification (C).",
    ),
    Rule(
        id="dora-intermediate",
        regime="EU DORA",
        citation="Del. Reg. (EU) 2025/301 Art. 5(1)(b)",
        notifier="financial entity",
        recipient="National competent authority",
        trigger="submitted:dora-initial",
        value=72,
        unit=HOURS,
        applies=dora,
        confidence="A",
    ),
    Rule(
        id="dora-final",
        regime="EU DORA",
        citation="Del. Reg. (EU) 2025/301 Art. 5(1)(c)",
        notifier="financial entity",
        recipient="National competent authority",
        trigger="submitted:dora-intermediate",
        value=1,
        unit=MONTHS,
        applies=dora,
        confidence="A",
        note="A weekend or holiday deadline may move to 12:00 the next working day for some "
        "entities; the earlier date is shown.",
    ),
    Rule(
        id="sec-8k-1.05",
        regime="SEC",
        citation="Form 8-K Item 1.05; General Instruction B.1",
        notifier="SEC registrant",
        recipient="SEC (EDGAR)",
        trigger="materiality_determined_at",
        value=4,
        unit=BUSINESS_DAYS,
        applies=sec,
        confidence="A",
        time_zone="America/New_York",
        calendar=("US", None),
        cutoff=time(17, 30),
        note="Filings after 17:30 ET take the next business day's filing date.",
    ),
    Rule(
        id="hipaa-individuals",
        regime="HIPAA",
        citation="45 CFR 164.404",
        notifier="covered entity",
        recipient="Affected individuals",
        trigger="discovered",
        value=60,
        unit=CALENDAR_DAYS,
        applies=hipaa("covered_entity"),
        confidence="A",
        time_zone="America/New_York",
        standard="without unreasonable delay, at most 60 days",
    ),
    Rule(
        id="hipaa-hhs",
        regime="HIPAA",
        citation="45 CFR 164.408",
        notifier="covered entity",
        recipient="HHS",
        trigger="discovered",
        value=60,
        unit=CALENDAR_DAYS,
        applies=hipaa("covered_entity"),
        confidence="A",
        time_zone="America/New_York",
        note="Fewer than 500 people: within 60 days after the end of the calendar year.",
    ),
    Rule(
        id="hipaa-media",
        regime="HIPAA",
        citation="45 CFR 164.406",
        notifier="covered entity",
        recipient="Prominent media outlets",
        trigger="discovered",
        value=60,
        unit=CALENDAR_DAYS,
        applies=hipaa_media,
        confidence="A",
        time_zone="America/New_York",
        note="Only when more than 500 residents of one State are affected.",
    ),
    Rule(
        id="hipaa-ba",
        regime="HIPAA",
        citation="45 CFR 164.410",
        notifier="business associate",
        recipient="The covered entity",
        trigger="discovered",
        value=60,
        unit=CALENDAR_DAYS,
        applies=hipaa("business_associate"),
        confidence="A",
        time_zone="America/New_York",
        note="If the business associate is the covered entity's agent, its discovery counts "
        "as the covered entity's.",
    ),
    Rule(
        id="nydfs-500.17a",
        regime="NYDFS",
        citation="23 NYCRR 500.17(a)",
        notifier="covered entity",
        recipient="NYDFS Superintendent",
        trigger="determined",
        value=72,
        unit=HOURS,
        applies=nydfs,
        confidence="A",
        note="Incidents at third-party service providers count.",
    ),
    Rule(
        id="nydfs-500.17c",
        regime="NYDFS",
        citation="23 NYCRR 500.17(c)(1)",
        notifier="covered entity",
        recipient="NYDFS Superintendent",
        trigger="ransom_paid_at",
        value=24,
        unit=HOURS,
        applies=nydfs_ransom,
        confidence="B",
    ),
    Rule(
        id="nydfs-500.17c-explanation",
        regime="NYDFS",
        citation="23 NYCRR 500.17(c)(2)",
        notifier="covered entity",
        recipient="NYDFS Superintendent",
        trigger="ransom_paid_at",
        value=30,
        unit=CALENDAR_DAYS,
        applies=nydfs_ransom,
        confidence="B",
        time_zone="America/New_York",
    ),
    Rule(
        id="us-ca",
        regime="California",
        citation="Cal. Civ. Code 1798.82 (SB 446)",
        notifier="business",
        recipient="California residents",
        trigger="discovered",
        value=30,
        unit=CALENDAR_DAYS,
        applies=state("US-CA"),
        confidence="A",
        time_zone="America/Los_Angeles",
        effective_from=date(2026, 1, 1),
        note="More than 500 residents: sample notice to the AG within 15 days of notifying them.",
    ),
    Rule(
        id="us-co",
        regime="Colorado",
        citation="C.R.S. 6-1-716",
        notifier="covered entity",
        recipient="Colorado residents",
        trigger="determined",
        value=30,
        unit=CALENDAR_DAYS,
        applies=state("US-CO"),
        confidence="A",
        time_zone="America/Denver",
    ),
    Rule(
        id="us-fl",
        regime="Florida",
        citation="Fla. Stat. 501.171",
        notifier="covered entity",
        recipient="Florida residents",
        trigger="determined",
        value=30,
        unit=CALENDAR_DAYS,
        applies=state("US-FL"),
        confidence="A",
        time_zone="America/New_York",
        note="15 more days for good cause shown in writing.",
    ),
    Rule(
        id="us-wa",
        regime="Washington",
        citation="RCW 19.255.010",
        notifier="business",
        recipient="Washington residents",
        trigger="discovered",
        value=30,
        unit=CALENDAR_DAYS,
        applies=state("US-WA"),
        confidence="A",
        time_zone="America/Los_Angeles",
    ),
    Rule(
        id="us-me",
        regime="Maine",
        citation="10 M.R.S. 1348",
        notifier="person",
        recipient="Maine residents",
        trigger="assessed_or_aware",
        value=30,
        unit=CALENDAR_DAYS,
        applies=state("US-ME"),
        confidence="A",
        time_zone="America/New_York",
        note="Runs once we are aware and the scope is identified.",
    ),
    Rule(
        id="us-ny",
        regime="New York",
        citation="N.Y. Gen. Bus. Law 899-aa",
        notifier="business",
        recipient="New York residents",
        trigger="discovered",
        value=30,
        unit=CALENDAR_DAYS,
        applies=state("US-NY"),
        confidence="A",
        time_zone="America/New_York",
    ),
    Rule(
        id="us-tx",
        regime="Texas",
        citation="Tex. Bus. & Com. Code 521.053",
        notifier="business",
        recipient="Texas residents",
        trigger="determined",
        value=60,
        unit=CALENDAR_DAYS,
        applies=state("US-TX"),
        confidence="A",
        time_zone="America/Chicago",
    ),
    Rule(
        id="us-tx-ag",
        regime="Texas",
        citation="Tex. Bus. & Com. Code 521.053(i)",
        notifier="business",
        recipient="Texas Attorney General",
        trigger="determined",
        value=30,
        unit=CALENDAR_DAYS,
        applies=at_least("US-TX", 250),
        confidence="A",
        time_zone="America/Chicago",
        note="Only when 250 or more Texas residents are affected.",
    ),
    Rule(
        id="us-vt",
        regime="Vermont",
        citation="9 V.S.A. 2435",
        notifier="data collector",
        recipient="Vermont residents",
        trigger="discovered",
        value=45,
        unit=CALENDAR_DAYS,
        applies=state("US-VT"),
        confidence="A",
        time_zone="America/New_York",
    ),
    Rule(
        id="us-vt-ag",
        regime="Vermont",
        citation="9 V.S.A. 2435(b)(3)",
        notifier="data collector",
        recipient="Vermont Attorney General (preliminary notice)",
        trigger="discovered",
        value=14,
        unit=BUSINESS_DAYS,
        applies=state("US-VT"),
        confidence="A",
        time_zone="America/New_York",
        calendar=("US", "VT"),
        note="Or when residents are told, if that is sooner.",
    ),
    Rule(
        id="br-lgpd",
        regime="Brazil LGPD",
        citation="LGPD Art. 48; Res. CD/ANPD 15/2024",
        notifier="controller",
        recipient="ANPD and data subjects",
        trigger="aware_at",
        value=3,
        unit=BUSINESS_DAYS,
        applies=br_lgpd,
        confidence="A",
        time_zone="America/Sao_Paulo",
        calendar=("BR", None),
        note="Small processing agents: 6 business days. National holidays only (C).",
    ),
    Rule(
        id="sg-pdpa",
        regime="Singapore PDPA",
        citation="PDPA s.26D",
        notifier="organisation",
        recipient="PDPC",
        trigger="assessed_at",
        value=3,
        unit=CALENDAR_DAYS,
        applies=sg_pdpa,
        confidence="A",
        time_zone="Asia/Singapore",
        note="The assessment itself must be expeditious (about 30 days from discovery).",
    ),
    Rule(
        id="in-cert-in",
        regime="India CERT-In",
        citation="CERT-In Directions of 28 April 2022, para (ii)",
        notifier="service provider or body corporate",
        recipient="CERT-In",
        trigger="aware_at",
        value=6,
        unit=HOURS,
        applies=cert_in,
        confidence="A",
    ),
    Rule(
        id="jp-appi-final",
        regime="Japan APPI",
        citation="APPI Art. 26; PPC Rules Art. 8",
        notifier="business operator",
        recipient="Personal Information Protection Commission",
        trigger="discovered",
        value=30,
        unit=CALENDAR_DAYS,
        applies=lambda f: _personal(f, {"JP"}),
        confidence="A",
        time_zone="Asia/Tokyo",
        note="60 days when the leak may have an unlawful purpose (e.g. unauthorised access); "
        "the earlier date is shown.",
    ),
    Rule(
        id="au-ndb-assessment",
        regime="Australia NDB",
        citation="Privacy Act 1988 s.26WH",
        notifier="APP entity",
        recipient="Assessment concluded (internal)",
        trigger="aware_at",
        value=30,
        unit=CALENDAR_DAYS,
        applies=lambda f: _personal(f, {"AU"}),
        confidence="A",
        time_zone="Australia/Sydney",
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
