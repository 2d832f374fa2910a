"""The facts a clock computation starts from, read strictly from JSON-like data.

Every time must carry its zone; every problem names its field, because a
wrong fact gives a wrong legal deadline without any other sign. Every field is
type- and range-checked here, so that the engine never meets a value it
cannot count with (a year near 9999, a window of 10^12 hours).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROLES = ("controller", "processor")
NIS2_TYPES = ("essential", "important")
HIPAA_ROLES = ("covered_entity", "business_associate")
# 17 CFR 248.30: the covered institution, or its service provider.
REG_SP_ROLES = ("covered_institution", "service_provider")
# 12 CFR 53.2: a banking organisation, or a bank service provider.
BANK_ROLES = ("banking_organization", "service_provider")
# 16 CFR 318.2: a vendor of personal health records, or its third-party service provider.
PHR_ROLES = ("vendor", "service_provider")
# CAC measures of 2025: any network operator; critical information infrastructure operators.
CHINA_NETWORK_ROLES = ("operator", "ciio")

TIME_FIELDS = (
    "aware_at",
    "vendor_aware_at",
    "discovered_at",
    "determined_at",
    "materiality_determined_at",
    "classified_major_at",
    "assessed_at",
    "ransom_paid_at",
)
# Decisions that can only be taken once we know of the incident.
AFTER_AWARENESS = (
    "determined_at",
    "materiality_determined_at",
    "classified_major_at",
    "assessed_at",
)
ENTITY_FLAGS = (
    "sec_registrant",
    "smaller_reporting_company",
    "dora_financial_entity",
    "nydfs_covered",
    "trust_service_provider",
    "telecom_provider",
    "cra_manufacturer",
    "uk_nis",
    "glba_financial_institution",
    "critical_infrastructure",
    "high_risk_ai_provider",
)
ENTITY_CHOICES = {
    "nis2": NIS2_TYPES,
    "hipaa": HIPAA_ROLES,
    "reg_sp": REG_SP_ROLES,
    "bank": BANK_ROLES,
    "phr": PHR_ROLES,
    "china_network": CHINA_NETWORK_ROLES,
}

# The range every time must fall in: wide enough for any real incident, narrow
# enough that adding a year of days or a month never leaves datetime's range.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)
# A contractual window longer than a leap year is not a notification window.
MAX_WINDOW_HOURS = 24 * 366
# More people than live on Earth is a typing error.
MAX_PEOPLE = 100_000_000_000
MAX_ID = 2**63 - 1
MAX_NAME = 200
MAX_LIST = 1000
CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9.:\-]{0,63}$")


class FactsError(ValueError):
    """Facts that cannot be used; ``field`` says which one."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Entity:
    """What kind of organisation we are: each field switches on one family of rules."""

    sec_registrant: bool = False
    smaller_reporting_company: bool = False
    nis2: str | None = None
    trust_service_provider: bool = False
    dora_financial_entity: bool = False
    hipaa: str | None = None
    nydfs_covered: bool = False
    telecom_provider: bool = False
    cra_manufacturer: bool = False
    uk_nis: bool = False
    reg_sp: str | None = None
    bank: str | None = None
    phr: str | None = None
    glba_financial_institution: bool = False
    china_network: str | None = None
    critical_infrastructure: bool = False
    high_risk_ai_provider: bool = False


@dataclass(frozen=True)
class StakeholderWindow:
    """A partner's contractual window. ``key`` names its clock: the stakeholder's id, never
    its name (a name is free text of any length, and can change)."""

    name: str
    hours: int
    key: str


