import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from incidents.chain import GENESIS_HASH, canonical, chain_hash, iso_utc, make_body


def _body(**overrides):
    fields = {
        "seq": 1,
        "incident": "INC-2026-0001",
        "occurred_at": datetime(2026, 11, 25, 8, 40, tzinfo=UTC),
        "recorded_at": datetime(2026, 11, 25, 9, 5, 12, 345678, tzinfo=UTC),
        "actor": "commander",
        "kind": "note_added",
        "summary": "Müller confirmed – “bucket” accessed",
        "data": {"privileged": False},
        **overrides,
    }
    return make_body(**fields)


def test_times_are_iso_8601_utc_with_z():
    berlin = timezone(timedelta(hours=1))

    assert iso_utc(datetime(2026, 11, 25, 9, 40, tzinfo=berlin)) == "2026-11-25T08:40:00.000000Z"


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        iso_utc(datetime(2026, 11, 25, 9, 40))


def test_canonical_form_is_sorted_compact_utf8():
    assert canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_hash_is_sha256_of_previous_hash_and_canonical_body():
    body = _body()
    expected = hashlib.sha256(
        (
            GENESIS_HASH
            + json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        ).encode("utf-8")
    ).hexdigest()

    assert chain_hash(GENESIS_HASH, body) == expected


def test_any_change_to_the_body_changes_the_hash():
    assert chain_hash(GENESIS_HASH, _body()) != chain_hash(GENESIS_HASH, _body(summary="edited"))


def test_genesis_is_64_zeros():
    assert GENESIS_HASH == "0" * 64
