"""`make run` from this checkout: web, worker and beat on the embedded default.

The one test that proves the README's first command works end to end; beat's
heartbeat is set to tick every 2 seconds so that it need not wait 30.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.manage_child import CONFIG_VARIABLES, REPO


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}


def _wait_for(condition, timeout, message, process=None):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message()
        assert process is None or process.poll() is None, message()
        time.sleep(0.5)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _processes_using(data_dir: Path) -> list[int]:
    marker = f"DATA_DIR={data_dir}".encode()
    pids = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                pids.append(int(environ.parent.name))
        except OSError:
            continue
    return pids


def _sign_in(base_url: str, username: str, password: str) -> str:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login_url = f"{base_url}/accounts/login/"
    form = opener.open(login_url, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    return opener.open(login_url, data=data, timeout=10).read().decode()


def _untracked_files() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_run_serves_the_demo_with_worker_and_beat(tmp_path):
    untracked_before = _untracked_files()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "make-run.log"
    # A `make test DATABASE_URL=…` passes its variables on in MAKEFLAGS too.
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES | MAKE_VARIABLES}
    env["DATA_DIR"] = str(tmp_path)
    # Beat's first tick, which the test waits for, comes after this many seconds.
    env["HEARTBEAT_SECONDS"] = "2"
    log = log_path.open("w")
    make = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def output():
        return log_path.read_text()

    try:
        _wait_for(
            lambda: _answers(f"{base_url}/accounts/login/"),
            180,
            lambda: f"the login page never answered:\n{output()}",
            make,
        )
        dashboard = _sign_in(base_url, "commander", "breachdesk")
        _wait_for(
            lambda: (
                "Sending due task record-heartbeat" in output()
                and re.search(r"heartbeat_record_task\[[^]]+\] succeeded", output())
            ),
            90,
            lambda: f"beat never ticked into the worker:\n{output()}",
            make,
        )
    finally:
        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=60)
        log.close()

    assert "Casey Commander" in dashboard
    assert f"http://127.0.0.1:{port}/" in output()
    # The demo's notices: one .eml file each, with links to the port served.
    mails = [path.read_text() for path in (tmp_path / "mail").iterdir()]
    assert mails
    assert all(path.suffix == ".eml" for path in (tmp_path / "mail").iterdir())
    assert any(f"http://127.0.0.1:{port}/ack/" in mail for mail in mails)
    assert "password is: breachdesk" in output()
    _wait_for(
        lambda: not _processes_using(tmp_path),
        30,
        lambda: f"Ctrl-C left processes running: {_processes_using(tmp_path)}",
    )
    assert _untracked_files() == untracked_before, "make run wrote outside DATA_DIR"
