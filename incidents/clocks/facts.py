"""The facts a clock computation starts from, read strictly from JSON-like data.

Every time must carry its zone; every problem names its field, because a
wrong fact gives a wrong legal deadline without any other sign.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ROLES = ("controller", "processor")
NIS2_TYPES = ("essential", "important")
HIPAA_ROLES = ("covered_entity", "business_associate")

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
AFTER_AWARENESS = ("materiality_determined_at", "classified_major_at", "assessed_at")


class FactsError(ValueError):
    """Facts that cannot be used; ``field`` says which one."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Entity:
    sec_registrant: bool = False
    nis2: str | None = None
    dora_financial_entity: bool = False
    hipaa: str | None = None
    nydfs_covered: bool = False


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


def _time(data: dict[str, Any], name: str) -> datetime | None:
    raw = data.get(name)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise FactsError(name, "must be an ISO 8601 date and time with its zone, as text")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise FactsError(name, f"“{raw}” is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise FactsError(name, f"“{raw}” has no time zone; add one, e.g. Z or +01:00")
    return moment.astimezone(UTC)


def _bool(data: dict[str, Any], name: str) -> bool | None:
    value = data.get(name)
    if value is not None and not isinstance(value, bool):
        raise FactsError(name, "must be true, false or null")
    return value


def _choice(data: dict[str, Any], name: str, allowed: tuple[str, ...], default=None):
    value = data.get(name, default)
    if value is not None and value not in allowed:
        raise FactsError(name, f"“{value}” is not one of: {', '.join(allowed)}")
    return value


def _count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FactsError(name, "must be a whole number of people, or null when unknown")
    if value < 0:
        raise FactsError(name, f"cannot be negative ({value})")
    return value


def parse_facts(
    data: Any, *, unknown_codes: Callable[[list[str]], list[str]] | None = None
) -> Facts:
    """The facts record from JSON-like ``data``; FactsError names the first bad field.

    ``unknown_codes`` (codes → those it does not know) checks the jurisdiction
    codes; the engine knows no list of its own, so that it depends on nothing
    but the standard library and its calendar packages. Callers pass
    ``vendors.jurisdictions.unknown_codes``.
    """
    if not isinstance(data, dict):
        raise FactsError("facts", "must be a JSON object")
    times = {name: _time(data, name) for name in TIME_FIELDS}
    if times["aware_at"] is None:
        raise FactsError("aware_at", "is required: when we became aware")
    for name in AFTER_AWARENESS:
        if times[name] and times[name] < times["aware_at"]:
            raise FactsError(name, "cannot be before we became aware (aware_at)")

    entity_data = data.get("entity") or {}
    if not isinstance(entity_data, dict):
        raise FactsError("entity", "must be an object")
    entity = Entity(
        sec_registrant=bool(_bool(entity_data, "sec_registrant")),
        nis2=_choice(entity_data, "nis2", NIS2_TYPES),
        dora_financial_entity=bool(_bool(entity_data, "dora_financial_entity")),
        hipaa=_choice(entity_data, "hipaa", HIPAA_ROLES),
        nydfs_covered=bool(_bool(entity_data, "nydfs_covered")),
    )

    affected_data = data.get("affected") or {}
    if not isinstance(affected_data, dict):
        raise FactsError("affected", "must map jurisdiction codes to numbers of people")
    unknown = unknown_codes([str(code) for code in affected_data]) if unknown_codes else []
    if unknown:
        raise FactsError("affected", f"unknown jurisdiction code(s): {', '.join(unknown)}")
    affected = {code: _count(f"affected.{code}", n) for code, n in affected_data.items()}

    windows = []
    for index, window in enumerate(data.get("stakeholder_windows") or []):
        if not isinstance(window, dict) or not window.get("name"):
            raise FactsError(f"stakeholder_windows[{index}]", "needs a name and hours")
        hours = _count(f"stakeholder_windows[{index}].hours", window.get("hours"))
        if not hours:
            raise FactsError(f"stakeholder_windows[{index}].hours", "must be at least 1")
        key = window.get("id", index + 1)
        if isinstance(key, bool) or not isinstance(key, int) or key < 1:
            raise FactsError(f"stakeholder_windows[{index}].id", "must be a positive whole number")
        windows.append(StakeholderWindow(str(window["name"]), hours, str(key)))

    vendor_window = _count("vendor_window_hours", data.get("vendor_window_hours"))
    submitted_data = data.get("submitted") or {}
    if not isinstance(submitted_data, dict):
        raise FactsError("submitted", "must map rule ids to filing times")
    submitted = {
        rule: _time({f"submitted.{rule}": value}, f"submitted.{rule}")
        for rule, value in submitted_data.items()
    }

    return Facts(
        **times,
        role=_choice(data, "role", ROLES, default="controller") or "controller",
        entity=entity,
        personal_data=_bool(data, "personal_data"),
        high_risk=_bool(data, "high_risk"),
        significant_incident=_bool(data, "significant_incident"),
        phi=_bool(data, "phi"),
        affected=affected,
        stakeholder_windows=tuple(windows),
        vendor_window_hours=vendor_window,
        submitted=submitted,
    )
