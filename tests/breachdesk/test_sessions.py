"""Sessions end after 12 idle hours or 7 days; an ended session loses nothing silently."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from breachdesk.middleware import SESSION_ENDED, SESSION_ENDED_NOT_SAVED
from incidents.models import Task
from tests.factories import TEST_PASSWORD
from tests.manage_child import run_manage

SIGNED_IN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}
LOGIN = "/accounts/login/"


@pytest.fixture
def clock():
    """Frozen at the moment of sign-in; a test moves it on with ``clock.shift``."""
    with time_machine.travel(SIGNED_IN, tick=False) as traveller:
        yield traveller


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


def _sign_in_as_before_the_timeouts(client, user):
    """A session as sign-in wrote it before sessions had timeouts: the user, nothing else."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key


# Idle timeout


@pytest.mark.django_db
def test_a_session_idle_for_12_hours_and_a_second_is_signed_out(clock, client, commander):
    client.force_login(commander)
    clock.shift(timedelta(hours=12, seconds=1))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


@pytest.mark.django_db
def test_a_session_idle_for_11_hours_59_minutes_is_not_signed_out(clock, client, commander):
    client.force_login(commander)
    clock.shift(timedelta(hours=11, minutes=59))

    response = client.get(reverse("home"))

    assert response.status_code == 200


def test_htmx_refreshes_every_few_minutes_do_not_keep_a_session_alive(
    clock, client, incident, responder
):
    client.force_login(responder)
    for _ in range(12 * 6):
        clock.shift(timedelta(minutes=10))
        client.get(_panel(incident), headers=_on_page(incident))
    clock.shift(timedelta(seconds=1))

    response = client.get(_panel(incident), headers=_on_page(incident))

    assert response["HX-Redirect"] == f"{LOGIN}?next={incident.get_absolute_url()}"


@pytest.mark.django_db
def test_idle_time_counts_from_the_last_page_load(clock, client, commander):
    client.force_login(commander)
    clock.shift(timedelta(hours=6))
    client.get(reverse("home"))

    clock.shift(timedelta(hours=6, seconds=1))
    twelve_hours_after_sign_in = client.get(reverse("home"), headers=HTMX)
    clock.shift(timedelta(hours=6))
    twelve_hours_after_the_page_load = client.get(reverse("home"), headers=HTMX)

    assert twelve_hours_after_sign_in.status_code == 200
    assert "HX-Redirect" not in twelve_hours_after_sign_in
    assert "HX-Redirect" in twelve_hours_after_the_page_load


def test_idle_time_counts_from_the_last_htmx_post(clock, client, incident, responder):
    client.force_login(responder)
    clock.shift(timedelta(hours=6))
    client.post(_complete_url(incident), headers=_on_page(incident))

    clock.shift(timedelta(hours=6, seconds=1))
    twelve_hours_after_sign_in = client.get(_panel(incident), headers=_on_page(incident))
    clock.shift(timedelta(hours=6))
    twelve_hours_after_the_post = client.get(_panel(incident), headers=_on_page(incident))

    assert twelve_hours_after_sign_in.status_code == 200
    assert "HX-Redirect" not in twelve_hours_after_sign_in
    assert "HX-Redirect" in twelve_hours_after_the_post


@pytest.mark.django_db
def test_last_activity_is_written_at_most_once_a_minute(clock, client, commander):
    client.force_login(commander)

    clock.shift(timedelta(seconds=59))
    within_the_minute = client.get(reverse("home"))
    clock.shift(timedelta(seconds=2))
    after_the_minute = client.get(reverse("home"))

    assert django_settings.SESSION_COOKIE_NAME not in within_the_minute.cookies
    assert django_settings.SESSION_COOKIE_NAME in after_the_minute.cookies


# Absolute lifetime


@pytest.mark.django_db
def test_a_session_older_than_7_days_is_ended_even_when_active(clock, client, commander):
    client.force_login(commander)
    for _ in range(7 * 4):
        clock.shift(timedelta(hours=6))
        client.get(reverse("home"))
    clock.shift(timedelta(seconds=1))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


@pytest.mark.django_db
def test_signing_in_again_restarts_the_lifetime(clock, client, commander, settings):
    # Idle time may run as long as the lifetime here, so that only the lifetime ends it.
    settings.SESSION_IDLE_HOURS = 7 * 24
    client.force_login(commander)
    clock.shift(timedelta(days=6))
    client.post(reverse("login"), {"username": "commander", "password": TEST_PASSWORD})

    clock.shift(timedelta(days=1, seconds=1))
    seven_days_after_first_sign_in = client.get(reverse("home"))
    clock.shift(timedelta(days=6))
    seven_days_after_second_sign_in = client.get(reverse("home"))

    assert seven_days_after_first_sign_in.status_code == 200
    assert seven_days_after_second_sign_in.status_code == 302


@pytest.mark.django_db
def test_a_session_from_before_the_timeouts_counts_from_its_next_request(clock, client, commander):
    _sign_in_as_before_the_timeouts(client, commander)

    clock.shift(timedelta(days=1))
    first_request = client.get(reverse("home"))
    clock.shift(timedelta(hours=12, seconds=1))
    idle_since_then = client.get(reverse("home"))

    assert first_request.status_code == 200
    assert idle_since_then.status_code == 302


# Settings


def _session_settings(tmp_path, **env):
    return run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_IDLE_HOURS, s.SESSION_MAX_HOURS, s.SESSION_COOKIE_AGE)",
        env={"DEBUG": "1", "DATA_DIR": str(tmp_path), **env},
    )


def test_sessions_default_to_12_idle_hours_and_7_days(tmp_path):
    result = _session_settings(tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["12", "168", str(168 * 3600)]


def test_session_limits_come_from_the_environment(tmp_path):
    result = _session_settings(tmp_path, SESSION_IDLE_HOURS="2", SESSION_MAX_HOURS="24")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["2", "24", str(24 * 3600)]


def test_an_idle_timeout_longer_than_the_lifetime_stops_start_up(tmp_path):
    result = _session_settings(tmp_path, SESSION_IDLE_HOURS="200")

    assert result.returncode != 0
    assert "SESSION_IDLE_HOURS=200 is longer than SESSION_MAX_HOURS=168" in result.stderr


def test_a_session_limit_of_zero_hours_stops_start_up(tmp_path):
    result = _session_settings(tmp_path, SESSION_MAX_HOURS="0")

    assert result.returncode != 0
    assert "SESSION_MAX_HOURS=0 must be at least 1" in result.stderr


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


def test_an_htmx_post_after_the_idle_timeout_is_not_done(clock, client, incident, responder):
    client.force_login(responder)
    clock.shift(timedelta(hours=12, seconds=1))

    response = client.post(_complete_url(incident), headers=_on_page(incident))

    assert response["HX-Redirect"] == f"{LOGIN}?next={incident.get_absolute_url()}"
    task = incident.tasks.get(title__startswith="Preserve evidence")
    assert task.status == Task.Status.OPEN


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
