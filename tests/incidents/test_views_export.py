"""The JSON export carries the chain so anyone can check it with a SHA-256."""

import hashlib
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from breachdesk.models import User
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def _export(client, incident, **choices):
    response = client.post(
        reverse("incidents:timeline-export-json", kwargs={"reference": incident.reference}),
        choices,
    )
    return json.loads(b"".join(response.streaming_content))


def test_the_export_lists_entries_in_seq_order_with_body_and_hashes(client, incident, viewer):
    client.force_login(viewer)

    document = _export(client, incident)

    assert document["incident"] == incident.reference
    assert [e["body"]["seq"] for e in document["entries"]] == list(range(1, 5))
    first = document["entries"][0]
    assert set(first) == {"body", "prev_hash", "hash"}
    assert set(first["body"]) == {
        "seq",
        "incident",
        "occurred_at",
        "recorded_at",
        "actor",
        "kind",
        "summary",
        "data",
    }
    assert first["body"]["recorded_at"].endswith("Z")


def test_an_export_is_itself_recorded_on_the_timeline(client, incident, viewer):
    client.force_login(viewer)

    document = _export(client, incident)

    recorded = incident.timeline.get(seq=document["export_entry_seq"])
    covered = document["entries"][-1]
    assert (recorded.kind, recorded.actor_name, recorded.data) == (
        "export_made",
        "viewer",
        {
            "format": "json",
            "covers_seq": covered["body"]["seq"],
            "covers_hash": covered["hash"],
            "include_privileged": False,
        },
    )


def test_the_demo_export_rechecks_with_nothing_but_hashlib(client, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    client.force_login(User.objects.get(username="legal"))
    incident = Incident.objects.get()

    document = _export(client, incident)

    # The independent check: a few lines anyone could run on the export.
    prev = "0" * 64
    for entry in document["entries"]:
        canonical = json.dumps(
            entry["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert entry["prev_hash"] == prev
        assert hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest() == entry["hash"]
        prev = entry["hash"]
    assert len(document["entries"]) > 15
