"""Time the pages that must stay fast, in a throwaway database: ``make bench``.

Each scenario is one request, made several times by a signed-in user through
Django's test client. The command builds its own data in a database made for
the run by Django's test-database machinery (``test-<pid>.sqlite3`` under
DATA_DIR, or ``test_<name>`` on PostgreSQL) and drops it at the end, so the
developer's own database is never read or written.

It prints a table and writes ``var/bench.json``: one row per scenario with
exactly the keys ``page``, ``user``, ``p50_ms``, ``p95_ms``, ``queries`` and
``x_floor`` (p50 as a multiple of the floor: the cheapest signed-in page,
measured in the same run, so that figures from slower or faster machines can
be compared). Scenarios with a target say PASS or FAIL against it, and any
FAIL makes the command exit non-zero. Targets are checked here and only here:
a timed unit test would fail on a busy machine for no fault of the code.

To measure another page or user, add a ``Scenario`` to ``SCENARIOS``.
"""

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment, teardown_test_environment
from django.urls import reverse

from breachdesk.demo import seed_demo_users
from breachdesk.models import User
from breachdesk.roles import ensure_roles
from vendors.demo import seed_demo_inventory
from vendors.imports import KINDS, MAX_IMPORT_ROWS
from vendors.models import DataAsset, Engagement, Stakeholder, Vendor

# Bench rows are named with this prefix, so that a scenario can remove what it added.
PREFIX = "Bench"
# Vendors and data assets that the engagement file names.
BASE_VENDORS = 250
BASE_ASSETS = 250


@dataclass(frozen=True)
class Scenario:
    """One request to time.

    ``prepare`` runs untimed before each request and returns the data it
    sends (an upload, or a fresh preview's token); ``reset`` runs untimed
    after it and puts the database back, so that every repetition measures
    the same work. ``target_ms`` is the p50 the scenario must stay under.
    """

    page: str
    user: str
    method: str
    url: Callable[[], str]
    prepare: Callable[[Client], dict] = lambda client: {}
    reset: Callable[[], None] = lambda: None
    expect_status: int = 200
    target_ms: float | None = None
    floor: bool = False


@dataclass
class Result:
    scenario: Scenario
    timings_ms: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95_ms(self) -> float:
        if len(self.timings_ms) < 2:
            return self.timings_ms[0]
        return statistics.quantiles(self.timings_ms, n=20, method="inclusive")[18]


# --- the data ---------------------------------------------------------------------------


def build_data() -> None:
    """Roles, the demo people and inventory, and the vendors and assets the files name."""
    ensure_roles()
    seed_demo_users()
    seed_demo_inventory(owner=User.objects.get(username="commander"))
    Vendor.objects.bulk_create(
        Vendor(name=f"Base vendor {n:04}", slug=f"base-vendor-{n:04}", jurisdictions=["IE"])
        for n in range(BASE_VENDORS)
    )
    DataAsset.objects.bulk_create(
        DataAsset(name=f"Base asset {n:04}", slug=f"base-asset-{n:04}") for n in range(BASE_ASSETS)
    )


def _csv(kind: str, rows) -> bytes:
    header = ",".join(KINDS[kind].header)
    return ("\n".join([header, *rows]) + "\n").encode()


def vendors_file() -> bytes:
    return _csv(
        "vendors",
        (
            f"{PREFIX} vendor {n:05},Training-data labelling,critical,active,commander,24,"
            f'"IE; US-CA",Dana Ruiz,security-{n:05}@vendor.example'
            for n in range(MAX_IMPORT_ROWS)
        ),
    )


def data_assets_file() -> bytes:
    stakeholders = "; ".join(
        Stakeholder.objects.order_by("name").values_list("name", flat=True)[:2]
    )
    return _csv(
        "data-assets",
        (
            f"{PREFIX} asset {n:05},dataset,restricted,Data partnerships,120000,yes,no,yes,no,"
            f'"DE; FR","{stakeholders}",Clinical notes for labelling'
            for n in range(MAX_IMPORT_ROWS)
        ),
    )


def engagements_file() -> bytes:
    return _csv(
        "engagements",
        (
            f"Base vendor {n % BASE_VENDORS:04},{PREFIX} engagement {n:05},Labelling,commander,"
            f"active,2026-01-15,,Base asset {n % BASE_ASSETS:04}; "
            f"Base asset {(n + 1) % BASE_ASSETS:04},key: upload token {n}"
            for n in range(MAX_IMPORT_ROWS)
        ),
    )


