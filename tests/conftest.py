"""Personas, and the rules for tests that need real PostgreSQL or Redis.

Service tests carry ``@pytest.mark.services("postgres", "redis")``. Without
the service they are skipped with the reason shown in the summary; with
``REQUIRE_SERVICES=1`` (as CI sets) a missing service fails the test instead.
"""

import os
import shutil
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlsplit, urlunsplit

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# live server makes from that thread are safe because they are not concurrent.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
import redis
import time_machine
from django.conf import settings

from breachdesk import grants
from breachdesk.celery import app as celery_app
from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"

# "Now" in every test: a Monday morning two weeks clear of public holidays in
# the jurisdictions the deadline rules know, so that business-day clocks and
# "overdue" never depend on the day the suite runs.
FROZEN_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Tests that share the clock with another process (a browser, a Celery worker):
# cookie expiries and signed-link ages must agree with that process's clock.
WALL_CLOCK_FIXTURES = {"live_server", "celery_worker", "page", "gunicorn_server"}


@cache
def _postgres_problem() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "PostgreSQL not configured (set DATABASE_URL=postgres://…)"
    return None


@cache
def _redis_problem() -> str | None:
    if not settings.REDIS_URL:
        return "Redis not configured (set REDIS_URL=redis://…)"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL is unreachable: {exc}"
    return None


CHROMIUM = "/usr/bin/chromium"


@cache
def _chromium_problem() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@cache
def _redis_server_problem() -> str | None:
    if shutil.which("redis-server") is None:
        return "redis-server not installed (apt-get install redis-server)"
    return None


SERVICE_PROBLEMS = {
    "postgres": _postgres_problem,
    "redis": _redis_problem,
    # A test's own Redis, which it may stop and start (tests/faults/).
    "redis-server": _redis_server_problem,
    "chromium": _chromium_problem,
}


# Redis's default number of logical databases (the `databases` directive).
REDIS_DATABASES = 16


def broker_url_for_process(redis_url: str, process_index: int) -> str:
    """The Redis URL of one test process: the configured database plus its index.

    ``redis://host:6379/1`` for process 0 stays database 1; process 1 gets 2.
    Raises ``pytest.UsageError`` past the last database.
    """
    parts = urlsplit(redis_url)
    base = int(parts.path.strip("/") or 0)
    database = base + process_index
    if database >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"REDIS_URL database {base} leaves no Redis database for test process "
            f"{process_index}: use a database below {REDIS_DATABASES - process_index}"
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def pytest_configure(config):
    """Give each pytest-xdist process its own Redis database as its broker.

    `make test` runs one process per core. A real worker started by a test in
    one process would otherwise take the task a test in another process
    queued, and look for its notice in the wrong test database.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not settings.REDIS_URL:
        return
    url = broker_url_for_process(settings.REDIS_URL, int(worker.removeprefix("gw")))
    settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    celery_app.conf.broker_url = url
    # Each process has its own test database, so its own cached grants and sessions.
    settings.CACHES["default"]["KEY_PREFIX"] = f"breachdesk-cache-{worker}"


def pytest_report_header(config):
    lines = []
    for name, problem in SERVICE_PROBLEMS.items():
        reason = problem()
        if reason is None:
            lines.append(f"service {name}: available, service tests will use it")
        elif REQUIRE_SERVICES:
            lines.append(f"service {name}: {reason}; REQUIRE_SERVICES=1, so its tests will FAIL")
        else:
            lines.append(f"service {name}: {reason}; its tests will be SKIPPED")
    return lines


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests last, as pytest-django intends, whatever reordered them since.

    A transactional test empties every table, including the rows data
    migrations load (roles, the default playbook, email templates); pytest
    moves tests around for session-scoped parameters (Playwright's browser),
    and a test that ran after an emptying would find none. The transactional
    tests also restore those rows (``serialized_rollback``).
    """

    def transactional(item) -> bool:
        marker = item.get_closest_marker("django_db")
        return bool(marker and marker.kwargs.get("transaction")) or (
            "live_server" in getattr(item, "fixturenames", ())
        )

    items[:] = sorted(items, key=transactional)


