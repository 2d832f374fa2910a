"""Over https, the delivery connects to the checked address and still checks the certificate
against the host name (so pinning the address never weakens TLS)."""

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incidents import services
from integrations import addresses
from integrations import delivery as webhook_delivery
from integrations.models import EventKind, WebhookDelivery, WebhookEndpoint

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command"),
]


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for hooks.test (real clock: OpenSSL ignores time-machine)."""
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
            "-subj", "/CN=hooks.test", "-addext", "subjectAltName=DNS:hooks.test",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return tmp_path / "cert.pem", tmp_path / "key.pem"


@pytest.fixture
def tls_receiver(certificate):
    """An https receiver on loopback that records the server name each client asked for."""
    cert, key = certificate
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, names
    server.shutdown()
    server.server_close()


@pytest.fixture
def trusting(monkeypatch, certificate):
    """The client trusts the test certificate as it would a public CA's."""
    cert, _ = certificate
    original = ssl.create_default_context
    monkeypatch.setattr(
        webhook_delivery.ssl, "create_default_context", lambda: original(cafile=str(cert))
    )


def _deliver(incident, commander, callbacks, url):
    WebhookEndpoint.objects.create(name="TLS", url=url)
    with callbacks(execute=True):
        services.incident_advance_phase(
            incident=incident, to_phase="containment", actor=commander, override_reason="Drill"
        )
    return WebhookDelivery.objects.get(event_kind=EventKind.PHASE_CHANGED)


def test_https_connects_to_the_checked_address_with_the_host_name_for_tls(
    incident, commander, tls_receiver, trusting, settings, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    port, names = tls_receiver
    settings.WEBHOOK_ALLOW_PRIVATE = True
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["127.0.0.1"])

    row = _deliver(
        incident, commander, django_capture_on_commit_callbacks, f"https://hooks.test:{port}/in"
    )

    assert (row.status, row.last_status_code) == (WebhookDelivery.Status.DELIVERED, 204)
    assert names == ["hooks.test"]


def test_a_certificate_for_another_name_is_refused(
    incident, commander, tls_receiver, trusting, settings, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    port, _ = tls_receiver
    settings.WEBHOOK_ALLOW_PRIVATE = True
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["127.0.0.1"])

    row = _deliver(
        incident, commander, django_capture_on_commit_callbacks, f"https://other.test:{port}/in"
    )

    assert row.status == WebhookDelivery.Status.PENDING
    assert "other.test" in row.last_error