@dataclass(frozen=True)
class Facts:
    aware_at: datetime
    vendor_aware_at: datetime | None = None
    discovered_at: datetime | None = None
    determined_at: datetime | None = None
    materiality_determined_at: datetime | None = None
    classified_major_at: datetime | None = None
    assessed_at: datetime | None = None
    ransom_paid_at: datetime | None = None
    role: str = "controller"
    entity: Entity = field(default_factory=Entity)
    # GDPR Art. 3(1): where we are established (ISO 3166-1 alpha-2), or None.
    established_in: str | None = None
    # The organisation's IANA zone: day-counted US rules count its calendar days.
    time_zone: str | None = None
    # Grade C and not-yet-in-force rule ids that the organisation turned on.
    enabled_rules: frozenset[str] = frozenset()
    # Hours after the trigger by which we aim to meet a duty with no number in law.
    internal_target_hours: int | None = None
    personal_data: bool | None = None
    high_risk: bool | None = None
    significant_incident: bool | None = None
    phi: bool | None = None
    affected: dict[str, int | None] = field(default_factory=dict)
    stakeholder_windows: tuple[StakeholderWindow, ...] = ()
    vendor_window_hours: int | None = None
    submitted: dict[str, datetime] = field(default_factory=dict)

    @property
    def discovered(self) -> datetime:
        return self.discovered_at or self.aware_at

    @property
    def determined(self) -> datetime:
        return self.determined_at or self.aware_at

    def count(self, code: str) -> int | None:
        """People affected in one jurisdiction; None when not known."""
        return self.affected.get(code)

    def total_affected(self) -> int | None:
        """Everyone affected, or None if any count (or the whole list) is unknown."""
        if not self.affected or any(n is None for n in self.affected.values()):
            return None
        return sum(self.affected.values())


