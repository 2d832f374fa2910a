"""Fault tests: real PostgreSQL, a real worker, an SMTP server and a Redis of the test's own.

Each test starts its own ``redis-server`` on an ephemeral port, so that it
can stop and start the broker without touching the shared one.
"""

import socket
import subprocess
import time

import kombu.pools
import pytest
import redis

from breachdesk.celery import app as celery_app
from incidents import services
from tests.factories import StakeholderContactFactory
from tests.faults.helpers import HELIX_CONTACTS
from vendors.models import DataAsset, Stakeholder


class RedisServer:
    """A ``redis-server`` process on loopback that a test may stop and start."""

    def __init__(self, port: int, workdir):
        self.port = port
        self.workdir = workdir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    pytest.fail(f"redis-server did not start on port {self.port}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """This test's broker: this process and its worker publish to it and read from it."""
    server = RedisServer(_free_port(), tmp_path)
    server.start()
    original = celery_app.conf.broker_url
    _point_broker(server.url)
    yield server
    server.stop()
    _point_broker(original)


def _point_broker(url: str) -> None:
    """Celery keeps a connection pool and a producer pool made for the URL of the time.

    Both come from kombu's process-wide registry (``kombu.pools``), keyed by
    URL: closing only Celery's pool left the closed one registered, and the
    next test on the shared broker got "Acquire on closed pool". Resetting the
    registry closes and forgets every pool, so each URL gets a fresh one.
    """
    celery_app.conf.broker_url = url
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker_env(smtp_server, own_redis):
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_TLS": "0",
        "REDIS_URL": own_redis.url,
    }


@pytest.fixture
def approved(incident, commander, responder, legal):
    """Five approved partner notices, one per Helix Health contact."""
    helix = Stakeholder.objects.get(name="Helix Health")
    for address in HELIX_CONTACTS:
        StakeholderContactFactory(stakeholder=helix, email=address)
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    for draft in drafts:
        services.notification_approve(notification=draft, actor=legal)
    return drafts


class BeatProcess:
    """A real ``celery beat`` with its own schedule file, running the sweeps every second."""

    def __init__(self, log_path, env):
        self.log_path = log_path
        self.env = env
        self.process = None

    def start(self) -> None:
        import sys

        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "breachdesk", "beat", "--loglevel", "INFO"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def ticks(self, entry: str) -> int:
        """How many times this beat has sent ``entry`` (a CELERY_BEAT_SCHEDULE name)."""
        if not self.log_path.exists():
            return 0
        return self.log_path.read_text().count(f"Sending due task {entry} ")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def two_beats(tmp_path, celery_worker):
    """Two beats at once, as after a botched deploy, each with its own schedule file.

    Both tick every second (``SWEEP_SECONDS=1``); a second worker joins the
    first, so that the two beats' sweeps run at the same time.
    """
    from tests.conftest import WorkerProcess

    second_worker = WorkerProcess(tmp_path / "worker-2.log", celery_worker.env)
    beats = []
    for name in ("beat-1", "beat-2"):
        folder = tmp_path / name
        folder.mkdir()
        env = {**celery_worker.env, "DATA_DIR": str(folder), "SWEEP_SECONDS": "1"}
        beats.append(BeatProcess(tmp_path / f"{name}.log", env))
    try:
        second_worker.start()
        for beat in beats:
            beat.start()
        yield beats
    finally:
        for beat in beats:
            beat.stop()
        second_worker.stop()


@pytest.fixture
def gunicorn_server(tmp_path, own_redis):
    """Real gunicorn on loopback (3 processes × 4 threads) serving the test database."""
    import os
    import sys
    import urllib.error
    import urllib.request

    from tests.conftest import _database_url_of_test_database

    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": _database_url_of_test_database(),
        "REDIS_URL": own_redis.url,
        "DATA_DIR": str(tmp_path),
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "breachdesk.wsgi"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "3", "--threads", "4"),
                *("--worker-class", "gthread", "--no-control-socket"),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
