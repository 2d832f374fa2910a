"""The SMTP settings reach a real SMTP server on loopback."""

from tests.manage_child import run_manage


def test_smtp_environment_sends_through_the_configured_server(smtp_server, tmp_path):
    result = run_manage(
        "sendtestemail",
        "partner@example.org",
        env={
            "DEBUG": "1",
            "DATA_DIR": str(tmp_path),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_server.port),
            "SMTP_TLS": "0",
            "EMAIL_FROM": "BreachDesk <alerts@breachdesk.example>",
        },
    )

    assert result.returncode == 0, result.stderr
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.mail_from == "alerts@breachdesk.example"
    assert envelope.rcpt_tos == ["partner@example.org"]
    assert not (tmp_path / "mail").exists()
