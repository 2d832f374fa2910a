"""Time the pages that must stay fast, in a throwaway database: ``make bench``.

Each scenario is one request made by a signed-in user through Django's test
client, or one call of a sweep. The command builds its own data in a
database made for the run by Django's test-database machinery
(``test-<pid>.sqlite3`` under DATA_DIR, or ``test_<name>`` on PostgreSQL) and
drops it at the end, so the developer's own database is never read or
written: the inventory the import files name, and ``seed_scale``'s incidents
(``--incidents``, ``--entries-per-incident``; 10,000 and 100 by default, the
size issue 14 measured, meant for PostgreSQL).

After one warm-up round, which also counts each scenario's queries, the
scenarios run round-robin (one request of each per round), so that a burst of
load from another process on this shared machine slows every row alike
rather than one row. On PostgreSQL, the list, search and dashboard queries of
the warm-up round are EXPLAINed, and a sequential scan of the incidents,
tasks or timeline tables fails the run.

It prints a table and writes ``var/bench.json``: one row per scenario with
exactly the keys ``page``, ``user``, ``p50_ms``, ``p95_ms``, ``queries`` and
``x_floor`` (p50 as a multiple of the floor: the cheapest signed-in page,
measured in the same run, so that figures from slower or faster machines can
be compared). Scenarios with a target say PASS or FAIL against it, and any
FAIL makes the command exit non-zero. Targets are checked here and only here:
a timed unit test would fail on a busy machine for no fault of the code.

To measure another page or user, add a ``Scenario`` to ``scenarios()``.
"""

import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse
from django.utils import timezone

from breachdesk.demo import seed_demo_users
from breachdesk.models import User
from breachdesk.process import freeze_loaded_objects
from breachdesk.roles import ensure_roles
from incidents import tasks
from incidents.management.commands.seed_scale import ScaleBuilder
from incidents.models import Deadline, DeadlineReminder, Incident
from incidents.services import deadlines_sweep
from incidents.services.deadlines import schedule_reminders
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
    """One request (or, with ``call``, one sweep) to time.

    ``prepare`` runs untimed before each request and returns the data it
    sends (an upload, or a fresh preview's token); ``reset`` runs untimed
    after it and puts the database back, so that every repetition measures
    the same work. ``target_ms`` is the p50 the scenario must stay under;
    ``target_p95_ms``, ``target_x_floor`` and ``max_queries`` the issue's
    other targets. ``rounds`` caps the timed repetitions of slow scenarios.
    ``check`` runs after each timed call and returns what went wrong, if
    anything. ``explain`` EXPLAINs its queries on PostgreSQL.
    """

    page: str
    user: str
    method: str
    url: Callable[[], str] = lambda: ""
    prepare: Callable[[Client], dict] = lambda client: {}
    reset: Callable[[], None] = lambda: None
    expect_status: int = 200
    target_ms: float | None = None
    floor: bool = False
    target_p95_ms: float | None = None
    target_x_floor: float | None = None
    max_queries: int | None = None
    rounds: int | None = None
    call: Callable[[], None] | None = None
    check: Callable[[], str] = lambda: ""
    explain: bool = False


@dataclass
class Result:
    scenario: Scenario
    timings_ms: list[float] = field(default_factory=list)
    queries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95_ms(self) -> float:
        if len(self.timings_ms) < 2:
            return self.timings_ms[0]
        return statistics.quantiles(self.timings_ms, n=20, method="inclusive")[18]


# --- the data ---------------------------------------------------------------------------


def build_data(*, incidents: int, entries: int, now: datetime) -> None:
    """Roles, the demo people and inventory, the vendors and assets the files name, and
    ``seed_scale``'s incidents."""
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
    ScaleBuilder(incidents=incidents, entries=entries, now=now).run()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics and visibility map, as autovacuum would leave them.
            cursor.execute("VACUUM ANALYZE")


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
# Seconds each: three timed runs tell a p50.
IMPORT_ROUNDS = 3


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
            rounds=IMPORT_ROUNDS,
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
            rounds=IMPORT_ROUNDS,
        ),
    ]


# The targets for pages at 10,000 incidents, both users.
PAGE_X_FLOOR = 5
PAGE_P95_MS = 100
SWEEP_QUERIES = 10
SWEEP_IDLE_MS = 50
SWEEP_BURST_MS = 30_000
# The steady state measured in the issue: 95 deadlines in the 24 h window.
IN_WINDOW = 95
DUE_AT_ONCE = 1_000
USERS = ("commander", "responder")


