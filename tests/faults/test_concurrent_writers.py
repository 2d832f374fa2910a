"""Twenty people writing to one incident at the same moment, through real gunicorn.

Each writer reads the workspace (its one-time note token and CSRF token from
the page, as a browser would), waits for the others, then adds notes and
completes a task. No answer is a 500 and the timeline stays one chain: its
hashes verify and its ``seq`` has no gap.
"""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

import pytest
from django.test import Client

from incidents.models import Task, TimelineEntry
from incidents.timeline import verify_chain

pytestmark = [
    pytest.mark.services("postgres", "redis-server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WRITERS = 20
NOTES_EACH = 2
NOTE_FORM = re.compile(r'<form[^>]*action="[^"]*/notes/".*?</form>', re.S)


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, f"no {name} in the note form"
    return match.group(1)


class Writer:
    """One signed-in browser, speaking HTTP to the server and keeping its cookies."""

    def __init__(self, base: str, reference: str, session_key: str):
        self.base = base
        self.reference = reference
        self.cookies = {"sessionid": session_key}
        self.statuses: list[int] = []

    def request(self, path: str, data: dict | None = None) -> str:
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers={
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                "HX-Request": "true",
                "Referer": self.base + path,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        self.statuses.append(status)
        for header in headers.get_all("Set-Cookie") or []:
            self.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
        return body.decode()

    def note_form(self) -> str:
        page = self.request(f"/incidents/{self.reference}/")
        match = NOTE_FORM.search(page)
        assert match, "the workspace has no note form"
        return match.group(0)

    def add_note(self, form: str, text: str) -> None:
        self.request(
            f"/incidents/{self.reference}/notes/",
            {
                "csrfmiddlewaretoken": _field(form, "csrfmiddlewaretoken"),
                "submission_token": _field(form, "submission_token"),
                "text": text,
            },
        )

    def complete_task(self, form: str, task_id: int) -> None:
        self.request(
            f"/incidents/{self.reference}/tasks/{task_id}/complete/",
            {"csrfmiddlewaretoken": _field(form, "csrfmiddlewaretoken")},
        )


def test_twenty_concurrent_writers_keep_one_unbroken_chain_and_never_see_a_500(
    incident, commander, responder, legal, gunicorn_server
):
    people = [commander, responder, legal]
    writers = []
    for n in range(WRITERS):
        browser = Client()
        browser.force_login(people[n % len(people)])
        writers.append(Writer(gunicorn_server, incident.reference, browser.session.session_key))
    open_tasks = list(
        Task.objects.filter(incident=incident, status=Task.Status.OPEN).values_list("pk", flat=True)
    )
    assert len(open_tasks) >= 5, "the playbook should give the incident several open tasks"
    tasks = dict(zip(range(WRITERS), open_tasks, strict=False))
    entries_before = TimelineEntry.objects.filter(incident=incident).count()
    start = threading.Barrier(WRITERS)
    failures = []

    def write(n: int, writer: Writer) -> None:
        try:
            forms = [writer.note_form() for _ in range(NOTES_EACH)]
            start.wait(timeout=120)
            for k, form in enumerate(forms):
                writer.add_note(form, f"Writer {n}, note {k}: vendor confirmed the scope.")
            if n in tasks:
                writer.complete_task(forms[0], tasks[n])
        except Exception as exc:  # reported below with the writer's number
            failures.append(f"writer {n}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=write, args=(n, w)) for n, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=150)

    assert failures == []
    statuses = [status for writer in writers for status in writer.statuses]
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) == {200}
    entries = TimelineEntry.objects.filter(incident=incident)
    assert entries.filter(kind="note_added").count() == WRITERS * NOTES_EACH
    assert entries.filter(kind="task_completed").count() >= len(tasks)
    assert entries.count() >= entries_before + WRITERS * NOTES_EACH + len(tasks)
    assert list(entries.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, entries.count() + 1)
    )
    check = verify_chain(incident)
    assert check.ok, check.problem
