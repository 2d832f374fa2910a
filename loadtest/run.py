"""``make load``: a bounded load run against real gunicorn, PostgreSQL and Redis on loopback.

Creates a throwaway database ``<DATABASE_URL's name>_load`` (dropped at the
end; the developer's own database is never touched) and a Redis server of
its own on a free port, loads the demo plus one incident per simulated user
(``loadtest/prepare.py``), serves it with gunicorn with DEBUG off, and runs
locust headless in one process: ``LOAD_USERS`` users (50) for ``LOAD_SECONDS``
(60), each one task a second. ``WEB_CONCURRENCY`` and ``WEB_THREADS`` size
gunicorn's gthread workers (2 × 4 unless set), as in production. Exit status
is locust's: non-zero when a target is missed (see ``loadtest/locustfile.py``).
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{what} did not start") from None
            time.sleep(0.3)


def _throwaway_database(database_url: str) -> tuple[str, str]:
    """(the run's DATABASE_URL, the maintenance URL that creates and drops it)."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("make load needs PostgreSQL: set DATABASE_URL=postgres://…")
    name = parts.path.strip("/") + "_load"
    return urlunsplit(parts._replace(path=f"/{name}")), urlunsplit(parts._replace(path="/postgres"))


def _sql(maintenance_url: str, statement: str) -> None:
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(statement)


def main() -> int:
    users = int(os.environ.get("LOAD_USERS", "50"))
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    # The README's production sizing for 2 cores, chosen from make load's figures.
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    threads = os.environ.get("WEB_THREADS", "4")
    if shutil.which("redis-server") is None:
        raise SystemExit("make load needs redis-server (apt-get install redis-server)")
    database_url, maintenance_url = _throwaway_database(os.environ.get("DATABASE_URL", ""))
    name = urlsplit(database_url).path.strip("/")
    work = REPO / "var" / "load"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    redis_port, web_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PROXY_COUNT": "1",
        "SITE_URL": f"https://127.0.0.1:{web_port}",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DATA_DIR": str(work / "data"),
        "LOG_LEVEL": "WARNING",
        "LOAD_REFERENCES": str(work / "references.txt"),
        "LOAD_REPORT": str(REPO / "var" / "load.json"),
    }
    processes = []
    _sql(maintenance_url, f'DROP DATABASE IF EXISTS "{name}"')
    _sql(maintenance_url, f'CREATE DATABASE "{name}"')
    try:
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            cwd=work,
        )
        processes.append(redis)
        manage = [sys.executable, str(REPO / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
        references = subprocess.run(
            [sys.executable, str(REPO / "loadtest" / "prepare.py"), str(users)],
            # seed_demo refuses DEBUG off (published passwords); this database is thrown away.
            env={
                **env,
                "DEBUG": "1",
                "DJANGO_SETTINGS_MODULE": "breachdesk.settings",
                "PYTHONPATH": str(REPO),
            },
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        (work / "references.txt").write_text(references)
        web = subprocess.Popen(
            [
                *(str(BIN / "gunicorn"), "breachdesk.wsgi"),
                *("--bind", f"127.0.0.1:{web_port}", "--workers", workers),
                *("--threads", threads, "--worker-class", "gthread", "--no-control-socket"),
            ],
            env=env,
            cwd=REPO,
            stdout=(work / "gunicorn.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(web)
        _wait_http(f"http://127.0.0.1:{web_port}/healthz", web, "gunicorn")
        print(f"gunicorn gthread, {workers} worker(s) × {threads} thread(s); load before: ", end="")
        print(Path("/proc/loadavg").read_text().strip(), flush=True)
        result = subprocess.run(
            [
                *(str(BIN / "locust"), "--locustfile", str(REPO / "loadtest" / "locustfile.py")),
                *("--headless", "--only-summary", "--reset-stats", "--loglevel", "WARNING"),
                *("--users", str(users), "--spawn-rate", str(users)),
                *("--run-time", f"{seconds}s", "--stop-timeout", "10"),
                *("--host", f"http://127.0.0.1:{web_port}"),
            ],
            env=env,
            cwd=REPO,
        )
        print("load after: " + Path("/proc/loadavg").read_text().strip())
        return result.returncode
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        _sql(maintenance_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
