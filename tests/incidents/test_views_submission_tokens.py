"""A form that creates something creates it once, however often the same form is sent."""

import re
import uuid

import pytest
from django.urls import reverse

from breachdesk.submissions import ALREADY_SAVED
from incidents.views import responses

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _note_url(incident):
    return reverse("incidents:note-add", args=[incident.reference])


def _notes(incident):
    return incident.timeline.filter(kind="note_added").count()


def _token_in(html: str) -> str:
    return re.search(r'name="submission_token" value="([0-9a-f-]{36})"', html).group(1)


def test_the_note_form_carries_a_fresh_token_on_every_render(client, incident, responder):
    client.force_login(responder)
    page = reverse("incidents:detail", args=[incident.reference])

    first = _token_in(client.get(page).text)
    second = _token_in(client.get(page).text)

    assert first != second


def test_a_note_sent_twice_with_one_token_is_saved_once_and_says_so(client, incident, responder):
    client.force_login(responder)
    form = {"text": "Called the vendor.", "submission_token": str(uuid.uuid4())}

    client.post(_note_url(incident), form, headers=HTMX)
    again = client.post(_note_url(incident), form, headers=HTMX)

    assert again.status_code == 200
    assert str(ALREADY_SAVED) in again.text
    assert _notes(incident) == 1


def test_a_note_saved_before_its_answer_failed_is_not_saved_again(
    client, incident, responder, monkeypatch
):
    client.force_login(responder)
    client.raise_request_exception = False
    form = {"text": "Called the vendor.", "submission_token": str(uuid.uuid4())}
    answer = responses.panel_response

    def database_drops_after_the_commit(*args, **kwargs):
        monkeypatch.setattr(responses, "panel_response", answer)
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(responses, "panel_response", database_drops_after_the_commit)
    failed = client.post(_note_url(incident), form, headers=HTMX)
    resent = client.post(_note_url(incident), form, headers=HTMX)

    assert failed.status_code == 500
    assert resent.status_code == 200
    assert _notes(incident) == 1


def test_a_resent_note_without_javascript_is_reported_on_the_page(client, incident, responder):
    client.force_login(responder)
    form = {"text": "Called the vendor.", "submission_token": str(uuid.uuid4())}
    client.post(_note_url(incident), form)

    again = client.post(_note_url(incident), form, follow=True)

    assert str(ALREADY_SAVED) in again.text
    assert _notes(incident) == 1


def test_two_notes_with_their_own_tokens_are_both_saved(client, incident, responder):
    client.force_login(responder)

    for text in ("First call.", "Second call."):
        client.post(
            _note_url(incident),
            {"text": text, "submission_token": str(uuid.uuid4())},
            headers=HTMX,
        )

    assert _notes(incident) == 2