def _reference(n: int) -> str:
    """The n-th seeded incident's reference (0: the one with 5,000 entries)."""
    return Incident.objects.order_by("pk").values_list("reference", flat=True)[n]


def _busiest_vendor() -> str:
    links = Incident.vendors.through.objects.filter(vendor__slug__startswith="scale-vendor")
    return links.values_list("vendor__slug", flat=True).order_by("vendor_id").first()


def _page_scenarios(data: "BenchData") -> list[Scenario]:
    def page(name: str, url: str, *, explain: bool = False, **extra) -> list[Scenario]:
        return [
            Scenario(
                page=name,
                user=user,
                method="get",
                url=lambda url=url: url,
                target_x_floor=PAGE_X_FLOOR,
                target_p95_ms=PAGE_P95_MS,
                explain=explain,
                **extra,
            )
            for user in USERS
        ]

    incidents = reverse("incidents:list")
    return [
        *page("GET / (dashboard)", "/", explain=True),
        *page("GET /incidents/ (open, urgency)", incidents, explain=True),
        *page("GET /incidents/?state=all", f"{incidents}?state=all", explain=True),
        *page(
            "GET /incidents/?state=all last page", f"{incidents}?state=all&page=9999", explain=True
        ),
        *page(
            "GET /incidents/?vendor=", f"{incidents}?state=all&vendor={data.vendor}", explain=True
        ),
        *page("GET /incidents/?q=bucket (text search)", f"{incidents}?q=bucket", explain=True),
        *page(
            "GET /incidents/?q=<vendor name>",
            f"{incidents}?state=all&q={data.vendor_name.replace(' ', '+')}",
            explain=True,
        ),
        *page("GET /vendors/", reverse("vendors:list")),
        *page("GET /vendors/<slug>/", reverse("vendors:detail", args=[data.vendor])),
        *page(
            "GET /incidents/by-vendor/<slug>/",
            reverse("incidents:vendor-incidents", args=[data.vendor]),
        ),
        *page("GET workspace (typical)", reverse("incidents:detail", args=[data.typical])),
        *page("GET workspace (5,000 entries)", reverse("incidents:detail", args=[data.big])),
        *page("GET timeline page (5,000 entries)", reverse("incidents:timeline", args=[data.big])),
    ]


def _sweep() -> None:
    deadlines_sweep(now=BenchData.now)


def _in_window_reminded() -> None:
    """Move ``IN_WINDOW`` deadlines into the 24 h window and send their reminders (untimed)."""
    moved = list(
        Deadline.objects.filter(status=Deadline.Status.PENDING, reminders__isnull=True).order_by(
            "pk"
        )[:IN_WINDOW]
    )
    _move(moved, BenchData.now + timedelta(hours=20))
    _sweep()


def _move(deadlines: list[Deadline], due_at: datetime) -> None:
    for deadline in deadlines:
        deadline.due_at = due_at
        schedule_reminders(deadline)
    Deadline.objects.bulk_update(deadlines, ["due_at", "next_reminder_at"])


class DueAtOnce:
    """Each round, a fresh ``DUE_AT_ONCE`` deadlines due in 30 minutes, every reminder unsent."""

    def __init__(self):
        self.ids: list[int] = []

    def prepare(self, client: Client) -> dict:
        fresh = list(
            Deadline.objects.filter(
                status=Deadline.Status.PENDING, reminders__isnull=True
            ).order_by("-pk")[:DUE_AT_ONCE]
        )
        _move(fresh, BenchData.now + timedelta(minutes=30))
        self.ids = [deadline.pk for deadline in fresh]
        return {}

    def check(self) -> str:
        sent = DeadlineReminder.objects.filter(deadline__in=self.ids, notified=True)
        reminded = sent.values("deadline").distinct().count()
        if reminded != len(self.ids) or sent.count() != len(self.ids):
            return f"{reminded} of {len(self.ids)} reminded, {sent.count()} reminders sent"
        return ""