def parse_time(raw: Any, name: str) -> datetime | None:
    """An ISO 8601 instant with its zone (``Z`` or ``z`` for UTC), as UTC; None stays None.

    Raises FactsError naming ``name`` for anything else, or for a time outside
    1970–2199 (no incident is dated there, and the deadlines must stay countable).
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise FactsError(name, "must be an ISO 8601 date and time with its zone, as text")
    text = raw.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FactsError(name, f"“{raw[:40]}” is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise FactsError(name, f"“{raw[:40]}” has no time zone; add one, e.g. Z or +01:00")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise FactsError(name, f"“{raw[:40]}” is out of range") from None
    if not EARLIEST <= moment <= LATEST:
        raise FactsError(name, "must be between 1970 and 2199")
    return moment


def _bool(data: dict[str, Any], name: str, label: str | None = None) -> bool | None:
    value = data.get(name)
    if value is not None and not isinstance(value, bool):
        raise FactsError(label or name, "must be true, false or null")
    return value


def _choice(data: dict[str, Any], name: str, allowed: tuple[str, ...], label: str | None = None):
    value = data.get(name)
    if value is not None and (not isinstance(value, str) or value not in allowed):
        shown = value if isinstance(value, str) else type(value).__name__
        raise FactsError(label or name, f"“{str(shown)[:40]}” is not one of: {', '.join(allowed)}")
    return value


def _whole(name: str, value: Any, maximum: int, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FactsError(name, f"must be a whole number of {what}")
    if value < 0:
        raise FactsError(name, f"cannot be negative ({value})")
    if value > maximum:
        raise FactsError(name, f"cannot be more than {maximum:,} {what}")
    return value


def _count(name: str, value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise FactsError(name, "must be a whole number of people, or null when unknown")
    return _whole(name, value, MAX_PEOPLE, "people")


def _object(data: dict[str, Any], name: str, message: str) -> dict[str, Any]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FactsError(name, message)
    return value


def _list(data: dict[str, Any], name: str, message: str) -> list[Any]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactsError(name, message)
    if len(value) > MAX_LIST:
        raise FactsError(name, f"has more than {MAX_LIST} entries")
    return value


def _entity(data: dict[str, Any]) -> Entity:
    entity_data = _object(data, "entity", "must be an object")
    flags = {name: bool(_bool(entity_data, name, f"entity.{name}")) for name in ENTITY_FLAGS}
    choices = {
        name: _choice(entity_data, name, allowed, f"entity.{name}")
        for name, allowed in ENTITY_CHOICES.items()
    }
    return Entity(**flags, **choices)


def _code(value: Any, name: str, unknown_codes) -> str:
    if not isinstance(value, str) or not CODE.match(value):
        raise FactsError(name, "must be a jurisdiction code such as DE or US-CA")
    if unknown_codes and unknown_codes([value]):
        raise FactsError(name, f"unknown jurisdiction code: {value}")
    return value


def _zone(data: dict[str, Any]) -> str | None:
    value = data.get("time_zone")
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 64:
        raise FactsError("time_zone", "must be an IANA time zone name such as America/Chicago")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise FactsError("time_zone", f"“{value}” is not an IANA time zone name") from None
    return value


def _target(data: dict[str, Any]) -> int | None:
    hours = _whole(
        "internal_target_hours", data.get("internal_target_hours"), MAX_WINDOW_HOURS, "hours"
    )
    if hours == 0:
        raise FactsError("internal_target_hours", "must be at least 1")
    return hours


def _windows(data: dict[str, Any]) -> tuple[StakeholderWindow, ...]:
    windows = []
    raw = _list(data, "stakeholder_windows", "must be a list of {name, hours, id} objects")
    for index, window in enumerate(raw):
        label = f"stakeholder_windows[{index}]"
        if not isinstance(window, dict) or not window.get("name"):
            raise FactsError(label, "needs a name and hours")
        if not isinstance(window["name"], str) or len(window["name"]) > MAX_NAME:
            raise FactsError(f"{label}.name", f"must be text of at most {MAX_NAME} characters")
        hours = _whole(f"{label}.hours", window.get("hours"), MAX_WINDOW_HOURS, "hours")
        if not hours:
            raise FactsError(f"{label}.hours", "must be at least 1")
        key = window.get("id", index + 1)
        if isinstance(key, bool) or not isinstance(key, int) or not 1 <= key <= MAX_ID:
            raise FactsError(f"{label}.id", "must be a positive whole number")
        windows.append(StakeholderWindow(window["name"], hours, str(key)))
    return tuple(windows)


def parse_facts(
    data: Any,
    *,
    unknown_codes: Callable[[list[str]], list[str]] | None = None,
) -> Facts:
    """The facts record from JSON-like ``data``; FactsError names the first bad field.

    ``unknown_codes`` (codes → those it does not know) checks the jurisdiction
    codes; the engine knows no list of its own, so that it depends on nothing
    but the standard library and its calendar packages. Callers pass
    ``vendors.jurisdictions.unknown_codes``. ``enabled_rules`` must name
    rules of the table (``incidents.clocks.rules.RULES_BY_ID``).
    """
    # Imported here: the rule table reads Facts, so it cannot be imported first.
    from incidents.clocks.rules import RULES_BY_ID

    if not isinstance(data, dict):
        raise FactsError("facts", "must be a JSON object")
    times = {name: parse_time(data.get(name), name) for name in TIME_FIELDS}
    if times["aware_at"] is None:
        raise FactsError("aware_at", "is required: when we became aware")
    for name in AFTER_AWARENESS:
        if times[name] and times[name] < times["aware_at"]:
            raise FactsError(name, "cannot be before we became aware (aware_at)")

    affected_data = _object(data, "affected", "must map jurisdiction codes to numbers of people")
    if len(affected_data) > MAX_LIST:
        raise FactsError("affected", f"has more than {MAX_LIST} jurisdictions")
    affected = {
        _code(code, "affected", None): _count(f"affected.{code}", n)
        for code, n in affected_data.items()
    }
    unknown = unknown_codes(list(affected)) if unknown_codes else []
    if unknown:
        raise FactsError("affected", f"unknown jurisdiction code(s): {', '.join(unknown)}")

    established_in = data.get("established_in")
    if established_in is not None:
        established_in = _code(established_in, "established_in", unknown_codes)

    enabled = _list(data, "enabled_rules", "must be a list of rule ids")
    for index, rule_id in enumerate(enabled):
        if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
            raise FactsError(f"enabled_rules[{index}]", "must be a rule id such as circia-incident")
    unknown_rules = [rule_id for rule_id in enabled if rule_id not in RULES_BY_ID]
    if unknown_rules:
        raise FactsError("enabled_rules", f"unknown rule id(s): {', '.join(unknown_rules)}")

    submitted_data = _object(data, "submitted", "must map rule ids to filing times")
    if len(submitted_data) > MAX_LIST:
        raise FactsError("submitted", f"has more than {MAX_LIST} entries")
    submitted = {
        rule: parse_time(value, f"submitted.{rule[:64]}") for rule, value in submitted_data.items()
    }
    submitted = {rule: moment for rule, moment in submitted.items() if moment is not None}

    return Facts(
        **times,
        role=_choice(data, "role", ROLES) or "controller",
        entity=_entity(data),
        established_in=established_in,
        time_zone=_zone(data),
        enabled_rules=frozenset(enabled),
        personal_data=_bool(data, "personal_data"),
        high_risk=_bool(data, "high_risk"),
        significant_incident=_bool(data, "significant_incident"),
        phi=_bool(data, "phi"),
        affected=affected,
        stakeholder_windows=_windows(data),
        vendor_window_hours=_whole(
            "vendor_window_hours", data.get("vendor_window_hours"), MAX_WINDOW_HOURS, "hours"
        ),
        internal_target_hours=_target(data),
        submitted=submitted,
    )
