"""What ``make load`` offers the server: signed-in commanders reading and writing incidents.

Each simulated user runs one task a second (``constant_throughput(1)``), so
50 users offer 50 requests a second. Pages: dashboard, incident list,
workspace, timeline, vendor list; actions: add a note (with the one-time
``submission_token`` read from the page, as a browser sends it) and complete
a task. Each user works on an incident of its own (``LOAD_REFERENCES``), as
responders on different incidents do.

Users are locust's ``FastHttpUser`` (geventhttpclient): it costs a fraction of
the CPU per request of ``HttpUser`` (requests), and the load generator shares
the machine's cores with the server it measures.

The server runs with DEBUG off behind an imagined TLS proxy (``PROXY_COUNT=1``):
requests say ``X-Forwarded-Proto: https``, and the secure cookies are sent by
hand because the client speaks plain HTTP on loopback.

At the end it prints p50/p95 per page and the requests per second achieved
against those offered, and exits non-zero when a target is missed: no error,
p95 under 1 s, at least 40 requests/s (docs: https://docs.locust.io/).
"""

import itertools
import json
import os
import re
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

from locust import FastHttpUser, constant_throughput, events, task

# "<incident reference> <session key>" a line (loadtest/prepare.py): users sign in beforehand.
USERS = [
    line.split()
    for line in Path(os.environ.get("LOAD_REFERENCES", "var/load/references.txt"))
    .read_text()
    .splitlines()
]
REPORT = Path(os.environ.get("LOAD_REPORT", "var/load.json"))
TARGET_P95_MS = 1000
TARGET_RPS = 40

NOTE_FORM = re.compile(r'<form[^>]*action="[^"]*/notes/".*?</form>', re.S)
TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
OPEN_TASK = re.compile(r'action="/incidents/[^/]+/tasks/(\d+)/complete/"')

_next_user = itertools.count()


class Commander(FastHttpUser):
    wait_time = constant_throughput(1)

    def on_start(self):
        # Cookies go by hand (above), so the client's own jar keeps none.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.reference, session_key = USERS[next(_next_user) % len(USERS)]
        self.cookies: dict[str, str] = {"sessionid": session_key}
        self.note_token: str | None = None
        self.open_tasks: list[str] = []

    def _call(self, method, path, name, data=None, htmx=False, expect=200) -> str:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "Referer": f"https://{self.host.split('://', 1)[1]}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if htmx:
            headers["HX-Request"] = "true"
        with self.client.request(
            method,
            path,
            name=name,
            data=data,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            for cookie in response.headers.getlist("Set-Cookie") if response.headers else []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            if response.status_code != expect:
                response.failure(f"{response.status_code}, expected {expect}")
            return response.text or ""

    @task(3)
    def dashboard(self):
        self._call("GET", "/", "dashboard")

    @task(3)
    def incident_list(self):
        self._call("GET", "/incidents/", "incident list")

    @task(3)
    def workspace(self):
        page = self._call("GET", f"/incidents/{self.reference}/", "workspace")
        form = NOTE_FORM.search(page)
        self.note_token = (TOKEN.search(form.group(0)) or [None, None])[1] if form else None
        self.open_tasks = OPEN_TASK.findall(page)

    @task(2)
    def timeline(self):
        self._call("GET", f"/incidents/{self.reference}/timeline/", "timeline")

    @task(2)
    def vendor_list(self):
        self._call("GET", "/vendors/", "vendor list")

    @task(1)
    def add_note(self):
        if self.note_token is None:
            self.workspace()
        panel = self._call(
            "POST",
            f"/incidents/{self.reference}/notes/",
            "add note",
            data={
                "text": "Vendor confirmed the affected buckets.",
                "submission_token": self.note_token,
            },
            htmx=True,
        )
        # The panel comes back with a fresh form, and so a fresh one-time token.
        form = NOTE_FORM.search(panel)
        match = TOKEN.search(form.group(0)) if form else None
        self.note_token = match.group(1) if match else None

    @task(1)
    def complete_task(self):
        if not self.open_tasks:
            self.workspace()
        if self.open_tasks:
            task_id = self.open_tasks.pop(0)
            self._call(
                "POST",
                f"/incidents/{self.reference}/tasks/{task_id}/complete/",
                "complete task",
                htmx=True,
            )


@events.quitting.add_listener
def report(environment, **kwargs):
    stats = environment.stats
    users = environment.runner.user_count if environment.runner else 0
    offered = environment.parsed_options.num_users if environment.parsed_options else users
    rows = []
    measured = 0
    for (name, method), entry in sorted(stats.entries.items()):
        measured += entry.num_requests
        rows.append(
            {
                "page": name,
                "method": method,
                "requests": entry.num_requests,
                "errors": entry.num_failures,
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
            }
        )
    elapsed = max(stats.total.last_request_timestamp - stats.total.start_time, 1e-9)
    achieved = measured / elapsed
    errors = stats.total.num_failures
    worst_p95 = max((row["p95_ms"] for row in rows), default=0)
    print(f"\n{'page':<16}{'method':<8}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for row in rows:
        print(
            f"{row['page']:<16}{row['method']:<8}{row['requests']:>9}{row['errors']:>8}"
            f"{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
        )
    print(
        f"\nrequests/s achieved {achieved:.1f} of {offered} offered over {elapsed:.0f} s; "
        f"errors {errors}; worst p95 {worst_p95:.0f} ms"
    )
    missed = []
    if errors:
        missed.append(f"{errors} errors (target 0)")
    if worst_p95 >= TARGET_P95_MS:
        missed.append(f"p95 {worst_p95:.0f} ms (target under {TARGET_P95_MS})")
    if achieved < TARGET_RPS:
        missed.append(f"{achieved:.1f} requests/s (target at least {TARGET_RPS})")
    print("targets: " + ("PASS" if not missed else "FAIL: " + "; ".join(missed)))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {
                "rows": rows,
                "achieved_rps": round(achieved, 1),
                "offered_rps": offered,
                "errors": errors,
                "elapsed_s": round(elapsed, 1),
            },
            indent=2,
        )
    )
    if missed:
        environment.process_exit_code = 1
