"""The clock engine's rule table, as the rule list shows it. No database query."""

from dataclasses import dataclass

from incidents.clocks import RULES
from incidents.clocks.rules import Rule
from vendors.jurisdictions import jurisdictions

# Jurisdictions of rules that span several codes.
GROUP_NAMES = {"EU": "European Union (and EEA)"}


@dataclass(frozen=True)
class RuleRow:
    rule: Rule
    jurisdiction_name: str


def _name(code: str) -> str:
    return GROUP_NAMES.get(code) or jurisdictions().get(code, code)


def clock_rule_jurisdictions() -> list[tuple[str, str]]:
    """(code, name) of every jurisdiction with a rule: the rule list's filter and groups.

    Countries by name, each followed by its states or provinces (``US-CA`` after ``US``).
    """
    codes = {rule.jurisdiction for rule in RULES}
    ordered = sorted(codes, key=lambda code: (_name(code.split("-")[0]), "-" in code, _name(code)))
    return [(code, _name(code)) for code in ordered]


def clock_rules(*, jurisdiction: str = "") -> list[RuleRow]:
    """Every rule, or those of one jurisdiction code (``US`` also lists its states, ``CA``
    its provinces), grouped by jurisdiction name in table order."""
    names = dict(clock_rule_jurisdictions())
    rows = [
        RuleRow(rule, names[rule.jurisdiction])
        for rule in RULES
        if not jurisdiction
        or rule.jurisdiction == jurisdiction
        or rule.jurisdiction.startswith(f"{jurisdiction}-")
    ]
    order = {name: index for index, (_code, name) in enumerate(clock_rule_jurisdictions())}
    return sorted(rows, key=lambda row: order[row.jurisdiction_name])
