"""From facts to clocks: a pure function, no database, no request."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from incidents.clocks import calendars
from incidents.clocks.facts import Facts
from incidents.clocks.rules import (
    BUSINESS_DAYS,
    CALENDAR_DAYS,
    COUNT_UNKNOWN,
    HOURS,
    MONTHS,
    NONE,
    RULES,
    Rule,
)

PROJECTED = "projected from the previous stage's deadline; filing it earlier moves this"
WAITING_FOR = {
    "materiality_determined_at": "waiting for the materiality determination",
    "classified_major_at": "waiting for classification as a major incident",
    "assessed_at": "waiting for the assessment to conclude",
}


@dataclass(frozen=True)
class Clock:
    rule: str
    regime: str
    recipient: str
    trigger: str
    starts_at: datetime | None
    due_at: datetime | None
    due_date: date | None
    time_zone: str
    standard: str
    citation: str
    confidence: str
    flags: tuple[str, ...] = ()
    calendar: dict[str, Any] | None = None
    submitted_at: datetime | None = None
    status: str | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "regime": self.regime,
            "recipient": self.recipient,
            "trigger": self.trigger,
            "starts_at": _iso(self.starts_at),
            "due_at": _iso(self.due_at),
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "time_zone": self.time_zone,
            "standard": self.standard,
            "citation": self.citation,
            "confidence": self.confidence,
            "flags": list(self.flags),
            "calendar": self.calendar,
            "submitted_at": _iso(self.submitted_at),
            "status": self.status,
            "note": self.note,
        }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class _Start:
    at: datetime | None
    fact: str
    flags: list[str] = field(default_factory=list)


def _start(rule: Rule, facts: Facts, computed: dict[str, Clock]) -> _Start:
    trigger = rule.trigger
    if trigger.startswith("submitted:"):
        previous = trigger.split(":", 1)[1]
        if previous in facts.submitted:
            return _Start(facts.submitted[previous], f"{previous} submitted")
        earlier = computed.get(previous)
        if earlier is None or earlier.due_at is None:
            return _Start(None, f"{previous} not yet due")
        return _Start(earlier.due_at, f"{previous} deadline", [PROJECTED])
    if trigger == "discovered":
        return _Start(facts.discovered, "discovered_at" if facts.discovered_at else "aware_at")
    if trigger == "determined":
        return _Start(facts.determined, "determined_at" if facts.determined_at else "aware_at")
    if trigger == "assessed_or_aware":
        if facts.assessed_at:
            return _Start(facts.assessed_at, "assessed_at")
        return _Start(
            facts.aware_at, "aware_at", ["scope not yet assessed: counted from awareness"]
        )
    return _Start(getattr(facts, trigger), trigger)


def _due(
    rule: Rule, start: datetime, facts: Facts
) -> tuple[datetime | None, date | None, list[str]]:
    if rule.unit == NONE:
        return None, None, []
    if rule.id == "dora-initial":
        return _dora_initial(start, facts), None, []
    if rule.id == "hipaa-hhs":
        total = facts.total_affected()
        if total is not None and total < 500:
            last = calendars.end_of_calendar_year_plus_days(start, 60, rule.time_zone)
            return calendars.end_of(last, rule.time_zone), last, []
        flags = [COUNT_UNKNOWN] if total is None else []
        last = calendars.plus_calendar_days(start, 60, rule.time_zone)
        return calendars.end_of(last, rule.time_zone), last, flags
    if rule.unit == HOURS:
        return start + timedelta(hours=rule.value), None, []
    if rule.unit == MONTHS:
        return calendars.plus_months(start, rule.value), None, []
    if rule.unit == CALENDAR_DAYS:
        last = calendars.plus_calendar_days(start, rule.value, rule.time_zone)
        return calendars.end_of(last, rule.time_zone, rule.cutoff), last, []
    if rule.unit == BUSINESS_DAYS:
        country, subdiv = rule.calendar
        last = calendars.plus_business_days(start, rule.value, rule.time_zone, country, subdiv)
        return calendars.end_of(last, rule.time_zone, rule.cutoff), last, []
    raise ValueError(f"unknown unit {rule.unit!r} in rule {rule.id}")


def _dora_initial(classified: datetime, facts: Facts) -> datetime:
    """4 h after classification, capped at 24 h after awareness unless classified later."""
    four_hours = classified + timedelta(hours=4)
    cap = facts.aware_at + timedelta(hours=24)
    if classified > cap:
        return four_hours
    return min(four_hours, cap)


def _rule_clock(rule: Rule, facts: Facts, computed: dict[str, Clock]) -> Clock | None:
    if facts.aware_at.date() < rule.effective_from:
        return None
    applicable = rule.applies(facts)
    if not applicable.applies:
        return None
    start = _start(rule, facts, computed)
    flags = [*applicable.flags, *start.flags]
    due_at = due_date = None
    if start.at is not None:
        due_at, due_date, due_flags = _due(rule, start.at, facts)
        flags.extend(due_flags)
    else:
        flags.append(WAITING_FOR.get(start.fact, f"waiting for {start.fact}"))
    calendar = None
    if rule.unit == BUSINESS_DAYS:
        country, subdiv = rule.calendar
        calendar = {
            "country": country,
            "subdiv": subdiv,
            "holidays_version": calendars.HOLIDAYS_VERSION,
        }
    return Clock(
        rule=rule.id,
        regime=rule.regime,
        recipient=rule.recipient,
        trigger=start.fact,
        starts_at=start.at,
        due_at=due_at,
        due_date=due_date,
        time_zone=rule.time_zone,
        standard=rule.standard_text,
        citation=rule.citation,
        confidence=rule.confidence,
        flags=tuple(dict.fromkeys(flags)),
        calendar=calendar,
        submitted_at=facts.submitted.get(rule.id),
        note=rule.note,
    )


def contract_rule_id(stakeholder_key: int | str) -> str:
    """The rule id of a partner's contractual clock: ``"contract:<stakeholder id>"``."""
    return f"contract:{stakeholder_key}"


