"""A real HTTP receiver on loopback, and endpoints pointing at it."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integrations.models import WebhookEndpoint
from integrations.signing import EVENT_ID_HEADER


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next of ``answers`` (then 200), and records it.

    An answer is a status code, ``(status, headers)``, or ``"hang"``: the
    receiver then holds the request until ``release`` is set.
    """

    url: str
    answers: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    got_request: threading.Event = field(default_factory=threading.Event)

    def accepted_event_ids(self) -> dict[str, int]:
        """How many times each event id was answered with a 2xx (a receiver's dedupe key)."""
        counts: dict[str, int] = {}
        for event_id in self.accepted:
            counts[event_id] = counts.get(event_id, 0) + 1
        return counts


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            receiver.got_request.set()
            answer = receiver.answers.pop(0) if receiver.answers else 200
            if answer == "hang":
                receiver.release.wait(timeout=60)
                answer = 200
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            if 200 <= status < 300:
                receiver.accepted.append(self.headers[EVENT_ID_HEADER])
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, format, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks/breachdesk")
    server.RequestHandlerClass = _handler(receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(settings):
    """The receiver is on loopback, which only WEBHOOK_ALLOW_PRIVATE lets through."""
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def endpoint(receiver, allow_loopback, db):
    """A global webhook for every event, pointing at the receiver."""
    return WebhookEndpoint.objects.create(name="SIEM", url=receiver.url, secret="s3cret-for-tests")
