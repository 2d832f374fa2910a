"""Slack and Teams messages: the incident linked back, the deadline in the reader's words."""

from datetime import UTC, datetime

import pytest

from integrations.chat import due_words, render, slack_message, teams_message

NOW = datetime(2026, 12, 1, 20, 48, tzinfo=UTC)

EVENT = {
    "id": "0b6d2a8e-1111-4c1e-9d7a-2f1f0f6b1a22",
    "type": "deadline.due_soon",
    "occurred_at": NOW.isoformat(),
    "incident": {
        "reference": "INC-2026-0042",
        "title": "Parallax <exfiltration> & more",
        "phase": "triage",
        "severity": "sev1",
        "url": "https://breachdesk.example.com/incidents/INC-2026-0042/",
    },
    "actor": "system",
    "text": "Deadline due soon: GDPR Art. 33(1) to DPC, due in 41 h 12 m (Thu 3 Dec 14:00 UTC)",
}


@pytest.mark.parametrize(
    ("due_at", "words"),
    [
        ("2026-12-03T14:00:00+00:00", "due in 41 h 12 m (Thu 3 Dec 14:00 UTC)"),
        ("2026-12-01T21:00:00+00:00", "due in 12 m (Tue 1 Dec 21:00 UTC)"),
        ("2026-12-08T00:00:00+00:00", "due in 6 d 3 h (Tue 8 Dec 00:00 UTC)"),
        ("2026-12-01T18:43:00+00:00", "overdue by 2 h 5 m (Tue 1 Dec 18:43 UTC)"),
    ],
)
def test_a_deadline_is_said_in_the_readers_words(due_at, words):
    assert due_words(due_at, "without undue delay", now=NOW) == words


def test_a_duty_with_no_fixed_time_is_said_by_its_standard():
    assert due_words(None, "without undue delay", now=NOW) == "without undue delay"


def test_a_slack_message_links_the_incident_and_escapes_its_title():
    message = slack_message(EVENT)

    section = message["blocks"][0]
    assert section["type"] == "section"
    assert section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith(
        "*<https://breachdesk.example.com/incidents/INC-2026-0042/|"
        "INC-2026-0042: Parallax &lt;exfiltration&gt; &amp; more>*\n"
    )
    assert "due in 41 h 12 m (Thu 3 Dec 14:00 UTC)" in section["text"]["text"]
    assert message["text"].startswith("INC-2026-0042: Parallax <exfiltration> & more: Deadline")
    assert message["blocks"][1]["type"] == "context"


def test_a_teams_message_is_an_adaptive_card_with_a_link_back():
    message = teams_message(EVENT)

    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0]["text"] == "INC-2026-0042: Parallax <exfiltration> & more"
    assert card["body"][1]["text"] == EVENT["text"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open incident", "url": EVENT["incident"]["url"]}
    ]


def test_a_webhook_gets_the_event_itself():
    assert render("webhook", EVENT) is EVENT