def pytest_runtest_setup(item):
    marker = item.get_closest_marker("services")
    if marker is None:
        return
    for name in marker.args:
        reason = SERVICE_PROBLEMS[name]()
        if reason is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(f"needs {name}: {reason}")


@pytest.fixture(autouse=True)
def _frozen_now(request):
    """Every test runs at FROZEN_NOW, with time standing still (time-machine).

    A test moves time itself (``time_machine.travel`` or the ``time_machine``
    fixture); a test that talks to another process keeps the wall clock.
    """
    if WALL_CLOCK_FIXTURES.intersection(request.fixturenames):
        yield
        return
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_tasks_inline():
    """Run tasks in the test process; tests with a real worker switch this off."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fresh_grants():
    """Cached grants (breachdesk/grants.py) of one test's users never answer for the next's.

    Each test's rows are rolled back, and SQLite hands the same ids out again.
    """
    if settings.GRANTS_CACHE_SECONDS:
        grants.new_generation()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing takes ~0.3 s a password by design; tests need not pay it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def commander(db):
    return UserFactory(username="commander", roles=["Commander"])


@pytest.fixture
def responder(db):
    return UserFactory(username="responder", roles=["Responder"])


@pytest.fixture
def legal(db):
    return UserFactory(username="legal", roles=["Legal"])


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", roles=["Viewer"])


@pytest.fixture
def outsider(db):
    """Signed in as a Responder, but on no incident: the need-to-know gate answers 404."""
    return UserFactory(username="outsider", roles=["Responder"])


@pytest.fixture
def no_role(db):
    """Signed in, but in no role at all: sees only a page asking for one (403 elsewhere)."""
    return UserFactory(username="no-role")


def _database_url_of_test_database() -> str:
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


class WorkerProcess:
    """A real Celery worker process using the test database and the real broker."""

    def __init__(self, log_path, env):
        self.log_path = log_path
        self.env = env
        self.process = None
        self.starts = 0

    def start(self):
        import subprocess
        import sys
        import time

        self.starts += 1
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "--app",
                "breachdesk",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 30
        while self.log().count("ready.") < self.starts:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Celery worker did not start:\n{self.log()}")
            time.sleep(0.2)

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self):
        """SIGKILL: the worker dies mid-task, as on an out-of-memory kill or power loss."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        import subprocess

        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def worker_env():
    """Extra environment for the worker process; modules override it (e.g. SMTP)."""
    return {}


@pytest.fixture
def celery_worker(tmp_path, worker_env):
    """A real worker on the default queue, emptied first, using the test database.

    Tasks published from the test (``delay``, ``on_commit``) go through the real
    broker to this process, which commits to the same PostgreSQL test database.
    """
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_of_test_database(),
        "REDIS_URL": settings.REDIS_URL,
        "DATA_DIR": str(tmp_path),
        **worker_env,
    }
    worker = WorkerProcess(tmp_path / "worker.log", env)
    celery_app.control.purge()
    celery_app.conf.task_always_eager = False
    try:
        worker.start()
        yield worker
    finally:
        celery_app.conf.task_always_eager = True
        worker.stop()


@pytest.fixture
def breached_vendor(db):
    """A vendor with an active engagement sharing two partners' data."""
    from tests.factories import (
        DataAssetFactory,
        EngagementFactory,
        StakeholderFactory,
        VendorFactory,
    )

    vendor = VendorFactory(name="Parallax Data")
    helix = StakeholderFactory(name="Helix Health", notify_within_hours=48)
    orbital = StakeholderFactory(name="Orbital Robotics", notify_within_hours=72)
    EngagementFactory(
        vendor=vendor,
        name="Annotation",
        data_assets=[
            DataAssetFactory(
                name="Clinical samples",
                personal_data=True,
                health_data=True,
                subject_jurisdictions=["DE", "FR"],
                stakeholders=[helix],
            ),
            DataAssetFactory(name="Teleop logs", stakeholders=[orbital]),
        ],
    )
    return vendor