def _sweep_scenarios() -> list[Scenario]:
    burst = DueAtOnce()
    steady_ready = []

    def steady(client: Client) -> dict:
        if not steady_ready:
            _in_window_reminded()
            steady_ready.append(True)
        return {}

    return [
        Scenario(
            page="sweep, nothing due (all deadlines pending)",
            user="system",
            method="call",
            call=_sweep,
            target_ms=SWEEP_IDLE_MS,
            max_queries=SWEEP_QUERIES,
        ),
        Scenario(
            page=f"sweep, steady state ({IN_WINDOW} in window, reminded)",
            user="system",
            method="call",
            call=_sweep,
            prepare=steady,
            target_ms=SWEEP_IDLE_MS,
            max_queries=SWEEP_QUERIES,
        ),
        Scenario(
            page=f"sweep, {DUE_AT_ONCE:,} due at once",
            user="system",
            method="call",
            call=_sweep,
            prepare=burst.prepare,
            check=burst.check,
            target_ms=SWEEP_BURST_MS,
            rounds=2,
        ),
    ]


@dataclass
class BenchData:
    """What the scenarios' URLs name, read once the data is built."""

    now = timezone.now()
    vendor: str = ""
    vendor_name: str = ""
    typical: str = ""
    big: str = ""

    @classmethod
    def read(cls) -> "BenchData":
        # Incident 3 has the scoped responder on its team (seed_scale), as has 0.
        vendor = _busiest_vendor()
        return cls(
            vendor=vendor,
            vendor_name=Vendor.objects.get(slug=vendor).name,
            typical=_reference(3),
            big=_reference(0),
        )