def _contract_clocks(facts: Facts) -> list[Clock]:
    return [
        Clock(
            rule=contract_rule_id(window.key),
            regime="Contract",
            recipient=window.name,
            trigger="aware_at",
            starts_at=facts.aware_at,
            due_at=facts.aware_at + timedelta(hours=window.hours),
            due_date=None,
            time_zone="UTC",
            standard=f"{window.hours} hours",
            citation=f"Contract with {window.name}",
            confidence="A",
            submitted_at=facts.submitted.get(contract_rule_id(window.key)),
        )
        for window in facts.stakeholder_windows
    ]


def _vendor_sla(facts: Facts) -> list[Clock]:
    if facts.vendor_aware_at is None or not facts.vendor_window_hours:
        return []
    due = facts.vendor_aware_at + timedelta(hours=facts.vendor_window_hours)
    return [
        Clock(
            rule="vendor-sla",
            regime="Contract",
            recipient="Us (from the vendor)",
            trigger="vendor_aware_at",
            starts_at=facts.vendor_aware_at,
            due_at=due,
            due_date=None,
            time_zone="UTC",
            standard=f"{facts.vendor_window_hours} hours",
            citation="Vendor contract: breach notice to us",
            confidence="A",
            status="met" if facts.aware_at <= due else "missed",
            note="Met if we were aware by the due time.",
        )
    ]


def compute_clocks(facts: Facts) -> list[Clock]:
    """Every clock the facts start, soonest first; duties with no fixed time last."""
    computed: dict[str, Clock] = {}
    for rule in RULES:
        clock = _rule_clock(rule, facts, computed)
        if clock is not None:
            computed[rule.id] = clock
    clocks = [*computed.values(), *_contract_clocks(facts), *_vendor_sla(facts)]
    far_future = datetime.max.replace(tzinfo=UTC)
    return sorted(clocks, key=lambda c: (c.due_at is None, c.due_at or far_future, c.rule))
