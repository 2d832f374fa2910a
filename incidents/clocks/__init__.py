"""The regulatory and contractual clock engine: facts in, deadlines out.

Framework-free (no ORM, no request), so it can be tested table by table and
run from the command line: ``python manage.py clocks FACTS.json``.
"""

from incidents.clocks.engine import Clock, compute_clocks, contract_rule_id
from incidents.clocks.facts import Facts, FactsError, parse_facts
from incidents.clocks.rules import RULES, RULES_BY_ID

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Clock",
    "Facts",
    "FactsError",
    "compute_clocks",
    "contract_rule_id",
    "parse_facts",
]
