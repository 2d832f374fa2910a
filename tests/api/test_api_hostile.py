"""The hostile corpus through the API's writable fields: never a 500, nothing saved with a 400.

The forms behind the API are the pages' own, which tests/hostile/ feeds with
every corpus value field by field; what the API adds is JSON. So here every
corpus value goes into one text field of each writable operation, and every
JSON shape a form field never sees from a browser (null, numbers, booleans,
lists, objects, huge integers) into every field. Each call runs in a savepoint
rolled back afterwards, so every value meets the same state.
"""

import pytest
from django.db import transaction

from incidents.models import Incident, TimelineEntry
from tests.api.conftest import client_with
from tests.hostile.corpus import GROUPS
from vendors.models import DataAsset, Engagement, Stakeholder, Vendor

pytestmark = pytest.mark.django_db

CORPUS = [value for values in GROUPS.values() for value in values]
JSON_SHAPES = [None, 0, -1, 2**63, 1.5, True, False, [], ["a", "b"], [None], {}, {"a": 1}, ""]

# (label, persona, method, url template, the text field fed the corpus, all fields)
OPERATIONS = [
    (
        "open",
        "commander",
        "post",
        "/api/v1/incidents/",
        "title",
        [
            "title",
            "vendors",
            "severity",
            "source",
            "discovered_at",
            "vendor_aware_at",
            "occurred_at",
            "summary",
            "commander",
            "restricted",
            "submission_token",
        ],
    ),
    (
        "note",
        "legal",
        "post",
        "/api/v1/incidents/{reference}/timeline/",
        "text",
        ["text", "occurred_at", "privileged", "submission_token"],
    ),
    (
        "met",
        "commander",
        "post",
        "/api/v1/incidents/{reference}/deadlines/{deadline_id}/met/",
        "reference",
        ["filed_at", "reference"],
    ),
    (
        "waive",
        "legal",
        "post",
        "/api/v1/incidents/{reference}/deadlines/{deadline_id}/waive/",
        "reason",
        ["reason"],
    ),
    (
        "vendor",
        "staff",
        "post",
        "/api/v1/vendors/",
        "name",
        [
            "name",
            "services",
            "tier",
            "status",
            "relationship_owner",
            "notify_us_within_hours",
            "jurisdictions",
        ],
    ),
    (
        "vendor-edit",
        "staff",
        "patch",
        "/api/v1/vendors/{vendor_slug}/",
        "services",
        ["name", "services", "tier", "jurisdictions"],
    ),
    (
        "asset",
        "staff",
        "post",
        "/api/v1/data-assets/",
        "name",
        [
            "name",
            "kind",
            "classification",
            "description",
            "approx_records",
            "personal_data",
            "subject_jurisdictions",
            "stakeholders",
        ],
    ),
    (
        "stakeholder",
        "staff",
        "post",
        "/api/v1/stakeholders/",
        "name",
        ["name", "kind", "notify_within_hours", "notes"],
    ),
    (
        "engagement",
        "staff",
        "post",
        "/api/v1/vendors/{vendor_slug}/engagements/",
        "name",
        ["name", "description", "owner", "status", "started_on", "ended_on", "data_assets"],
    ),
    (
        "engagement-edit",
        "staff",
        "patch",
        "/api/v1/engagements/{engagement_id}/",
        "description",
        ["name", "description", "started_on", "ended_on", "data_assets"],
    ),
]
COUNTED = [Incident, TimelineEntry, Vendor, DataAsset, Stakeholder, Engagement]


def _counts() -> list[int]:
    return [model.objects.count() for model in COUNTED]


def _send(client, method, url, body) -> tuple[int, bool]:
    """The status, and whether any row was added, with everything rolled back afterwards."""
    savepoint = transaction.savepoint_create()
    try:
        before = _counts()
        status = getattr(client, method)(url, body, format="json").status_code
        added = _counts() != before
    finally:
        transaction.savepoint_rollback(savepoint)
    return status, added


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op[0] for op in OPERATIONS])
def test_the_corpus_in_a_text_field_never_breaks_the_api(seeded_api, operation):
    label, persona, method, template, field, _fields = operation
    client = client_with(seeded_api.tokens[persona])
    url = template.format(**seeded_api.ids)
    wrong = []

    for value in CORPUS:
        status, added = _send(client, method, url, {field: value})
        if status >= 500 or (status == 400 and added):
            wrong.append(f"{label} {field}={value[:40]!r}: {status}, added={added}")

    assert wrong == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op[0] for op in OPERATIONS])
def test_json_values_of_any_shape_in_any_field_never_break_the_api(seeded_api, operation):
    label, persona, method, template, _field, fields = operation
    client = client_with(seeded_api.tokens[persona])
    url = template.format(**seeded_api.ids)
    wrong = []

    for field in fields:
        for value in JSON_SHAPES:
            status, added = _send(client, method, url, {field: value})
            if status >= 500 or (status == 400 and added):
                wrong.append(f"{label} {field}={value!r}: {status}, added={added}")

    assert wrong == []
