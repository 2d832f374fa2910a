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
    EEA_ZONES,
    ENTITY,
    EU_AUTHORITY,
    GRADE_C,
    HOURS,
    MONTHS,
    NONE,
    RULES,
    Rule,
)

NOT_IN_FORCE = "not yet in force: shown because it is turned on"
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
    # A duty with no number in law: when we aim to have met it (Facts.internal_target_hours).
    target_at: datetime | None = None

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
            "target_at": _iso(self.target_at),
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


def zone_for(rule: Rule, facts: Facts) -> str:
    """The IANA zone the rule counts its days and months in.

    ``ENTITY`` rules (day-counted US rules) count the organisation's own calendar
    days (45 CFR 164.404(a)(2)); ``EU_AUTHORITY`` rules count in the Member State
    where we are established (Reg. 1182/71 Art. 3; DORA's "Member State of the
    reporting entity"); otherwise the rule's fixed zone.
    """
    if rule.zone == ENTITY and facts.time_zone:
        return facts.time_zone
    if rule.zone == EU_AUTHORITY and facts.established_in in EEA_ZONES:
        return EEA_ZONES[facts.established_in]
    return rule.time_zone


def _window(rule: Rule, facts: Facts) -> int:
    if rule.shorter_for and getattr(facts.entity, rule.shorter_for[0]):
        return rule.shorter_for[1]
    return rule.value


def _due(
    rule: Rule, start: datetime, facts: Facts, zone: str
) -> tuple[datetime | None, date | None, list[str]]:
    value = _window(rule, facts)
    if rule.unit == NONE:
        return None, None, []
    if rule.unit == HOURS:
        due = start + timedelta(hours=value)
        cap = rule.cap_hours_after_awareness
        if cap is not None and start <= facts.aware_at + timedelta(hours=cap):
            # DORA: 4 h after classification, but no later than 24 h after awareness.
            due = min(due, facts.aware_at + timedelta(hours=cap))
        return due, None, []
    if rule.unit == MONTHS:
        return calendars.plus_months(start, value, zone), None, []
    if rule.unit == CALENDAR_DAYS:
        flags = []
        if rule.yearly_log_below is not None:
            total = facts.total_affected()
            if total is not None and total < rule.yearly_log_below:
                last = calendars.end_of_calendar_year_plus_days(start, value, zone)
                return calendars.end_of(last, zone), last, []
            if total is None:
                flags.append(COUNT_UNKNOWN)
        days = value - 1 if rule.day_one_is_trigger else value
        last = calendars.plus_calendar_days(start, days, zone)
        if rule.next_open_day:
            country, subdiv = rule.calendar
            last = calendars.next_open_day(last, country, subdiv, rule.year_end_closure)
        return calendars.end_of(last, zone, rule.cutoff), last, flags
    if rule.unit == BUSINESS_DAYS:
        country, subdiv = rule.calendar
        last = calendars.plus_business_days(start, value, zone, country, subdiv)
        return calendars.end_of(last, zone, rule.cutoff), last, []
    raise ValueError(f"unknown unit {rule.unit!r} in rule {rule.id}")


def _in_force(rule: Rule, facts: Facts, start: datetime | None, zone: str) -> bool:
    """Whether the rule governs an incident whose trigger came at ``start``.

    Rules apply by the local date of their trigger (aware_at while the trigger is
    not yet known, or for later stages); an entity listed in ``phased`` starts
    later (e.g. SEC smaller reporting companies). Pending rules apply only when
    turned on, and then whatever the date, so that they can be planned for.
    """
    if rule.optional and rule.id not in facts.enabled_rules:
        return False
    if not rule.in_force:
        return True
    moment = facts.aware_at if start is None or rule.trigger.startswith("submitted:") else start
    day = calendars.local_date(moment, zone)
    begins = rule.effective_from
    for flag, later in rule.phased:
        if getattr(facts.entity, flag):
            begins = later
    return begins <= day and (rule.effective_to is None or day <= rule.effective_to)


def _rule_clock(rule: Rule, facts: Facts, computed: dict[str, Clock]) -> Clock | None:
    if rule.trigger.startswith("submitted:") and rule.trigger.split(":", 1)[1] not in computed:
        return None
    applicable = rule.applies(facts)
    if not applicable.applies:
        return None
    zone = zone_for(rule, facts)
    start = _start(rule, facts, computed)
    if not _in_force(rule, facts, start.at, zone):
        return None
    flags = [*applicable.flags, *start.flags]
    if rule.confidence == "C":
        flags.insert(0, GRADE_C)
    if not rule.in_force:
        flags.insert(0, NOT_IN_FORCE)
    due_at = due_date = target_at = None
    if start.at is not None:
        due_at, due_date, due_flags = _due(rule, start.at, facts, zone)
        flags.extend(due_flags)
        if rule.unit == NONE and facts.internal_target_hours:
            target_at = start.at + timedelta(hours=facts.internal_target_hours)
    else:
        flags.append(WAITING_FOR.get(start.fact, f"waiting for {start.fact}"))
    calendar = None
    if rule.calendar:
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
        time_zone=zone,
        standard=rule.window_text(_window(rule, facts)),
        citation=rule.citation,
        confidence=rule.confidence,
        flags=tuple(dict.fromkeys(flags)),
        calendar=calendar,
        submitted_at=facts.submitted.get(rule.id),
        note=rule.note,
        target_at=target_at,
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
    """Every clock the facts start, soonest first (a duty with no fixed time by its
    internal target); duties with neither last."""
    computed: dict[str, Clock] = {}
    for rule in RULES:
        clock = _rule_clock(rule, facts, computed)
        if clock is not None:
            computed[rule.id] = clock
    clocks = [*computed.values(), *_contract_clocks(facts), *_vendor_sla(facts)]
    far_future = datetime.max.replace(tzinfo=UTC)
    return sorted(
        clocks,
        key=lambda c: (
            (c.due_at or c.target_at) is None,
            c.due_at or c.target_at or far_future,
            c.rule,
        ),
    )
