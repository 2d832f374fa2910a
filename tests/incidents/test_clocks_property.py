"""``manage.py clocks`` never prints a traceback: every JSON input ends in clocks or a
named error (issue 12, kind 4). Hypothesis draws facts from the facts schema, each
field either well-formed, near its limits, or of the wrong type."""

import io
import json
import tempfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.clocks.facts import ENTITY_CHOICES, ENTITY_FLAGS, TIME_FIELDS
from incidents.clocks.rules import RULES

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
ZONES = st.sampled_from(["Z", "z", "+00:00", "-05:00", "+14:00", "-12:00", ""])
TIMES = st.builds(
    lambda moment, zone: moment.replace(tzinfo=None).isoformat() + zone,
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    ZONES,
) | st.builds(
    lambda hours: (datetime(2026, 11, 25, tzinfo=UTC) + timedelta(hours=hours)).isoformat(),
    st.integers(-48, 48),
)
NUMBERS = st.integers(min_value=-(10**13), max_value=10**13) | st.sampled_from([0, 1, 8784, 8785])
CODES = st.sampled_from(
    [
        "DE",
        "FR",
        "GB",
        "CH",
        "US-CA",
        "US-NY",
        "US-TX",
        "JP",
        "BR",
        "SG",
        "KR",
        "CN",
        "IN",
        "AU",
        "CA-QC",
        "US-PR",
        "XX",
        "de",
        "",
    ]
)
RULE_IDS = st.sampled_from([rule.id for rule in RULES] + ["nope", ""])


def field(valid):
    return st.one_of(valid, JSON)


FACTS = st.fixed_dictionaries(
    {"aware_at": field(TIMES)},
    optional={
        **{name: field(TIMES) for name in TIME_FIELDS if name != "aware_at"},
        "role": field(st.sampled_from(["controller", "processor", "owner"])),
        "entity": field(
            st.fixed_dictionaries(
                {},
                optional={
                    **{name: field(st.booleans()) for name in ENTITY_FLAGS},
                    **{
                        name: field(st.sampled_from(allowed))
                        for name, allowed in ENTITY_CHOICES.items()
                    },
                },
            )
        ),
        "established_in": field(CODES),
        "time_zone": field(st.sampled_from(["America/Chicago", "Asia/Tokyo", "Nowhere", "UTC"])),
        "enabled_rules": field(st.lists(field(RULE_IDS), max_size=4)),
        "personal_data": field(st.booleans()),
        "high_risk": field(st.booleans()),
        "significant_incident": field(st.booleans()),
        "phi": field(st.booleans()),
        "affected": field(st.dictionaries(CODES, field(NUMBERS | st.none()), max_size=4)),
        "stakeholder_windows": field(
            st.lists(
                field(
                    st.fixed_dictionaries(
                        {"name": field(st.text(min_size=1, max_size=10)), "hours": field(NUMBERS)},
                        optional={"id": field(NUMBERS)},
                    )
                ),
                max_size=3,
            )
        ),
        "vendor_window_hours": field(NUMBERS),
        "internal_target_hours": field(NUMBERS),
        "submitted": field(st.dictionaries(RULE_IDS, field(TIMES), max_size=3)),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=FACTS)
def test_every_facts_input_ends_in_clocks_or_a_named_error(facts):
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        json.dump(facts, file)
        file.flush()
        out = io.StringIO()
        try:
            call_command("clocks", file.name, stdout=out)
        except CommandError as exc:
            assert str(exc).startswith("Bad facts: ")
            named = str(exc).removeprefix("Bad facts: ").split(":")[0]
            assert named.split(".")[0].split("[")[0] in {"facts", *FACTS_FIELDS}
        else:
            assert isinstance(json.loads(out.getvalue()), list)


FACTS_FIELDS = {
    *TIME_FIELDS,
    "role",
    "entity",
    "established_in",
    "time_zone",
    "enabled_rules",
    "personal_data",
    "high_risk",
    "significant_incident",
    "phi",
    "affected",
    "stakeholder_windows",
    "vendor_window_hours",
    "internal_target_hours",
    "submitted",
}


def test_input_that_is_not_utf8_is_a_named_error(tmp_path):
    path = tmp_path / "facts.json"
    path.write_bytes(b'{"aware_at": "\xff"}')

    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("clocks", str(path), stdout=io.StringIO())


def test_json_nested_too_deeply_is_a_named_error(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text("[" * 100_000 + "]" * 100_000)

    with pytest.raises(CommandError, match="nests too deeply"):
        call_command("clocks", str(path), stdout=io.StringIO())
