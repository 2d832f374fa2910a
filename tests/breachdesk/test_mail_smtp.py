"""The SMTP settings reach a real SMTP server on loopback."""

import socket

import pytest
from aiosmtpd.controller import Controller

from tests.manage_child import run_manage


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_smtp_environment_sends_through_the_configured_server(smtp_server, tmp_path):
    controller, inbox = smtp_server

    result = run_manage(
        "sendtestemail",
        "partner@example.org",
        env={
            "DEBUG": "1",
            "DATA_DIR": str(tmp_path),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(controller.port),
            "SMTP_TLS": "0",
            "EMAIL_FROM": "BreachDesk <alerts@breachdesk.example>",
        },
    )

    assert result.returncode == 0, result.stderr
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "alerts@breachdesk.example"
    assert envelope.rcpt_tos == ["partner@example.org"]
    assert not (tmp_path / "mail").exists()
