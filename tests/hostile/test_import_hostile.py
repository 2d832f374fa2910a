"""The CSV inventory import, fed the hostile corpus in every column and as the whole file.

Each (kind, column) is one test: a file with one row per corpus value in
that column (the other columns hold the kind's own example values, names
made distinct) is previewed; then the rows the import accepts are
previewed again and confirmed. Never a 500; a refused preview changes
nothing; no payload is rendered unescaped in the preview, the confirmation
or the list the import leads to.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.hostile.corpus import CORPUS, DANGEROUS_MARKUP
from tests.hostile.test_forms_hostile import fingerprint, seeded  # noqa: F401 (a fixture)
from vendors.imports import KINDS, read_import

pytestmark = pytest.mark.django_db

CASES = [(slug, column.name) for slug, kind in KINDS.items() for column in kind.columns]
# Columns that name the record: each row needs its own, or rows repeat one record.
NAMING = {"vendors": "name", "data-assets": "name", "engagements": "name"}


def _csv(slug: str, column: str, values: list[str]) -> bytes:
    kind = KINDS[slug]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(kind.header)
    for number, value in enumerate(values):
        row = {c.name: c.example for c in kind.columns}
        row[NAMING[slug]] = f"{row[NAMING[slug]]} hostile {number}"
        row[column] = value
        writer.writerow([row[name] for name in kind.header])
    return out.getvalue().encode()


def _upload(client, slug: str, data: bytes):
    upload = SimpleUploadedFile("hostile.csv", data, content_type="text/csv")
    return client.post(reverse("vendors:import"), {"kind": slug, "file": upload})


def _unescaped(response) -> list[str]:
    html = response.content.decode(errors="replace")
    return [payload for payload in DANGEROUS_MARKUP if payload in html]


@pytest.mark.parametrize(("slug", "column"), CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_hostile_value_in_import_column(client, seeded, slug, column):  # noqa: F811
    client.force_login(seeded.personas["staff"])
    before = fingerprint()

    everything = _upload(client, slug, _csv(slug, column, CORPUS))

    assert everything.status_code < 500
    assert _unescaped(everything) == []
    if everything.status_code >= 400:
        assert fingerprint() == before
    accepted = [
        row.values[column]
        for row in read_import(slug, _csv(slug, column, CORPUS)).rows
        if not row.errors
    ]
    if not accepted:
        return
    preview = _upload(client, slug, _csv(slug, column, accepted))
    assert preview.status_code == 200, preview.content.decode()[:2000]
    token = preview.context["token"]
    confirmed = client.post(reverse("vendors:import-confirm"), {"token": token})
    assert confirmed.status_code == 302
    assert _unescaped(client.get(confirmed["Location"])) == []


@pytest.mark.parametrize("slug", list(KINDS))
def test_hostile_whole_file(client, seeded, slug):  # noqa: F811
    """Each corpus value as the whole file, and as its header: refused in words, never a 500."""
    client.force_login(seeded.personas["staff"])
    before = fingerprint()
    faults = []

    for payload in CORPUS:
        for data in (payload.encode(), (payload + "\n" + payload).encode()):
            response = _upload(client, slug, data)
            if response.status_code >= 500 or _unescaped(response):
                faults.append(f"{payload[:40]!r}: {response.status_code}")

    assert faults == []
    assert fingerprint() == before
