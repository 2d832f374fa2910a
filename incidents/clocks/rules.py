"""The notification duties BreachDesk knows, one row each.

Sources, confidence grades and edge cases: shared/research/regulatory-clocks.md
(compiled 2026-11-27) and its addendum (where they disagree the addendum
stands). Confidence: A = checked against the legal text, B = several secondary
sources agree, C = unsettled or not yet in force: off unless the organisation
profile turns it on (``Facts.enabled_rules``). Adding a US state is adding a
row to ``US_STATES``. Not legal advice: every row needs counsel's sign-off
before its date is treated as binding.

Roles: a controller's rows apply to ``role == "controller"``; a processor
(service provider, data intermediary, business maintaining data it does not
own) owes its controller notice instead, in the rows whose notifier says so.
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

# Whose calendar a rule counts in (``Rule.zone``).
FIXED = "fixed"  # the rule's own ``time_zone``
ENTITY = "entity"  # the organisation's zone (Facts.time_zone), else ``time_zone``
EU_AUTHORITY = "eu_authority"  # the Member State where we are established, else Brussels

# EU member states and the EEA (GDPR applies in Iceland, Liechtenstein, Norway), with the
# zone their authorities count local days and months in.
EU_ZONES = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "BG": "Europe/Sofia",
    "HR": "Europe/Zagreb",
    "CY": "Asia/Nicosia",
    "CZ": "Europe/Prague",
    "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "GR": "Europe/Athens",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IT": "Europe/Rome",
    "LV": "Europe/Riga",
    "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg",
    "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest",
    "SK": "Europe/Bratislava",
    "SI": "Europe/Ljubljana",
    "ES": "Europe/Madrid",
    "SE": "Europe/Stockholm",
}
EEA_ZONES = {**EU_ZONES, "IS": "Atlantic/Reykjavik", "LI": "Europe/Vaduz", "NO": "Europe/Oslo"}
EU = frozenset(EU_ZONES)
EEA = frozenset(EEA_ZONES)
VERIFIED = date(2026, 11, 27)

COUNT_UNKNOWN = "count unknown: the stricter clock is shown until the number is known"
PERSONAL_UNDECIDED = "personal data not yet decided: shown in case it is"
RISK_UNDECIDED = "risk not yet assessed: shown in case it is high"
SIGNIFICANCE_UNDECIDED = "significance not yet assessed"
GRADE_C = "grade C: unsettled; verify before relying on it"

# Rows with no known start date apply to every trigger.
ALWAYS = date(2000, 1, 1)
TRIGGER_TEXT = {
    "aware_at": "awareness",
    "vendor_aware_at": "the vendor's awareness",
    "discovered": "discovery (else awareness)",
    "determined": "determination (else awareness)",
    "assessed_at": "assessment concluded",
    "assessed_or_aware": "awareness and scope identified",
    "materiality_determined_at": "materiality determination",
    "classified_major_at": "classification as major",
    "ransom_paid_at": "ransom payment",
}

WITHOUT_UNDUE_DELAY = "without undue delay"
IMMEDIATELY = "immediately"


@dataclass(frozen=True)
class Applies:
    applies: bool
    flags: tuple[str, ...] = ()


NO = Applies(False)
YES = Applies(True)


@dataclass(frozen=True)
class Rule:
    """One duty. ``trigger`` is a Facts attribute (or ``discovered`` / ``determined`` /
    ``assessed_or_aware``), or ``submitted:<rule id>`` for a later stage.

    ``value``/``unit`` give the window (``NONE``: no number in law, ``due_at`` stays
    empty). ``effective_from``/``effective_to`` bound the local dates of the trigger
    the row applies to; ``phased`` gives later starts for some entities (entity flag,
    date). ``shorter_for`` (entity flag, value) is a shorter window for some entities.
    ``in_force`` is False for rules still pending (CIRCIA); those and grade C rows
    apply only when listed in ``Facts.enabled_rules``.
    """

    id: str
    jurisdiction: str
    regime: str
    citation: str
    notifier: str
    recipient: str
    trigger: str
    value: int
    unit: str
    applies: Callable[[Facts], Applies]
    confidence: str
    time_zone: str = "UTC"
    zone: str = FIXED
    calendar: tuple[str, str | None] | None = None
    cutoff: time = END_OF_DAY
    day_one_is_trigger: bool = False
    next_open_day: bool = False
    year_end_closure: bool = False
    cap_hours_after_awareness: int | None = None
    yearly_log_below: int | None = None
    shorter_for: tuple[str, int] | None = None
    effective_from: date = ALWAYS
    effective_to: date | None = None
    phased: tuple[tuple[str, date], ...] = ()
    in_force: bool = True
    last_verified: date = VERIFIED
    standard: str = ""
    note: str = ""

    @property
    def optional(self) -> bool:
        """Off unless the organisation turns it on: grade C, or not yet in force."""
        return self.confidence == "C" or not self.in_force

    @property
    def marks(self) -> tuple[str, ...]:
        """What sets the rule apart on every page: "grade C", "not yet in force"."""
        marks = ("grade C",) if self.confidence == "C" else ()
        return marks if self.in_force else (*marks, "not yet in force")

    @property
    def label(self) -> str:
        """ "CIRCIA — CISA (72 hours) · grade C, not yet in force"."""
        text = f"{self.regime} — {self.recipient} ({self.window_text()})"
        return f"{text} · {', '.join(self.marks)}" if self.marks else text

    def window_text(self, value: int | None = None) -> str:
        """The window as people say it: "72 hours", "1 month", "without undue delay"."""
        if self.standard:
            return self.standard
        value = self.value if value is None else value
        unit = {
            HOURS: "hours",
            CALENDAR_DAYS: "days",
            BUSINESS_DAYS: "business days",
            MONTHS: "month" if value == 1 else "months",
        }[self.unit]
        return f"{value} {unit}"

    @property
    def standard_text(self) -> str:
        return self.window_text()

    @property
    def trigger_text(self) -> str:
        """What starts the clock, in words: "awareness", "filing of nis2-notification"."""
        if self.trigger.startswith("submitted:"):
            return f"filing of {self.trigger.split(':', 1)[1]}"
        return TRIGGER_TEXT.get(self.trigger, self.trigger)

    @property
    def effective_text(self) -> str:
        """ "from 2025-01-17", "2021-09-01 to 2023-08-31", "pending (expected 2027-05-13)"."""
        if not self.in_force:
            return f"pending (expected {self.effective_from.isoformat()})"
        start = "" if self.effective_from == ALWAYS else self.effective_from.isoformat()
        text = f"from {start}" if start else "in force"
        if self.effective_to:
            text = f"{start or 'until'} to {self.effective_to.isoformat()}"
        for flag, later in self.phased:
            text += f"; {flag.replace('_', ' ')}: from {later.isoformat()}"
        return text

    @property
    def calendar_text(self) -> str:
        """How the window is counted, for the rule list."""
        zone = {
            FIXED: self.time_zone,
            ENTITY: f"the organisation's time zone (else {self.time_zone})",
            EU_AUTHORITY: "the authority's Member State (else Europe/Brussels)",
        }[self.zone]
        if self.unit == NONE:
            return "no fixed time"
        if self.unit == HOURS:
            return "elapsed hours"
        if self.unit == MONTHS:
            return f"calendar months, local time in {zone}"
        if self.unit == BUSINESS_DAYS:
            country, subdiv = self.calendar
            place = f"{country}-{subdiv}" if subdiv else country
            return f"business days ({place} holidays), in {zone}"
        text = f"calendar days, in {zone}"
        if self.day_one_is_trigger:
            text += "; the trigger day is day 1"
        if self.next_open_day:
            text += "; a closed day moves to the next open day"
        return text


# --- predicates ------------------------------------------------------------------


def _matches(code: str, codes) -> bool:
    """``US-CA`` matches itself; with ``CA`` (the country) listed, ``CA-QC`` matches too."""
    # Codes are checked as "XX" or "XX-YYY" (facts.CODE), so the country is the first two.
    return code in codes or (len(code) > 2 and code[:2] in codes)


def _personal(facts: Facts, codes) -> Applies:
    present = [code for code in facts.affected if _matches(code, codes)]
    if facts.personal_data is False or not present:
        return NO
    if all(facts.count(code) == 0 for code in present):
        return NO
    return Applies(True, (PERSONAL_UNDECIDED,) if facts.personal_data is None else ())


def _both(*results: Applies) -> Applies:
    if not all(result.applies for result in results):
        return NO
    return Applies(True, tuple(flag for result in results for flag in result.flags))


def _all(*predicates: Callable[[Facts], Applies]) -> Callable[[Facts], Applies]:
    """Every predicate applies (their flags together); stops at the first that does not."""

    def predicate(facts: Facts) -> Applies:
        flags: list[str] = []
        for each in predicates:
            result = each(facts)
            if not result.applies:
                return NO
            flags.extend(result.flags)
        return Applies(True, tuple(flags))

    return predicate


def controller(facts: Facts) -> Applies:
    return YES if facts.role == "controller" else NO


def processor(facts: Facts) -> Applies:
    return YES if facts.role == "processor" else NO


def high_risk(facts: Facts) -> Applies:
    if facts.high_risk is False:
        return NO
    return Applies(True, (RISK_UNDECIDED,) if facts.high_risk is None else ())


def significant(facts: Facts) -> Applies:
    if facts.significant_incident is False:
        return NO
    return Applies(True, () if facts.significant_incident else (SIGNIFICANCE_UNDECIDED,))


def personal_in(*codes: str) -> Callable[[Facts], Applies]:
    return lambda facts: _personal(facts, set(codes))


def established_scope(codes: frozenset[str] | set[str]) -> Callable[[Facts], Applies]:
    """GDPR Art. 3(1) (and the UK's and Switzerland's copies): a controller or processor
    established there notifies for everyone affected, wherever they live; anyone
    else when people there are affected."""

    def predicate(facts: Facts) -> Applies:
        if facts.established_in not in codes:
            return _personal(facts, codes)
        if facts.personal_data is False:
            return NO
        if facts.affected and all(n == 0 for n in facts.affected.values()):
            return NO
        return Applies(True, (PERSONAL_UNDECIDED,) if facts.personal_data is None else ())

    return predicate


def count_of(codes, threshold: int, *, strictly_more: bool = False):
    """Applies when the people affected in ``codes`` together reach the threshold;
    an unknown count applies (with a flag) until it is known."""

    def predicate(facts: Facts) -> Applies:
        base = _personal(facts, set(codes))
        if not base.applies:
            return NO
        counts = [n for code, n in facts.affected.items() if _matches(code, codes)]
        if any(n is None for n in counts):
            return Applies(True, (*base.flags, COUNT_UNKNOWN))
        total = sum(counts)
        reached = total > threshold if strictly_more else total >= threshold
        return base if reached else NO

    return predicate


def entity(name: str, value: object = True) -> Callable[[Facts], Applies]:
    """The entity fact ``name`` has ``value`` (True for flags, a choice for roles)."""
    return lambda facts: YES if getattr(facts.entity, name) == value else NO


def nis2(facts: Facts) -> Applies:
    # DORA is lex specialis: its financial entities report ICT incidents under DORA.
    if facts.entity.nis2 is None or facts.entity.dora_financial_entity:
        return NO
    return significant(facts)


def nydfs_ransom(facts: Facts) -> Applies:
    return YES if facts.entity.nydfs_covered and facts.ransom_paid_at else NO


def hipaa(role: str) -> Callable[[Facts], Applies]:
    def predicate(facts: Facts) -> Applies:
        if facts.entity.hipaa != role or facts.phi is False:
            return NO
        return Applies(True, ("PHI not yet decided",) if facts.phi is None else ())

    return predicate


def any_state_over(threshold: int) -> Callable[[Facts], Applies]:
    """More than ``threshold`` residents of one State (HIPAA and FTC media notice)."""

    def predicate(facts: Facts) -> Applies:
        states = {code: n for code, n in facts.affected.items() if code.startswith("US-")}
        if not states or any(n is None for n in states.values()):
            return Applies(True, (COUNT_UNKNOWN,))
        return YES if any(n > threshold for n in states.values()) else NO

    return predicate


def phr(role: str) -> Callable[[Facts], Applies]:
    """FTC Health Breach Notification Rule: PHR identifiable health information."""

    def predicate(facts: Facts) -> Applies:
        if facts.entity.phr != role or facts.phi is False:
            return NO
        return Applies(True, ("health information not yet decided",) if facts.phi is None else ())

    return predicate


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


def anyone_in(code: str) -> Callable[[Facts], Applies]:
    """Anyone (or any system) in the country is affected, personal data or not."""
    return lambda facts: (
        YES if any(_matches(c, {code}) and facts.count(c) != 0 for c in facts.affected) else NO
    )


def us_people(facts: Facts) -> Applies:
    return _personal(facts, {"US"})


# --- the table -----------------------------------------------------------------------


def _eu_rows() -> list[Rule]:
    gdpr = established_scope(EEA)
    gdpr_start = date(2018, 5, 25)
    eu = {"jurisdiction": "EU", "zone": EU_AUTHORITY, "time_zone": "Europe/Brussels"}
    return [
        Rule(
            id="gdpr-art33",
            regime="EU GDPR",
            citation="GDPR Art. 33(1)",
            notifier="controller",
            recipient="Lead supervisory authority",
            trigger="aware_at",
            value=72,
            unit=HOURS,
            applies=_all(controller, gdpr),
            confidence="A",
            effective_from=gdpr_start,
            note="Late filing is allowed only with the reasons for the delay. An EU-established "
            "controller notifies for everyone affected, wherever they live.",
            **eu,
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
            applies=_all(processor, gdpr),
            confidence="A",
            standard=WITHOUT_UNDUE_DELAY,
            effective_from=gdpr_start,
            **eu,
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
            applies=_all(controller, gdpr, high_risk),
            confidence="A",
            standard=WITHOUT_UNDUE_DELAY,
            effective_from=gdpr_start,
            note="Not required if the data was unintelligible (e.g. encrypted) or the risk "
            "removed.",
            **eu,
        ),
        Rule(
            id="eprivacy-initial",
            regime="EU ePrivacy",
            citation="Reg. (EU) 611/2013 Art. 2(2)",
            notifier="public electronic communications provider",
            recipient="National authority",
            trigger="aware_at",
            value=24,
            unit=HOURS,
            applies=_all(entity("telecom_provider"), established_scope(EU)),
            confidence="A",
            effective_from=date(2013, 8, 25),
            note="Runs from detection with sufficient awareness; where feasible.",
            **eu,
        ),
        Rule(
            id="eprivacy-full",
            regime="EU ePrivacy",
            citation="Reg. (EU) 611/2013 Art. 2(3)",
            notifier="public electronic communications provider",
            recipient="National authority",
            trigger="submitted:eprivacy-initial",
            value=72,
            unit=HOURS,
            applies=_all(entity("telecom_provider"), established_scope(EU)),
            confidence="A",
            effective_from=date(2013, 8, 25),
            standard="3 days after the initial notification",
            note="Only if the initial notification was incomplete.",
            **eu,
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
            effective_from=date(2024, 10, 18),
            **eu,
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
            shorter_for=("trust_service_provider", 24),
            effective_from=date(2024, 10, 18),
            note="Trust service providers: 24 hours.",
            **eu,
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
            effective_from=date(2024, 10, 18),
            note="If the incident is still ongoing, a progress report instead.",
            **eu,
        ),
        Rule(
            id="nis2-recipients",
            regime="EU NIS2",
            citation="NIS2 Dir. 2022/2555 Art. 23(1)–(2)",
            notifier="essential or important entity",
            recipient="Recipients of our services",
            trigger="aware_at",
            value=0,
            unit=NONE,
            applies=nis2,
            confidence="A",
            standard=WITHOUT_UNDUE_DELAY,
            effective_from=date(2024, 10, 18),
            note="When the incident is likely to affect the provision of our services to them.",
            **eu,
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
            applies=entity("dora_financial_entity"),
            confidence="A",
            cap_hours_after_awareness=24,
            effective_from=date(2025, 1, 17),
            standard="4 hours after classification, at most 24 hours after awareness",
            note="If classified more than 24 hours after awareness: 4 hours after "
            "classification (C).",
            **eu,
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
            applies=entity("dora_financial_entity"),
            confidence="A",
            effective_from=date(2025, 1, 17),
            **eu,
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
            applies=entity("dora_financial_entity"),
            confidence="A",
            effective_from=date(2025, 1, 17),
            note="A weekend or holiday deadline may move to 12:00 the next working day for some "
            "entities; the earlier date is shown.",
            **eu,
        ),
        Rule(
            id="dora-clients",
            regime="EU DORA",
            citation="DORA Art. 19(3)",
            notifier="financial entity",
            recipient="Clients whose financial interests are affected",
            trigger="classified_major_at",
            value=0,
            unit=NONE,
            applies=entity("dora_financial_entity"),
            confidence="A",
            standard=WITHOUT_UNDUE_DELAY,
            effective_from=date(2025, 1, 17),
            **eu,
        ),
        *[
            Rule(
                id=f"cra-{stage}",
                regime="EU Cyber Resilience Act",
                citation=f"Reg. (EU) 2024/2847 Art. 14{paragraph}",
                notifier="manufacturer of a product with digital elements",
                recipient="Coordinator CSIRT and ENISA (single reporting platform)",
                trigger=trigger,
                value=value,
                unit=unit,
                applies=_all(entity("cra_manufacturer"), significant),
                confidence="A",
                effective_from=date(2026, 9, 11),
                note=note,
                **eu,
            )
            for stage, paragraph, trigger, value, unit, note in (
                ("early-warning", "(2)(a), (4)(a)", "aware_at", 24, HOURS, ""),
                ("notification", "(2)(b), (4)(b)", "aware_at", 72, HOURS, ""),
                (
                    "final",
                    "(4)(c)",
                    "submitted:cra-notification",
                    1,
                    MONTHS,
                    "Severe incidents; for an actively exploited vulnerability the final report "
                    "is due 14 days after a corrective measure is available.",
                ),
            )
        ],
        Rule(
            id="eu-ai-act-art73",
            regime="EU AI Act",
            citation="AI Act Art. 73(2)–(5)",
            notifier="provider of a high-risk AI system",
            recipient="Market surveillance authority",
            trigger="aware_at",
            value=15,
            unit=CALENDAR_DAYS,
            applies=entity("high_risk_ai_provider"),
            confidence="C",
            effective_from=date(2026, 8, 2),
            note="2 days for widespread incidents or critical infrastructure; 10 days after a "
            "death. May be postponed.",
            **eu,
        ),
    ]


def _uk_ch_rows() -> list[Rule]:
    uk = {"jurisdiction": "GB", "time_zone": "Europe/London", "effective_from": date(2021, 1, 1)}
    uk_gdpr = established_scope({"GB"})
    swiss = established_scope({"CH"})
    ch = {"jurisdiction": "CH", "time_zone": "Europe/Zurich", "effective_from": date(2023, 9, 1)}
    return [
        Rule(
            id="uk-gdpr-art33",
            regime="UK GDPR",
            citation="UK GDPR Art. 33(1)",
            notifier="controller",
            recipient="Information Commissioner's Office",
            trigger="aware_at",
            value=72,
            unit=HOURS,
            applies=_all(controller, uk_gdpr),
            confidence="A",
            **uk,
        ),
        Rule(
            id="uk-gdpr-art33-2",
            regime="UK GDPR",
            citation="UK GDPR Art. 33(2)",
            notifier="processor",
            recipient="The controller",
            trigger="aware_at",
            value=0,
            unit=NONE,
            applies=_all(processor, uk_gdpr),
            confidence="A",
            standard=WITHOUT_UNDUE_DELAY,
            **uk,
        ),
        Rule(
            id="uk-gdpr-art34",
            regime="UK GDPR",
            citation="UK GDPR Art. 34",
            notifier="controller",
            recipient="Data subjects",
            trigger="aware_at",
            value=0,
            unit=NONE,
            applies=_all(controller, uk_gdpr, high_risk),
            confidence="A",
            standard=WITHOUT_UNDUE_DELAY,
            **uk,
        ),
        Rule(
            id="uk-nis",
            regime="UK NIS Regulations",
            citation="NIS Regulations 2018 regs 11–12",
            notifier="operator of essential services or digital service provider",
            recipient="Competent authority (ICO for digital service providers)",
            trigger="aware_at",
            value=72,
            unit=HOURS,
            applies=_all(entity("uk_nis"), significant),
            confidence="B",
            jurisdiction="GB",
            time_zone="Europe/London",
            effective_from=date(2018, 5, 10),
        ),
        Rule(
            id="uk-pecr",
            regime="UK PECR",
            citation="PECR reg 5A",
            notifier="public electronic communications provider",
            recipient="Information Commissioner's Office",
            trigger="aware_at",
            value=24,
            unit=HOURS,
            applies=_all(entity("telecom_provider"), uk_gdpr),
            confidence="C",
            note="72 hours once the Data (Use and Access) Act 2025 provision commences.",
            **uk,
        ),
        Rule(
            id="ch-nfadp",
            regime="Switzerland nFADP",
            citation="nFADP Art. 24(1)",
            notifier="controller",
            recipient="Federal Data Protection and Information Commissioner (FDPIC)",
            trigger="aware_at",
            value=0,
            unit=NONE,
            applies=_all(controller, swiss, high_risk),
            confidence="A",
            standard="as soon as possible",
            **ch,
        ),
        Rule(
            id="ch-nfadp-processor",
            regime="Switzerland nFADP",
            citation="nFADP Art. 24(3)",
            notifier="processor",
            recipient="The controller",
            trigger="aware_at",
            value=0,
            unit=NONE,
            applies=_all(processor, swiss),
            confidence="A",
            standard="as soon as possible",
            **ch,
        ),
    ]


def _no_number(
    id: str,
    jurisdiction: str,
    regime: str,
    citation: str,
    recipient: str,
    standard: str,
    applies,
    *,
    notifier="controller",
    trigger="aware_at",
    confidence="A",
    **extra,
) -> Rule:
    """A duty with no number in law: shown as an open duty, ``due_at`` empty."""
    return Rule(
        id=id,
        jurisdiction=jurisdiction,
        regime=regime,
        citation=citation,
        notifier=notifier,
        recipient=recipient,
        trigger=trigger,
        value=0,
        unit=NONE,
        applies=applies,
        confidence=confidence,
        standard=standard,
        **extra,
    )


def _canada_rows() -> list[Rule]:
    return [
        _no_number(
            "ca-pipeda",
            "CA",
            "Canada PIPEDA",
            "PIPEDA s.10.1; Breach of Security Safeguards Regulations",
            "Privacy Commissioner and affected individuals",
            "as soon as feasible",
            _all(controller, personal_in("CA"), high_risk),
            trigger="determined",
            time_zone="America/Toronto",
            effective_from=date(2018, 11, 1),
            note="Real risk of significant harm. Keep a record of every breach.",
        ),
        _no_number(
            "ca-qc-law25",
            "CA-QC",
            "Quebec Law 25",
            "Private Sector Act s.3.5",
            "Commission d'accès à l'information and the persons concerned",
            "promptly",
            _all(controller, personal_in("CA-QC"), high_risk),
            time_zone="America/Toronto",
            effective_from=date(2022, 9, 22),
            note="Risk of serious injury.",
        ),
        _no_number(
            "ca-ab-pipa",
            "CA-AB",
            "Alberta PIPA",
            "PIPA s.34.1",
            "Information and Privacy Commissioner of Alberta",
            "without unreasonable delay",
            _all(controller, personal_in("CA-AB"), high_risk),
            time_zone="America/Edmonton",
            effective_from=date(2010, 5, 1),
            note="Real risk of significant harm.",
        ),
    ]


def _asia_pacific_rows() -> list[Rule]:
    return [
        Rule(
            id="kr-pipa-subjects",
            jurisdiction="KR",
            regime="South Korea PIPA",
            citation="PIPA Art. 34(1); Enforcement Decree Art. 39",
            notifier="personal information controller",
            recipient="Data subjects",
            trigger="aware_at",
            value=72,
            unit=HOURS,
            applies=_all(controller, personal_in("KR")),
            confidence="B",
            time_zone="Asia/Seoul",
            effective_from=date(2023, 9, 15),
        ),
        Rule(
            id="kr-pipa-pipc",
            jurisdiction="KR",
            regime="South Korea PIPA",
            citation="PIPA Art. 34(3); Enforcement Decree Art. 40",
            notifier="personal information controller",
            recipient="PIPC or KISA",
            trigger="aware_at",
            value=72,
            unit=HOURS,
            applies=_all(controller, count_of({"KR"}, 1000)),
            confidence="B",
            time_zone="Asia/Seoul",
            effective_from=date(2023, 9, 15),
            note="1,000 or more people; also for sensitive data, unique identifiers or hacking "
            "at any count.",
        ),
        _no_number(
            "cn-pipl",
            "CN",
            "China PIPL",
            "PIPL Art. 57",
            "Personal information protection authorities and individuals",
            IMMEDIATELY,
            _all(controller, personal_in("CN")),
            confidence="B",
            time_zone="Asia/Shanghai",
            effective_from=date(2021, 11, 1),
        ),
        *[
            Rule(
                id=f"cn-cac-{kind}",
                jurisdiction="CN",
                regime="China CAC incident reporting",
                citation="CAC Measures for National Cybersecurity Incident Reporting (2025)",
                notifier=notifier,
                recipient=recipient,
                trigger="aware_at",
                value=hours,
                unit=HOURS,
                applies=_all(entity("china_network", kind), significant),
                confidence="B",
                time_zone="Asia/Shanghai",
                effective_from=date(2025, 11, 1),
                note="Incidents at the “relatively major” level and above.",
            )
            for kind, notifier, recipient, hours in (
                ("operator", "network operator", "Provincial cyberspace administration", 4),
                (
                    "ciio",
                    "critical information infrastructure operator",
                    "Protection department and public security",
                    1,
                ),
            )
        ],
        _no_number(
            "jp-appi-preliminary",
            "JP",
            "Japan APPI",
            "APPI Art. 26(1); PPC Rules Art. 8(1)",
            "Personal Information Protection Commission",
            "promptly (about 3–5 days)",
            _all(controller, personal_in("JP")),
            trigger="discovered",
            confidence="B",
            time_zone="Asia/Tokyo",
            effective_from=date(2022, 4, 1),
        ),
        Rule(
            id="jp-appi-final",
            jurisdiction="JP",
            regime="Japan APPI",
            citation="APPI Art. 26(1); PPC Rules Art. 8(2); PPC General Guidelines 3-5-3-4",
            notifier="business operator",
            recipient="Personal Information Protection Commission",
            trigger="discovered",
            value=30,
            unit=CALENDAR_DAYS,
            applies=_all(controller, personal_in("JP")),
            confidence="B",
            time_zone="Asia/Tokyo",
            calendar=("JP", None),
            day_one_is_trigger=True,
            next_open_day=True,
            year_end_closure=True,
            effective_from=date(2022, 4, 1),
            note="60 days when the leak may have an unlawful purpose (e.g. unauthorised access); "
            "the earlier date is shown.",
        ),
        _no_number(
            "jp-appi-entrusted",
            "JP",
            "Japan APPI",
            "APPI Art. 26(1) proviso",
            "The entrusting business operator",
            "promptly",
            _all(processor, personal_in("JP")),
            notifier="entrusted processor",
            trigger="discovered",
            confidence="B",
            time_zone="Asia/Tokyo",
            effective_from=date(2022, 4, 1),
            note="Telling the entrusting operator relieves us of the report to the PPC.",
        ),
        Rule(
            id="sg-pdpa",
            jurisdiction="SG",
            regime="Singapore PDPA",
            citation="PDPA s.26D",
            notifier="organisation",
            recipient="PDPC",
            trigger="assessed_at",
            value=3,
            unit=CALENDAR_DAYS,
            applies=_all(controller, sg_pdpa),
            confidence="A",
            time_zone="Asia/Singapore",
            effective_from=date(2021, 2, 1),
            note="The assessment itself must be expeditious (about 30 days from discovery).",
        ),
        _no_number(
            "sg-pdpa-intermediary",
            "SG",
            "Singapore PDPA",
            "PDPA s.26C(3)(a)",
            "The organisation we process for",
            WITHOUT_UNDUE_DELAY,
            _all(processor, personal_in("SG")),
            notifier="data intermediary",
            time_zone="Asia/Singapore",
            effective_from=date(2021, 2, 1),
        ),
        Rule(
            id="in-cert-in",
            jurisdiction="IN",
            regime="India CERT-In",
            citation="CERT-In Directions of 28 April 2022, para (ii)",
            notifier="service provider or body corporate",
            recipient="CERT-In",
            trigger="aware_at",
            value=6,
            unit=HOURS,
            applies=anyone_in("IN"),
            confidence="A",
            time_zone="Asia/Kolkata",
            effective_from=date(2022, 6, 28),
            note="Applies to controllers and service providers alike.",
        ),
        Rule(
            id="in-dpdp",
            jurisdiction="IN",
            regime="India DPDP",
            citation="DPDP Rules 2025 r.7(2)",
            notifier="data fiduciary",
            recipient="Data Protection Board (detailed report)",
            trigger="aware_at",
            value=72,
            unit=HOURS,
            applies=_all(controller, personal_in("IN")),
            confidence="C",
            time_zone="Asia/Kolkata",
            effective_from=date(2027, 5, 13),
            in_force=False,
            note="Expected to commence about May 2027.",
        ),
        Rule(
            id="au-ndb-assessment",
            jurisdiction="AU",
            regime="Australia NDB",
            citation="Privacy Act 1988 s.26WH",
            notifier="APP entity",
            recipient="Assessment concluded (internal)",
            trigger="aware_at",
            value=30,
            unit=CALENDAR_DAYS,
            applies=personal_in("AU"),
            confidence="A",
            time_zone="Australia/Sydney",
            effective_from=date(2018, 2, 22),
            note="A service provider holding the data is an APP entity too; where entities hold "
            "it jointly, one assessment and notice suffices (s.26WJ).",
        ),
        _no_number(
            "au-ndb-notice",
            "AU",
            "Australia NDB",
            "Privacy Act 1988 ss.26WK–26WL",
            "OAIC and affected individuals",
            "as soon as practicable",
            _all(personal_in("AU"), high_risk),
            notifier="APP entity",
            trigger="assessed_or_aware",
            time_zone="Australia/Sydney",
            effective_from=date(2018, 2, 22),
            note="Once there are reasonable grounds to believe an eligible data breach occurred.",
        ),
        Rule(
            id="br-lgpd",
            jurisdiction="BR",
            regime="Brazil LGPD",
            citation="LGPD Art. 48; Res. CD/ANPD 15/2024 Art. 6",
            notifier="controller",
            recipient="ANPD and data subjects",
            trigger="aware_at",
            value=3,
            unit=BUSINESS_DAYS,
            applies=_all(controller, personal_in("BR"), high_risk),
            confidence="A",
            time_zone="America/Sao_Paulo",
            calendar=("BR", None),
            effective_from=date(2024, 4, 26),
            note="Small processing agents: 6 business days. National holidays only (C).",
        ),
        Rule(
            id="br-lgpd-supplementary",
            jurisdiction="BR",
            regime="Brazil LGPD",
            citation="Res. CD/ANPD 15/2024 Art. 6(3)",
            notifier="controller",
            recipient="ANPD (supplementary communication)",
            trigger="submitted:br-lgpd",
            value=20,
            unit=BUSINESS_DAYS,
            applies=_all(controller, personal_in("BR"), high_risk),
            confidence="B",
            time_zone="America/Sao_Paulo",
            calendar=("BR", None),
            effective_from=date(2024, 4, 26),
        ),
        _no_number(
            "br-lgpd-processor",
            "BR",
            "Brazil LGPD",
            "LGPD Arts. 39, 48",
            "The controller",
            WITHOUT_UNDUE_DELAY,
            _all(processor, personal_in("BR")),
            notifier="processor",
            confidence="B",
            time_zone="America/Sao_Paulo",
            note="The ANPD notice is the controller's duty.",
        ),
    ]


def _us_federal_rows() -> list[Rule]:
    reg_sp = {
        "effective_from": date(2025, 12, 3),
        "phased": (("smaller_reporting_company", date(2026, 6, 3)),),
    }
    us = {"jurisdiction": "US", "zone": ENTITY, "time_zone": "America/New_York"}
    return [
        Rule(
            id="sec-8k-1.05",
            jurisdiction="US",
            regime="SEC",
            citation="Form 8-K Item 1.05; General Instruction B.1",
            notifier="SEC registrant",
            recipient="SEC (EDGAR)",
            trigger="materiality_determined_at",
            value=4,
            unit=BUSINESS_DAYS,
            applies=entity("sec_registrant"),
            confidence="A",
            time_zone="America/New_York",
            calendar=("US", None),
            cutoff=time(17, 30),
            effective_from=date(2023, 12, 18),
            phased=(("smaller_reporting_company", date(2024, 6, 15)),),
            note="Filings after 17:30 ET take the next business day's filing date.",
        ),
        Rule(
            id="reg-sp-individuals",
            regime="SEC Regulation S-P",
            citation="17 CFR 248.30(a)(4)",
            notifier="covered institution",
            recipient="Affected individuals",
            trigger="aware_at",
            value=30,
            unit=CALENDAR_DAYS,
            applies=_all(entity("reg_sp", "covered_institution"), us_people),
            confidence="A",
            standard="as soon as practicable, at most 30 days",
            **reg_sp,
            **us,
        ),
        Rule(
            id="reg-sp-service-provider",
            regime="SEC Regulation S-P",
            citation="17 CFR 248.30(a)(5)(i)",
            notifier="service provider",
            recipient="The covered institution",
            trigger="aware_at",
            value=72,
            unit=HOURS,
            applies=entity("reg_sp", "service_provider"),
            confidence="A",
            **reg_sp,
            **us,
        ),
        *[
            Rule(
                id=f"hipaa-{name}",
                regime="HIPAA",
                citation=citation,
                notifier=notifier,
                recipient=recipient,
                trigger="discovered",
                value=60,
                unit=CALENDAR_DAYS,
                applies=applies,
                confidence="A",
                yearly_log_below=yearly,
                standard=standard,
                note=note,
                **us,
            )
            for name, citation, notifier, recipient, applies, yearly, standard, note in (
                (
                    "individuals",
                    "45 CFR 164.404",
                    "covered entity",
                    "Affected individuals",
                    hipaa("covered_entity"),
                    None,
                    "without unreasonable delay, at most 60 days",
                    "",
                ),
                (
                    "hhs",
                    "45 CFR 164.408",
                    "covered entity",
                    "HHS",
                    hipaa("covered_entity"),
                    500,
                    "",
                    "Fewer than 500 people: within 60 days after the end of the calendar year.",
                ),
                (
                    "media",
                    "45 CFR 164.406",
                    "covered entity",
                    "Prominent media outlets",
                    _all(hipaa("covered_entity"), any_state_over(500)),
                    None,
                    "",
                    "Only when more than 500 residents of one State are affected.",
                ),
                (
                    "ba",
                    "45 CFR 164.410",
                    "business associate",
                    "The covered entity",
                    hipaa("business_associate"),
                    None,
                    "",
                    "If the business associate is the covered entity's agent, its discovery "
                    "counts as the covered entity's.",
                ),
            )
        ],
        *[
            Rule(
                id=f"ftc-hbnr-{name}",
                regime="FTC Health Breach Notification Rule",
                citation=citation,
                notifier=notifier,
                recipient=recipient,
                trigger="discovered",
                value=60,
                unit=CALENDAR_DAYS,
                applies=applies,
                confidence="A",
                yearly_log_below=yearly,
                effective_from=date(2009, 9, 24),
                note=note,
                **us,
            )
            for name, citation, notifier, recipient, applies, yearly, note in (
                (
                    "individuals",
                    "16 CFR 318.3(a), 318.4",
                    "vendor of personal health records",
                    "Affected individuals",
                    phr("vendor"),
                    None,
                    "",
                ),
                (
                    "ftc",
                    "16 CFR 318.3(a), 318.5(c)",
                    "vendor of personal health records",
                    "Federal Trade Commission",
                    phr("vendor"),
                    500,
                    "500 or more people: at the same time as the individuals; fewer: a yearly "
                    "log within 60 days after the end of the calendar year.",
                ),
                (
                    "media",
                    "16 CFR 318.5(b)",
                    "vendor of personal health records",
                    "Prominent media outlets",
                    _all(phr("vendor"), any_state_over(500)),
                    None,
                    "Only when more than 500 residents of one State are affected.",
                ),
                (
                    "service-provider",
                    "16 CFR 318.3(b)",
                    "third-party service provider",
                    "The vendor of personal health records",
                    phr("service_provider"),
                    None,
                    "",
                ),
            )
        ],
        Rule(
            id="glba-safeguards-ftc",
            regime="GLBA Safeguards Rule",
            citation="16 CFR 314.4(j)",
            notifier="non-bank financial institution",
            recipient="Federal Trade Commission",
            trigger="discovered",
            value=30,
            unit=CALENDAR_DAYS,
            applies=_all(entity("glba_financial_institution"), count_of({"US"}, 500)),
            confidence="A",
            effective_from=date(2024, 5, 13),
            standard="as soon as possible, at most 30 days",
            note="Unencrypted customer information of 500 or more consumers.",
            **us,
        ),
        Rule(
            id="bank-36h",
            regime="US banking incident rule",
            citation="12 CFR 53.3 / 225.302 / 304.23",
            notifier="banking organisation",
            recipient="Primary federal regulator",
            trigger="determined",
            value=36,
            unit=HOURS,
            applies=entity("bank", "banking_organization"),
            confidence="A",
            effective_from=date(2022, 5, 1),
            standard="as soon as possible, at most 36 hours",
            **us,
        ),
        _no_number(
            "bank-service-provider",
            "US",
            "US banking incident rule",
            "12 CFR 53.4 / 225.303 / 304.24",
            "Bank customers (designated contact)",
            "as soon as possible",
            entity("bank", "service_provider"),
            notifier="bank service provider",
            trigger="determined",
            time_zone="America/New_York",
            effective_from=date(2022, 5, 1),
            note="After a disruption of covered services of 4 hours or more.",
        ),
        Rule(
            id="fcc-cpni-law-enforcement",
            regime="FCC CPNI",
            citation="47 CFR 64.2011(b)",
            notifier="telecommunications carrier",
            recipient="US Secret Service and FBI (via the FCC portal)",
            trigger="determined",
            value=7,
            unit=BUSINESS_DAYS,
            applies=_all(entity("telecom_provider"), us_people),
            confidence="B",
            calendar=("US", None),
            **us,
        ),
        Rule(
            id="fcc-cpni-customers",
            regime="FCC CPNI",
            citation="47 CFR 64.2011(c)",
            notifier="telecommunications carrier",
            recipient="Affected customers",
            trigger="determined",
            value=30,
            unit=CALENDAR_DAYS,
            applies=_all(entity("telecom_provider"), us_people),
            confidence="B",
            note="After law enforcement has been told.",
            **us,
        ),
        *[
            Rule(
                id=f"circia-{kind}",
                regime="CIRCIA",
                citation="6 USC 681b",
                notifier="covered critical-infrastructure entity",
                recipient=f"CISA ({report})",
                trigger=trigger,
                value=hours,
                unit=HOURS,
                applies=applies,
                confidence="C",
                in_force=False,
                effective_from=date(2026, 12, 31),
                note="Only once CISA's final rule is in force.",
                **us,
            )
            for kind, report, trigger, hours, applies in (
                (
                    "incident",
                    "covered incident report",
                    "aware_at",
                    72,
                    entity("critical_infrastructure"),
                ),
                (
                    "ransom",
                    "ransom payment report",
                    "ransom_paid_at",
                    24,
                    lambda f: YES if f.entity.critical_infrastructure and f.ransom_paid_at else NO,
                ),
            )
        ],
        Rule(
            id="nydfs-500.17a",
            jurisdiction="US-NY",
            regime="NYDFS",
            citation="23 NYCRR 500.17(a)",
            notifier="covered entity",
            recipient="NYDFS Superintendent",
            trigger="determined",
            value=72,
            unit=HOURS,
            applies=entity("nydfs_covered"),
            confidence="A",
            time_zone="America/New_York",
            effective_from=date(2017, 8, 28),
            note="Incidents at third-party service providers count.",
        ),
        Rule(
            id="nydfs-500.17c",
            jurisdiction="US-NY",
            regime="NYDFS",
            citation="23 NYCRR 500.17(c)(1)",
            notifier="covered entity",
            recipient="NYDFS Superintendent",
            trigger="ransom_paid_at",
            value=24,
            unit=HOURS,
            applies=nydfs_ransom,
            confidence="B",
            time_zone="America/New_York",
            effective_from=date(2023, 12, 1),
        ),
        Rule(
            id="nydfs-500.17c-explanation",
            jurisdiction="US-NY",
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
            zone=ENTITY,
            effective_from=date(2023, 12, 1),
        ),
    ]


@dataclass(frozen=True)
class State:
    """One US state's consumer duty, its Attorney-General row and its vendor duty.

    ``ag`` is (threshold, strictly more, days, recipient) or None; ``vendor`` is the
    duty of a business maintaining data it does not own: a number of days, or the
    standard's words when the statute gives none.
    """

    code: str
    name: str
    citation: str
    days: int | None
    zone: str
    trigger: str = "discovered"
    confidence: str = "B"
    ag: tuple[int, bool, int, str] | None = None
    vendor: int | str = "immediately following discovery"
    vendor_confidence: str = "B"
    effective_from: date = ALWAYS
    note: str = ""


ET, CT, MT, PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
AG = "Attorney General"
US_STATES = (
    State(
        "US-AL",
        "Alabama",
        "Ala. Code 8-38-5",
        45,
        CT,
        "determined",
        ag=(1000, True, 45, AG),
        vendor=10,
    ),
    State(
        "US-AZ",
        "Arizona",
        "A.R.S. 18-552",
        45,
        "America/Phoenix",
        "determined",
        ag=(1000, True, 45, AG),
    ),
    State(
        "US-CA",
        "California",
        "Cal. Civ. Code 1798.82 (SB 446)",
        30,
        PT,
        confidence="A",
        vendor_confidence="C",
        effective_from=date(2026, 1, 1),
    ),
    State(
        "US-CO",
        "Colorado",
        "C.R.S. 6-1-716",
        30,
        MT,
        "determined",
        confidence="A",
        ag=(500, False, 30, AG),
    ),
    State(
        "US-CT",
        "Connecticut",
        "Conn. Gen. Stat. 36a-701b",
        60,
        ET,
        effective_from=date(2021, 10, 1),
        note="The Attorney General at the same time.",
    ),
    State("US-DE", "Delaware", "6 Del. C. 12B-102", 60, ET, "determined", ag=(500, True, 60, AG)),
    State(
        "US-FL",
        "Florida",
        "Fla. Stat. 501.171",
        30,
        ET,
        "determined",
        confidence="A",
        ag=(500, False, 30, "Department of Legal Affairs"),
        vendor=10,
        vendor_confidence="A",
        note="15 more days for good cause shown in writing.",
    ),
    State(
        "US-IN",
        "Indiana",
        "Ind. Code 24-4.9-3-3",
        45,
        "America/Indiana/Indianapolis",
        effective_from=date(2022, 7, 1),
    ),
    State("US-LA", "Louisiana", "La. R.S. 51:3074", 60, CT),
    State("US-MD", "Maryland", "Md. Code Com. Law 14-3504", 45, ET),
    State(
        "US-ME",
        "Maine",
        "10 M.R.S. 1348",
        30,
        ET,
        "assessed_or_aware",
        confidence="A",
        note="Runs once we are aware and the scope is identified.",
    ),
    State("US-NM", "New Mexico", "N.M. Stat. 57-12C-6", 45, MT, ag=(1000, True, 45, AG)),
    State(
        "US-NY",
        "New York",
        "N.Y. Gen. Bus. Law 899-aa",
        30,
        ET,
        confidence="A",
        vendor=IMMEDIATELY,
        vendor_confidence="A",
        effective_from=date(2024, 12, 21),
    ),
    State("US-OH", "Ohio", "Ohio Rev. Code 1349.19", 45, ET),
    State("US-OR", "Oregon", "ORS 646A.604", 45, PT, ag=(250, True, 45, AG)),
    State("US-RI", "Rhode Island", "R.I. Gen. Laws 11-49.3-4", 45, ET, ag=(500, True, 45, AG)),
    State("US-SD", "South Dakota", "SDCL 22-40-20", 60, CT, ag=(250, True, 60, AG)),
    State("US-TN", "Tennessee", "Tenn. Code 47-18-2107", 45, CT),
    State(
        "US-TX",
        "Texas",
        "Tex. Bus. & Com. Code 521.053",
        60,
        CT,
        "determined",
        confidence="A",
        vendor=IMMEDIATELY,
        vendor_confidence="A",
    ),
    State(
        "US-VT",
        "Vermont",
        "9 V.S.A. 2435",
        45,
        ET,
        confidence="A",
        vendor=IMMEDIATELY,
        vendor_confidence="A",
    ),
    State("US-WA", "Washington", "RCW 19.255.010", 30, PT, confidence="A", ag=(500, True, 30, AG)),
    State("US-WI", "Wisconsin", "Wis. Stat. 134.98", 45, CT),
)


def _state_rows(state: State) -> list[Rule]:
    slug = state.code.lower()
    common = {
        "jurisdiction": state.code,
        "regime": state.name,
        "time_zone": state.zone,
        "zone": ENTITY,
    }
    people = personal_in(state.code)
    rows = [
        Rule(
            id=slug,
            citation=state.citation,
            notifier="business",
            recipient=f"{state.name} residents",
            trigger=state.trigger,
            value=state.days,
            unit=CALENDAR_DAYS,
            applies=_all(controller, people),
            confidence=state.confidence,
            effective_from=state.effective_from,
            note=state.note,
            **common,
        )
    ]
    if state.ag:
        threshold, strictly_more, days, recipient = state.ag
        more = "more than" if strictly_more else "at least"
        rows.append(
            Rule(
                id=f"{slug}-ag",
                citation=state.citation,
                notifier="business",
                recipient=f"{state.name} {recipient}",
                trigger=state.trigger,
                value=days,
                unit=CALENDAR_DAYS,
                applies=_all(
                    controller, count_of({state.code}, threshold, strictly_more=strictly_more)
                ),
                confidence=state.confidence,
                effective_from=state.effective_from,
                note=f"Only when {more} {threshold:,} residents are affected.",
                **common,
            )
        )
    vendor_days = state.vendor if isinstance(state.vendor, int) else 0
    rows.append(
        Rule(
            id=f"{slug}-vendor",
            citation=state.citation,
            notifier="business maintaining data it does not own",
            recipient="The data owner or licensee",
            trigger="determined" if vendor_days else "discovered",
            value=vendor_days,
            unit=CALENDAR_DAYS if vendor_days else NONE,
            applies=_all(processor, people),
            confidence=state.vendor_confidence,
            standard="" if vendor_days else str(state.vendor),
            **common,
        )
    )
    return rows


def _us_state_extra_rows() -> list[Rule]:
    """Rows the state pattern does not cover: earlier versions, anchors on other notices."""
    return [
        _no_number(
            "us-ca-expedient",
            "US-CA",
            "California",
            "Cal. Civ. Code 1798.82 (before SB 446)",
            "California residents",
            "in the most expedient time possible",
            _all(controller, personal_in("US-CA")),
            notifier="business",
            trigger="discovered",
            time_zone=PT,
            zone=ENTITY,
            effective_to=date(2025, 12, 31),
        ),
        Rule(
            id="us-ca-ag",
            jurisdiction="US-CA",
            regime="California",
            citation="Cal. Civ. Code 1798.82(f)",
            notifier="business",
            recipient="California Attorney General (sample notice)",
            trigger="submitted:us-ca",
            value=15,
            unit=CALENDAR_DAYS,
            applies=_all(controller, count_of({"US-CA"}, 500, strictly_more=True)),
            confidence="A",
            time_zone=PT,
            zone=ENTITY,
            effective_from=date(2026, 1, 1),
            note="Only when more than 500 residents are affected.",
        ),
        _no_number(
            "us-ny-expedient",
            "US-NY",
            "New York",
            "N.Y. Gen. Bus. Law 899-aa (before 21 Dec 2024)",
            "New York residents",
            "in the most expedient time possible",
            _all(controller, personal_in("US-NY")),
            notifier="business",
            trigger="discovered",
            time_zone=ET,
            zone=ENTITY,
            effective_to=date(2024, 12, 20),
        ),
        Rule(
            id="us-ny-ag-hipaa",
            jurisdiction="US-NY",
            regime="New York",
            citation="N.Y. Gen. Bus. Law 899-aa(9)",
            notifier="HIPAA covered entity",
            recipient="New York Attorney General",
            trigger="submitted:hipaa-hhs",
            value=5,
            unit=BUSINESS_DAYS,
            applies=_all(hipaa("covered_entity"), personal_in("US-NY")),
            confidence="B",
            time_zone=ET,
            zone=ENTITY,
            calendar=("US", "NY"),
            note="Within 5 business days of notifying HHS.",
        ),
        Rule(
            id="us-la-ag",
            jurisdiction="US-LA",
            regime="Louisiana",
            citation="La. Admin. Code 16:III.701",
            notifier="business",
            recipient="Louisiana Attorney General",
            trigger="submitted:us-la",
            value=10,
            unit=CALENDAR_DAYS,
            applies=_all(controller, personal_in("US-LA")),
            confidence="B",
            time_zone=CT,
            zone=ENTITY,
            note="Within 10 days of the notice to residents.",
        ),
        *[
            Rule(
                id=rule_id,
                jurisdiction="US-TX",
                regime="Texas",
                citation="Tex. Bus. & Com. Code 521.053(i)",
                notifier="business",
                recipient="Texas Attorney General",
                trigger="determined",
                value=days,
                unit=CALENDAR_DAYS,
                applies=_all(controller, count_of({"US-TX"}, 250)),
                confidence="A",
                time_zone=CT,
                zone=ENTITY,
                effective_from=start,
                effective_to=end,
                note="Only when 250 or more Texas residents are affected.",
            )
            for rule_id, days, start, end in (
                ("us-tx-ag-2021", 60, date(2021, 9, 1), date(2023, 8, 31)),
                ("us-tx-ag", 30, date(2023, 9, 1), None),
            )
        ],
        Rule(
            id="us-vt-ag",
            jurisdiction="US-VT",
            regime="Vermont",
            citation="9 V.S.A. 2435(b)(3)",
            notifier="data collector",
            recipient="Vermont Attorney General (preliminary notice)",
            trigger="discovered",
            value=14,
            unit=BUSINESS_DAYS,
            applies=_all(controller, personal_in("US-VT")),
            confidence="A",
            time_zone=ET,
            zone=ENTITY,
            calendar=("US", "VT"),
            note="Or when residents are told, if that is sooner.",
        ),
        Rule(
            id="pr-daco",
            jurisdiction="US-PR",
            regime="Puerto Rico",
            citation="10 L.P.R.A. 4051–4055",
            notifier="entity",
            recipient="Department of Consumer Affairs (DACO)",
            trigger="discovered",
            value=10,
            unit=CALENDAR_DAYS,
            applies=_all(controller, lambda f: _personal(f, {"US-PR", "PR"})),
            confidence="C",
            time_zone="America/Puerto_Rico",
            zone=ENTITY,
        ),
    ]


RULES: tuple[Rule, ...] = (
    *_eu_rows(),
    *_uk_ch_rows(),
    *_canada_rows(),
    *_asia_pacific_rows(),
    *_us_federal_rows(),
    *[row for state in US_STATES for row in _state_rows(state)],
    *_us_state_extra_rows(),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