def scenarios(data: BenchData) -> list[Scenario]:
    return [
        Scenario(
            page="GET /accounts/password/done/ (floor)",
            user="commander",
            method="get",
            url=lambda: reverse("password_change_done"),
            floor=True,
        ),
        *_page_scenarios(data),
        *_sweep_scenarios(),
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


SCANNED_TABLES = (
    "incidents_incident",
    "incidents_task",
    "incidents_timelineentry",
    "incidents_deadline",
)


def sequential_scans(statements: list[str]) -> list[str]:
    """The statements among ``statements`` whose PostgreSQL plan scans a big table in full."""
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            if not sql.startswith("SELECT") or not any(t in sql for t in SCANNED_TABLES):
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in SCANNED_TABLES:
                # The whole name: "incidents_incident" must not match the small
                # incidents_incidentmember, which a commander on every team
                # reads in full (10,000 of its 11,000 rows are theirs).
                if re.search(rf"Seq Scan on {table}\b", plan):
                    found.append(f"Seq Scan on {table}: {sql[:300]}")
    return found


class Runner:
    """One client per user; a scenario's request (or call) once, timed or counted."""

    def __init__(self):
        self.clients: dict[str, Client] = {}

    def client(self, username: str) -> Client:
        if username not in self.clients:
            client = Client()
            if username != "system":
                client.force_login(User.objects.get(username=username))
            self.clients[username] = client
        return self.clients[username]

    def once(self, scenario: Scenario, kwargs: dict) -> None:
        if scenario.call is not None:
            scenario.call()
            return
        client = self.client(scenario.user)
        response = getattr(client, scenario.method)(scenario.url(), kwargs)
        if response.status_code != scenario.expect_status:
            raise CommandError(
                f"{scenario.page} ({scenario.user}) answered {response.status_code}, "
                f"not {scenario.expect_status}."
            )

    def warm_up(self, result: Result) -> None:
        """The untimed first run: counts the queries, and EXPLAINs them when asked."""
        kwargs = result.scenario.prepare(self.client(result.scenario.user))
        counter = QueryCounter()
        with connection.execute_wrapper(counter), CaptureQueriesContext(connection) as captured:
            self.once(result.scenario, kwargs)
        result.queries = counter.count
        result.scenario.reset()
        if result.scenario.explain and connection.vendor == "postgresql":
            result.problems += sequential_scans([q["sql"] for q in captured])

    def timed(self, result: Result) -> None:
        kwargs = result.scenario.prepare(self.client(result.scenario.user))
        started = time.perf_counter()
        self.once(result.scenario, kwargs)
        result.timings_ms.append((time.perf_counter() - started) * 1000)
        if problem := result.scenario.check():
            result.problems.append(problem)
        result.scenario.reset()


def measure_round_robin(scenarios: list[Scenario], repeat: int, progress) -> list[Result]:
    """A warm-up round, then ``repeat`` rounds of one run of each scenario, in turn."""
    runner = Runner()
    results = [Result(scenario) for scenario in scenarios]
    for result in results:
        progress(f"  warm-up: {result.scenario.page} ({result.scenario.user})")
        runner.warm_up(result)
    # As a gunicorn worker does once loaded (breachdesk/wsgi.py): what the
    # warm-up loaded stays for the process's life, out of the collector's walk.
    freeze_loaded_objects()
    for round_number in range(repeat):
        progress(f"  round {round_number + 1} of {repeat}")
        for result in results:
            if result.scenario.rounds is None or round_number < result.scenario.rounds:
                runner.timed(result)
    return results


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


def verdict(result: Result, floor_ms: float) -> str:
    scenario = result.scenario
    missed = list(result.problems)
    if scenario.target_ms is not None and result.p50_ms >= scenario.target_ms:
        missed.append(f"p50 ≥ {scenario.target_ms:,.0f} ms")
    if scenario.target_p95_ms is not None and result.p95_ms >= scenario.target_p95_ms:
        missed.append(f"p95 ≥ {scenario.target_p95_ms:,.0f} ms")
    if scenario.target_x_floor is not None and result.p50_ms > scenario.target_x_floor * floor_ms:
        missed.append(f"p50 > {scenario.target_x_floor}× floor")
    if scenario.max_queries is not None and result.queries > scenario.max_queries:
        missed.append(f"queries > {scenario.max_queries}")
    targets = (
        scenario.target_ms,
        scenario.target_p95_ms,
        scenario.target_x_floor,
        scenario.max_queries,
    )
    if missed:
        return "FAIL: " + "; ".join(missed)
    return "PASS" if any(t is not None for t in targets) else ""


class Command(BaseCommand):
    help = "Time key pages in a throwaway database; write var/bench.json; fail on a missed target."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="timed rounds (default 20)")
        parser.add_argument(
            "--only", default="", help="run only scenarios whose page contains this text"
        )
        parser.add_argument(
            "--incidents", type=int, default=10_000, help="seed_scale's incidents (10,000)"
        )
        parser.add_argument(
            "--entries-per-incident", type=int, default=100, help="seed_scale's entries (100)"
        )
        parser.add_argument(
            "--output", default=str(settings.DATA_DIR / "bench.json"), help="where to write"
        )

    def handle(
        self,
        *args,
        repeat: int,
        only: str,
        incidents: int,
        entries_per_incident: int,
        output: str,
        **options,
    ):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        real_name = connection.settings_dict["NAME"]
        setup_test_environment()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            if connection.settings_dict["NAME"] == real_name:
                raise CommandError("Refusing to run the bench on the real database.")
            self.stdout.write(f"Bench database: {connection.settings_dict['NAME']}")
            started = time.perf_counter()
            build_data(incidents=incidents, entries=entries_per_incident, now=BenchData.now)
            self.stdout.write(
                f"Built {incidents:,} incidents in {time.perf_counter() - started:,.0f} s"
            )
            chosen = [
                s for s in scenarios(BenchData.read()) if s.floor or only.lower() in s.page.lower()
            ]
            # Sending is the worker's work, not the sweep's: reminders are queued, not sent.
            with mock.patch.object(tasks.notification_send_task, "delay"):
                results = measure_round_robin(chosen, repeat, self.stdout.write)
            results += timeline_export_results(repeat, only)
        finally:
            connection.creation.destroy_test_db(real_name, verbosity=0)
            teardown_test_environment()

        rows = report_rows(results)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(rows, indent=2) + "\n")
        floor_ms = next(r for r in results if r.scenario.floor).p50_ms
        verdicts = [verdict(result, floor_ms) for result in results]
        self._print(rows, verdicts)
        self.stdout.write(f"Written to {output}")
        if any(v.startswith("FAIL") for v in verdicts):
            raise CommandError("A page missed its target.")

    def _print(self, rows: list[dict], verdicts: list[str]) -> None:
        width = max(len(row["page"]) for row in rows)
        self.stdout.write(
            f"\n{'page':<{width}}  {'user':<10} {'p50_ms':>9} {'p95_ms':>9} "
            f"{'queries':>8} {'x_floor':>8}  target"
        )
        for row, result in zip(rows, verdicts, strict=True):
            line = (
                f"{row['page']:<{width}}  {row['user']:<10} {row['p50_ms']:>9,.1f} "
                f"{row['p95_ms']:>9,.1f} {row['queries']:>8} {row['x_floor']:>8}  {result}"
            )
            self.stdout.write(line.rstrip())
