"""A request without a session goes to sign in and back to its page, never lost silently."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from breachdesk.middleware import SESSION_ENDED, SESSION_ENDED_NOT_SAVED
from tests.factories import TEST_PASSWORD

HTMX = {"HX-Request": "true"}
LOGIN = "/accounts/login/"


def _on_page(incident):
    """Headers of an htmx request made from the incident's page."""
    return {**HTMX, "HX-Current-URL": f"http://testserver{incident.get_absolute_url()}"}


def _panel(incident):
    return f"{incident.get_absolute_url()}?panel=phase"


def _complete_url(incident):
    task = incident.tasks.get(title__startswith="Preserve evidence")
    return reverse(
        "incidents:task-complete", kwargs={"reference": incident.reference, "task_id": task.pk}
    )


# Requests without a session


def test_an_htmx_post_without_a_session_sends_the_page_to_sign_in(client, incident):
    response = client.post(_complete_url(incident), headers=_on_page(incident))

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?next={incident.get_absolute_url()}"
    assert response.content == b""


def test_an_htmx_refresh_without_a_session_sends_the_page_to_sign_in(client, incident):
    response = client.get(_panel(incident), headers=_on_page(incident))

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?next={incident.get_absolute_url()}"


def test_an_htmx_request_claiming_another_sites_page_gets_no_next(client, incident):
    headers = {**HTMX, "HX-Current-URL": f"https://evil.example{incident.get_absolute_url()}"}

    response = client.post(_complete_url(incident), headers=headers)

    assert response["HX-Redirect"] == LOGIN


def test_after_a_post_without_a_session_sign_in_says_it_was_not_saved(client, incident):
    refused = client.post(_complete_url(incident), headers=_on_page(incident))

    sign_in_page = client.get(refused["HX-Redirect"])

    assert str(SESSION_ENDED_NOT_SAVED) in sign_in_page.content.decode()


def test_after_a_refresh_without_a_session_sign_in_says_only_that_it_ended(client, incident):
    refused = client.get(_panel(incident), headers=_on_page(incident))

    html = client.get(refused["HX-Redirect"]).content.decode()

    assert str(SESSION_ENDED) in html
    assert str(SESSION_ENDED_NOT_SAVED) not in html


def test_a_post_without_a_session_redirects_to_sign_in_with_next_from_the_referer(client, incident):
    page = incident.get_absolute_url()

    response = client.post(_complete_url(incident), headers={"Referer": f"http://testserver{page}"})

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={page}"


def test_a_post_whose_referer_is_its_own_url_gets_no_next(client, incident):
    url = _complete_url(incident)

    response = client.post(url, headers={"Referer": f"http://testserver{url}"})

    assert response["Location"] == LOGIN


def test_a_post_from_another_site_gets_no_next(client, incident):
    headers = {"Referer": f"https://evil.example{incident.get_absolute_url()}"}

    response = client.post(_complete_url(incident), headers=headers)

    assert response["Location"] == LOGIN


def test_a_post_without_a_referer_gets_no_next(client, incident):
    response = client.post(_complete_url(incident))

    assert response["Location"] == LOGIN


def test_signing_in_after_a_post_without_a_session_lands_on_the_page(client, incident, responder):
    page = incident.get_absolute_url()
    refused = client.post(_complete_url(incident), headers={"Referer": f"http://testserver{page}"})
    next_url = parse_qs(urlsplit(refused["Location"]).query)["next"][0]

    signed_in = client.post(
        reverse("login"),
        {"username": "responder", "password": TEST_PASSWORD, "next": next_url},
    )

    assert signed_in["Location"] == page
    assert client.get(signed_in["Location"]).status_code == 200