@pytest.fixture
def incident(commander, responder, legal, viewer, breached_vendor):
    """An open incident with a responder, Legal and a viewer on the team."""
    from incidents.email_templates import ensure_email_templates
    from incidents.playbooks import ensure_default_playbook
    from tests.factories import IncidentFactory

    # Transactional tests empty the tables that migrations fill; put the defaults back.
    ensure_default_playbook()
    ensure_email_templates()
    return IncidentFactory(
        commander=commander,
        vendors=[breached_vendor],
        team={responder: "responder", legal: "legal", viewer: "viewer"},
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium; Playwright's own browser download does not work here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


class SmtpInbox:
    """A real SMTP server on loopback that records what it accepts.

    ``replies`` are answered to successive messages before the default 250,
    e.g. ``["451 4.3.0 Try again later"]`` or ``["550 5.1.1 No such user"]``;
    ``hold`` makes the server keep a message and wait (seconds) before saying
    so, with ``entered`` set once a message is being received.
    """

    def __init__(self):
        import threading

        self.envelopes = []
        self.replies = []
        self.hold = 0.0
        self.entered = threading.Event()
        # time.monotonic() of every message offered, answered or refused.
        self.offered_at = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import time

        self.offered_at.append(time.monotonic())
        self.entered.set()
        if self.replies:
            reply = self.replies.pop(0)
            if not reply.startswith("2"):
                return reply
        # Like a real server, the message is kept before the reply is sent: a
        # client that dies while waiting for the reply has still delivered it.
        self.envelopes.append(envelope)
        if self.hold:
            await asyncio.sleep(self.hold)
        return "250 Message accepted for delivery"

    def messages(self):
        from email import message_from_bytes
        from email.policy import default

        return [message_from_bytes(e.original_content, policy=default) for e in self.envelopes]

    def message_ids(self):
        """The Message-ID of every accepted message, repeats included (one per delivery)."""
        return [message["Message-ID"] for message in self.messages()]


@pytest.fixture
def smtp_server():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def celery_retries_inline():
    """Run a task's retries inline: eager Celery retries only when it does not re-raise."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def smtp_mailer(settings, smtp_server, celery_retries_inline):
    """Django's SMTP backend pointed at the loopback server."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    return smtp_server


# --- the scripted incident: the demo, a privileged note, a visitor of every kind --------

PRIVILEGED_MARKER = "MARKER-privileged-advice-8c41e0"


class Scripted:
    """The demo incident with ids for every URL parameter and a persona per kind of visitor.

    Personas: ``anonymous`` (None), ``no_role``, ``viewer``, ``responder``
    (members), ``outsider`` (a Responder on no incident), ``legal`` (member),
    ``commander_nonmember`` (Commander role, not on the team) and ``staff``
    (staff and superuser, not on the team).
    """

    def __init__(self, incident, personas, ids):
        self.incident = incident
        self.personas = personas
        self.ids = ids

    def restrict(self):
        from incidents.models import Incident

        Incident.objects.filter(pk=self.incident.pk).update(restricted=True)
        self.incident.refresh_from_db()


@pytest.fixture
def scripted(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    return build_scripted()


def build_scripted() -> Scripted:
    """The demo seeded, its queued notices sent, a privileged note and the extra personas.

    A plain function, so that a module-scoped fixture can build it once for
    many tests; the caller points ``MEDIA_ROOT`` somewhere temporary first.
    """
    import io

    from django.core.management import call_command

    from breachdesk.models import User
    from incidents import services
    from incidents.models import Incident, Notification
    from incidents.services.notice_composition import ack_token
    from vendors.models import (
        DataAsset,
        Engagement,
        EngagementAccess,
        Stakeholder,
        StakeholderContact,
        VendorContact,
    )

    call_command("seed_demo", stdout=io.StringIO())
    incident = Incident.objects.get()
    # What the worker does with the demo's queued notices once the seed commits.
    for queued in incident.notifications.filter(status=Notification.Status.QUEUED):
        services.notification_send(notification_id=queued.pk)
    users = {user.username: user for user in User.objects.all()}
    services.note_add(
        incident=incident,
        actor=users["legal"],
        text=f"Counsel's view, not for circulation: {PRIVILEGED_MARKER}",
        privileged=True,
    )
    personas = {
        "anonymous": None,
        "no_role": UserFactory(username="no-role"),
        "viewer": users["viewer"],
        "responder": users["responder"],
        "outsider": UserFactory(username="outsider", roles=["Responder"]),
        "legal": users["legal"],
        "commander_nonmember": UserFactory(username="other-commander", roles=["Commander"]),
        "staff": users["admin"],
    }
    # A file of evidence, and a PDF report Legal asked for, made ready without
    # the (slow) layout: the report pages answer only the person who asked.
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents.models import TimelineReport

    evidence = services.evidence_add(
        incident=incident,
        actor=users["responder"],
        upload=SimpleUploadedFile("notice.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    report = services.timeline_report_request(incident=incident, actor=users["legal"])
    # A questionnaire sent to the vendor (its link answers anyone), and a second one
    # approved but not sent (what the hostile corpus withdraws, leaving the first open).
    from incidents.questionnaire_templates import ensure_default_questionnaire
    from incidents.selectors.questionnaires import questionnaire_token
    from incidents.services import questionnaires as questionnaire_services

    questionnaire = questionnaire_services.questionnaire_draft(
        incident=incident,
        actor=users["commander"],
        vendor=incident.vendors.get(),
        template=ensure_default_questionnaire(),
    )
    questionnaire_services.questionnaire_approve(questionnaire=questionnaire, actor=users["legal"])
    questionnaire_services.questionnaire_send(questionnaire=questionnaire, actor=users["commander"])
    second = questionnaire_services.questionnaire_draft(
        incident=incident,
        actor=users["commander"],
        vendor=incident.vendors.get(),
        template=ensure_default_questionnaire(),
    )
    questionnaire_services.questionnaire_approve(questionnaire=second, actor=users["legal"])
    TimelineReport.objects.filter(pk=report.pk).update(
        status=TimelineReport.Status.READY,
        file=default_storage.save("timeline-reports/scripted.pdf", ContentFile(b"%PDF-1.4\n")),
    )
    vendor = incident.vendors.get()
    engagement = Engagement.objects.filter(vendor=vendor).first()
    asset = DataAsset.objects.filter(engagements__vendor=vendor).first()
    stakeholder = Stakeholder.objects.filter(contacts__isnull=False).first()
    sent = incident.notifications.filter(status=Notification.Status.SENT).first()
    ids = {
        "reference": incident.reference,
        "task_id": incident.tasks.first().pk,
        "member_id": incident.members.get(user=users["viewer"]).pk,
        "pause_id": incident.pauses.first().pk,
        "asset_id": asset.pk,
        "notification_id": sent.pk,
        "deadline_id": incident.deadlines.first().pk,
        "vendor_slug": vendor.slug,
        "asset_slug": asset.slug,
        "stakeholder_slug": stakeholder.slug,
        "vendor_contact_id": VendorContact.objects.filter(vendor=vendor).first().pk,
        "stakeholder_contact_id": StakeholderContact.objects.filter(stakeholder=stakeholder)
        .first()
        .pk,
        "engagement_id": engagement.pk,
        "access_id": EngagementAccess.objects.filter(engagement=engagement).first().pk,
        "ack_token": ack_token(sent.ack_nonce),
        "report_id": report.pk,
        "evidence_id": evidence.pk,
        "questionnaire_id": questionnaire.pk,
        "questionnaire_token": questionnaire_token(questionnaire.nonce),
    }
    return Scripted(incident, personas, ids)
