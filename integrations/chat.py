"""What an event looks like in each endpoint's format: JSON event, Slack or Teams message.

Chat messages are read by people in a channel: they lead with the incident
(linked back to BreachDesk) and say the deadline in words, "due in 41 h 12 m
(Tue 3 Dec 14:00 UTC)", as of the moment the event happened.
"""

from datetime import UTC, datetime
from typing import Any

from integrations.models import EndpointFormat

HOUR = 3600
DAY = 24 * HOUR


def _span(seconds: int) -> str:
    """``148320`` → ``"41 h 12 m"``; past three days, days and hours."""
    minutes = seconds // 60
    if seconds >= 3 * DAY:
        return f"{seconds // DAY} d {seconds % DAY // HOUR} h"
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60} m"
    return f"{minutes} m"


def when(moment: datetime) -> str:
    """``Tue 3 Dec 14:00 UTC``."""
    moment = moment.astimezone(UTC)
    return f"{moment:%a} {moment.day} {moment:%b %H:%M} UTC"


def due_words(due_at: str | None, standard: str, *, now: datetime) -> str:
    """A deadline as a reader takes it in: "due in 41 h 12 m (Tue 3 Dec 14:00 UTC)".

    ``due_at`` is ISO 8601 or None (a duty with no fixed time: its standard,
    e.g. "without undue delay", is said instead). A due time already passed
    reads "overdue by 2 h 5 m (…)".
    """
    if due_at is None:
        return standard
    due = datetime.fromisoformat(due_at)
    left = int((due - now).total_seconds())
    if left >= 0:
        return f"due in {_span(left)} ({when(due)})"
    return f"overdue by {_span(-left)} ({when(due)})"


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn reads these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(event: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook message: a plain ``text`` fallback and one section block."""
    incident = event["incident"]
    heading = f"{incident['reference']}: {incident['title']}"
    link = f"<{incident['url']}|{_slack_escape(heading)}>"
    return {
        "text": f"{heading}: {event['text']}",
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{link}*\n{_slack_escape(event['text'])}"},
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": _slack_escape(
                            f"{incident['severity'].upper()} · {incident['phase']} · "
                            f"{event['actor']}"
                        ),
                    }
                ],
            },
        ],
    }


def teams_message(event: dict[str, Any]) -> dict[str, Any]:
    """A Microsoft Teams incoming-webhook message: one Adaptive Card with a link back."""
    incident = event["incident"]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": f"{incident['reference']}: {incident['title']}",
                            "weight": "Bolder",
                            "wrap": True,
                        },
                        {"type": "TextBlock", "text": event["text"], "wrap": True},
                        {
                            "type": "TextBlock",
                            "text": (
                                f"{incident['severity'].upper()} · {incident['phase']} · "
                                f"{event['actor']}"
                            ),
                            "isSubtle": True,
                            "wrap": True,
                        },
                    ],
                    "actions": [
                        {"type": "Action.OpenUrl", "title": "Open incident", "url": incident["url"]}
                    ],
                },
            }
        ],
    }


def render(endpoint_format: str, event: dict[str, Any]) -> dict[str, Any]:
    """The JSON body for an endpoint of ``endpoint_format`` (the event itself for webhooks)."""
    if endpoint_format == EndpointFormat.SLACK:
        return slack_message(event)
    if endpoint_format == EndpointFormat.TEAMS:
        return teams_message(event)
    return event