FILES = {"vendors": vendors_file, "data-assets": data_assets_file, "engagements": engagements_file}


def _upload(kind: str) -> dict:
    data = FILES[kind]()
    return {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", data, "text/csv")}


def _previewed(kind: str) -> Callable[[Client], dict]:
    """An untimed preview, whose token the timed confirmation then posts."""

    def prepare(client: Client) -> dict:
        response = client.post(reverse("vendors:import"), _upload(kind))
        if response.status_code != 200:
            raise CommandError(f"The {kind} preview failed with {response.status_code}.")
        return {"token": response.context["token"]}

    return prepare


def _remove_added() -> None:
    Engagement.objects.filter(name__startswith=PREFIX).delete()
    DataAsset.objects.filter(name__startswith=PREFIX).delete()
    Vendor.objects.filter(name__startswith=PREFIX).delete()


# --- the scenarios ------------------------------------------------------------------------

# The targets for a file of MAX_IMPORT_ROWS rows.
PREVIEW_TARGET_MS = 5_000
CONFIRM_TARGET_MS = 10_000


def _import_scenarios(kind: str, label: str) -> list[Scenario]:
    rows = f"{MAX_IMPORT_ROWS:,} {label}"
    return [
        Scenario(
            page=f"POST /vendors/import/ preview, {rows}",
            user="commander",
            method="post",
            url=lambda: reverse("vendors:import"),
            prepare=lambda client: _upload(kind),
            target_ms=PREVIEW_TARGET_MS,
        ),
        Scenario(
            page=f"POST /vendors/import/confirm/, {rows}",
            user="commander",
            method="post",
            url=lambda: reverse("vendors:import-confirm"),
            prepare=_previewed(kind),
            reset=_remove_added,
            expect_status=302,
            target_ms=CONFIRM_TARGET_MS,
        ),
    ]


SCENARIOS: list[Scenario] = [
    Scenario(page="GET / (dashboard)", user="commander", method="get", url=lambda: "/", floor=True),
    *_import_scenarios("vendors", "vendor rows"),
    *_import_scenarios("data-assets", "data-asset rows"),
    *_import_scenarios("engagements", "engagement rows"),
]


# --- timeline exports (issue 13) -------------------------------------------------------------

EXPORT_ENTRIES = 5_000
# The target for JSON and CSV exports of EXPORT_ENTRIES entries.
EXPORT_TARGET_MS = 1_000


def timeline_export_results(repeat: int, only: str) -> list[Result]:
    """JSON and CSV export of an incident with 5,000 entries, the stream read to its end.

    Self-contained: it opens its own incident and chains the entries in bulk
    with the project's chain functions (one note each), then times the POST
    plus reading the whole streamed body, which ``measure`` would not do.
    """
    from datetime import timedelta

    from django.utils import timezone

    from incidents import services
    from incidents.chain import chain_hash, make_body
    from incidents.models import TimelineEntry

    formats = [f for f in ("json", "csv") if only.lower() in f"export.{f}, 5,000 entries"]
    if not formats:
        return []
    commander = User.objects.get(username="commander")
    incident = services.incident_open(
        actor=commander,
        title=f"{PREFIX} long timeline",
        vendors=[Vendor.objects.order_by("pk").first()],
        source="press_report",
        discovered_at=timezone.now() - timedelta(days=30),
    )
    last = incident.timeline.order_by("-seq").first()
    seq, prev_hash, entries = last.seq, last.hash, []
    for n in range(EXPORT_ENTRIES - last.seq):
        seq += 1
        moment = timezone.now()
        summary = f"Vendor call {n}: 48,000 records under review; =cmd|' /C calc'!A0"
        body = make_body(
            seq=seq,
            incident=incident.reference,
            occurred_at=moment,
            recorded_at=moment,
            actor=commander.username,
            kind=TimelineEntry.Kind.NOTE_ADDED,
            summary=summary,
            data={"privileged": False},
        )
        entry_hash = chain_hash(prev_hash, body)
        entries.append(
            TimelineEntry(
                incident=incident,
                seq=seq,
                occurred_at=moment,
                recorded_at=moment,
                actor=commander,
                actor_name=commander.username,
                kind=TimelineEntry.Kind.NOTE_ADDED,
                summary=summary,
                data={"privileged": False},
                prev_hash=prev_hash,
                hash=entry_hash,
            )
        )
        prev_hash = entry_hash
    TimelineEntry.objects.bulk_create(entries, batch_size=1_000)

    results = []
    for fmt in formats:
        url = reverse(f"incidents:timeline-export-{fmt}", kwargs={"reference": incident.reference})
        scenario = Scenario(
            page=f"POST export.{fmt}, {EXPORT_ENTRIES:,} entries",
            user="legal",
            method="post",
            url=lambda url=url: url,
            target_ms=EXPORT_TARGET_MS,
        )
        client = Client()
        client.force_login(User.objects.get(username=scenario.user))
        result = Result(scenario)
        counter = QueryCounter()
        for attempt in range(repeat + 1):
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                response = client.post(url)
                size = sum(len(chunk) for chunk in response.streaming_content)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or size == 0:
                raise CommandError(f"{scenario.page} answered {response.status_code}.")
            if attempt == 0:
                result.queries = counter.count
            else:
                result.timings_ms.append(elapsed)
        results.append(result)
    return results


# --- running ------------------------------------------------------------------------------


class QueryCounter:
    """Counts every query, unlike the debug log, which keeps only the last 9,000."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(scenario: Scenario, repeat: int) -> Result:
    """The first request counts the queries (and warms caches); the next ``repeat`` are timed."""
    client = Client()
    client.force_login(User.objects.get(username=scenario.user))
    result = Result(scenario)
    counter = QueryCounter()
    for attempt in range(repeat + 1):
        kwargs = scenario.prepare(client)
        send = getattr(client, scenario.method)
        if attempt == 0:
            with connection.execute_wrapper(counter):
                response = send(scenario.url(), kwargs)
            result.queries = counter.count
        else:
            started = time.perf_counter()
            response = send(scenario.url(), kwargs)
            result.timings_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != scenario.expect_status:
            raise CommandError(
                f"{scenario.page} answered {response.status_code}, not {scenario.expect_status}."
            )
        scenario.reset()
    return result


def report_rows(results: list[Result]) -> list[dict]:
    floor = next(r for r in results if r.scenario.floor).p50_ms
    return [
        {
            "page": r.scenario.page,
            "user": r.scenario.user,
            "p50_ms": round(r.p50_ms, 1),
            "p95_ms": round(r.p95_ms, 1),
            "queries": r.queries,
            "x_floor": round(r.p50_ms / floor, 1),
        }
        for r in results
    ]


def verdict(result: Result) -> str:
    target = result.scenario.target_ms
    if target is None:
        return ""
    return f"{'PASS' if result.p50_ms < target else 'FAIL'} (p50 < {target:,.0f} ms)"


class Command(BaseCommand):
    help = "Time key pages in a throwaway database; write var/bench.json; fail on a missed target."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repeat", type=int, default=5, help="timed requests per scenario (default 5)"
        )
        parser.add_argument(
            "--only", default="", help="run only scenarios whose page contains this text"
        )
        parser.add_argument(
            "--output", default=str(settings.DATA_DIR / "bench.json"), help="where to write"
        )

    def handle(self, *args, repeat: int, only: str, output: str, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        scenarios = [s for s in SCENARIOS if s.floor or only.lower() in s.page.lower()]
        real_name = connection.settings_dict["NAME"]
        setup_test_environment()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            if connection.settings_dict["NAME"] == real_name:
                raise CommandError("Refusing to run the bench on the real database.")
            self.stdout.write(f"Bench database: {connection.settings_dict['NAME']}")
            build_data()
            results = []
            for scenario in scenarios:
                self.stdout.write(f"  {scenario.page} …")
                results.append(measure(scenario, repeat))
            results += timeline_export_results(repeat, only)
        finally:
            connection.creation.destroy_test_db(real_name, verbosity=0)
            teardown_test_environment()

        rows = report_rows(results)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(rows, indent=2) + "\n")
        self._print(results, rows)
        self.stdout.write(f"Written to {output}")
        if any(verdict(result).startswith("FAIL") for result in results):
            raise CommandError("A page missed its target.")

    def _print(self, results: list[Result], rows: list[dict]) -> None:
        width = max(len(row["page"]) for row in rows)
        self.stdout.write(
            f"\n{'page':<{width}}  {'user':<10} {'p50_ms':>9} {'p95_ms':>9} "
            f"{'queries':>8} {'x_floor':>8}  target"
        )
        for result, row in zip(results, rows, strict=True):
            line = (
                f"{row['page']:<{width}}  {row['user']:<10} {row['p50_ms']:>9,.1f} "
                f"{row['p95_ms']:>9,.1f} {row['queries']:>8} {row['x_floor']:>8}  "
                f"{verdict(result)}"
            )
            self.stdout.write(line.rstrip())
