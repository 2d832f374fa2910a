"""Only Legal ever reads a privileged note: every page, panel, export, feed and email, per visitor.

The scripted incident (tests/conftest.py) is the demo plus a privileged note
holding PRIVILEGED_MARKER. Every visitor opens every URL of the URLconf, every
panel of the incident page, exports the timeline (asking for privileged texts,
which only Legal is offered) and reads their calendar feeds; every email the
script sent is read too. The marker may appear only in what Legal receives.
"""

import pytest
from django.core import mail
from django.urls import reverse

from breachdesk.feed_keys import feed_key, incident_scope
from incidents.selectors import PANELS
from incidents.selectors.workspace import ROW_PARTIALS
from tests.conftest import PRIVILEGED_MARKER
from tests.test_access_by_url import PERSONAS, url_for, url_names

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _everything_seen_by(client, scripted, persona) -> dict[str, str]:
    """What this visitor receives from every URL, panel, export and feed, keyed by where."""
    user = scripted.personas[persona]
    if user is not None:
        client.force_login(user)
    reference = scripted.incident.reference
    seen = {}
    for name in url_names():
        url = url_for(name, scripted.ids)
        seen[f"GET {url}"] = _body(client.get(url))
    detail = reverse("incidents:detail", kwargs={"reference": reference})
    for panel in sorted(set(PANELS) - set(ROW_PARTIALS)):
        seen[f"panel {panel}"] = _body(
            client.get(detail, {"panel": panel}, headers={"HX-Request": "true"})
        )
    timeline = reverse("incidents:timeline", kwargs={"reference": reference})
    seen["timeline page 1 (htmx)"] = _body(
        client.get(timeline, {"page": 1}, headers={"HX-Request": "true"})
    )
    export = reverse("incidents:timeline-export-json", kwargs={"reference": reference})
    seen["export, privileged texts asked for"] = _body(
        client.post(export, {"include_privileged": "on"})
    )
    seen["export"] = _body(client.post(export))
    if user is not None:
        seen["personal feed"] = _body(client.get(reverse("deadlines-ics"), {"key": feed_key(user)}))
        seen["incident feed"] = _body(
            client.get(
                reverse("incidents:deadlines-ics", kwargs={"reference": reference}),
                {"key": feed_key(user, incident_scope(scripted.incident.pk))},
            )
        )
    if persona == "staff":
        for admin_list in ("timelineentry", "incident", "notification", "task"):
            url = reverse(f"admin:incidents_{admin_list}_changelist")
            # Searched by other words of the note: the search box echoes what was typed.
            seen[f"admin search {admin_list}"] = _body(
                client.get(url, {"q": "not for circulation"})
            )
        for entry in scripted.incident.timeline.all():
            url = reverse("admin:incidents_timelineentry_change", args=[entry.pk])
            seen[f"admin entry {entry.seq}"] = _body(client.get(url))
    return seen


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_legal_ever_receives_the_words_of_a_privileged_note(client, scripted, persona):
    seen = _everything_seen_by(client, scripted, persona)

    carrying = sorted(where for where, text in seen.items() if PRIVILEGED_MARKER in text)
    if persona == "legal":
        assert f"GET {url_for('incidents:timeline', scripted.ids)}" in carrying
        assert "export, privileged texts asked for" in carrying
        assert "export" not in carrying
    else:
        assert carrying == []


def test_no_email_of_the_scripted_incident_carries_a_privileged_note(scripted):
    sent = [*mail.outbox, *scripted.incident.notifications.all()]

    texts = [
        f"{getattr(m, 'subject', '')} {getattr(m, 'body', '')} {getattr(m, 'body_text', '')}"
        for m in sent
    ]

    assert texts
    assert not [text for text in texts if PRIVILEGED_MARKER in text]
