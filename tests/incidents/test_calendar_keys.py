"""Calendar feed links carry a key for one feed, which a password change or deactivation kills.

The links are read from the pages that show them, as a person copying them
into their calendar app would: the incident page offers that incident's feed
only, and the personal feed (every incident the user may see) is offered on
the preferences page alone. A calendar server fetches the links signed out.
"""

import re

import pytest
from django.urls import reverse

from breachdesk.feed_keys import feed_key, incident_scope
from incidents import services
from incidents.models import Incident
from tests.factories import TEST_PASSWORD, IncidentFactory
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db

FEED_LINK = re.compile(r"(?:https?://[^/\s\"<]+)?(/[\w/.-]*deadlines\.ics\?key=[\w-]+)")


@pytest.fixture
def exposed(incident, responder):
    """EU health data confirmed exposed: the incident has deadlines to put in a calendar."""
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
    )
    return incident


@pytest.fixture
def other_incident(commander, responder, breached_vendor):
    """A second incident the responder is a member of."""
    other = IncidentFactory(commander=commander, vendors=[breached_vendor], title="Second breach")
    services.member_add(incident=other, actor=commander, user=responder, role="responder")
    return other


def _feed_link(client, user, page_url: str) -> str:
    """The calendar link that ``user`` is shown on ``page_url``."""
    client.force_login(user)
    html = client.get(page_url).content.decode()
    client.logout()
    links = FEED_LINK.findall(html)
    assert len(links) == 1, links
    return links[0]


def _incident_link(client, user, incident) -> str:
    return _feed_link(client, user, incident.get_absolute_url())


def _personal_link(client, user) -> str:
    return _feed_link(client, user, reverse("preferences"))


def _key_of(link: str) -> str:
    return link.partition("?key=")[2]


def _incident_feed(incident) -> str:
    return reverse("incidents:deadlines-ics", kwargs={"reference": incident.reference})


def _admin_save_user(admin_client, user, *, is_active: bool):
    """Save the user's admin change form as it stands, with "Active" ticked or not."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "time_zone": user.time_zone,
    }
    if is_active:
        data["is_active"] = "on"
    return admin_client.post(reverse("admin:breachdesk_user_change", args=[user.pk]), data)


# --- what the pages offer --------------------------------------------------------------


def test_the_incident_page_links_that_incidents_feed_with_its_own_key(client, exposed, responder):
    link = _incident_link(client, responder, exposed)

    assert link == (
        f"{_incident_feed(exposed)}?key={feed_key(responder, incident_scope(exposed.pk))}"
    )


def test_the_incident_page_link_opens_that_incidents_feed(client, exposed, responder):
    link = _incident_link(client, responder, exposed)

    response = client.get(link)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert exposed.reference in response.content.decode()


def test_the_incident_page_does_not_carry_the_personal_feed_key(client, exposed, responder):
    client.force_login(responder)

    html = client.get(exposed.get_absolute_url()).content.decode()

    assert feed_key(responder) not in html
    assert f'"{reverse("deadlines-ics")}?' not in html


def test_the_preferences_page_links_the_personal_feed(client, exposed, responder):
    link = _personal_link(client, responder)

    response = client.get(link)

    assert link == f"{reverse('deadlines-ics')}?key={feed_key(responder)}"
    assert response.status_code == 200
    assert exposed.reference in response.content.decode()


@pytest.mark.parametrize("page", ["home", "preferences", "incident", "timeline"])
def test_no_page_shows_the_raw_calendar_token(client, exposed, responder, page):
    urls = {
        "home": reverse("home"),
        "preferences": reverse("preferences"),
        "incident": exposed.get_absolute_url(),
        "timeline": reverse("incidents:timeline", kwargs={"reference": exposed.reference}),
    }
    client.force_login(responder)

    response = client.get(urls[page])

    assert response.status_code == 200
    assert str(responder.calendar_token) not in response.content.decode()


# --- what a key opens ------------------------------------------------------------------


def test_the_incident_page_key_does_not_open_another_incidents_feed(
    client, exposed, other_incident, responder
):
    key = _key_of(_incident_link(client, responder, exposed))

    response = client.get(_incident_feed(other_incident), {"key": key})

    assert response.status_code == 404


def test_the_incident_page_key_does_not_open_the_personal_feed(client, exposed, responder):
    key = _key_of(_incident_link(client, responder, exposed))

    response = client.get(reverse("deadlines-ics"), {"key": key})

    assert response.status_code == 404


@pytest.mark.parametrize("feed", ["incident", "personal"])
def test_the_raw_calendar_token_opens_no_feed(client, exposed, responder, feed):
    url = _incident_feed(exposed) if feed == "incident" else reverse("deadlines-ics")

    response = client.get(url, {"key": str(responder.calendar_token)})

    assert response.status_code == 404


# --- what kills a key ------------------------------------------------------------------


def test_changing_the_password_kills_every_feed_key(client, exposed, responder):
    links = [_incident_link(client, responder, exposed), _personal_link(client, responder)]
    client.force_login(responder)

    changed = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a new and longer passphrase",
            "new_password2": "a new and longer passphrase",
        },
    )
    client.logout()

    assert changed.status_code == 302
    assert [client.get(link).status_code for link in links] == [404, 404]


def test_setting_a_new_password_kills_every_feed_key(client, exposed, responder):
    links = [_incident_link(client, responder, exposed), _personal_link(client, responder)]

    responder.set_password("a new and longer passphrase")
    responder.save()

    assert [client.get(link).status_code for link in links] == [404, 404]


def test_deactivating_a_user_in_the_admin_kills_every_feed_key(
    client, admin_client, exposed, responder
):
    links = [_incident_link(client, responder, exposed), _personal_link(client, responder)]

    saved = _admin_save_user(admin_client, responder, is_active=False)

    assert saved.status_code == 302
    assert [client.get(link).status_code for link in links] == [404, 404]


def test_feed_keys_stay_dead_after_the_user_is_reactivated(
    client, admin_client, exposed, responder
):
    links = [_incident_link(client, responder, exposed), _personal_link(client, responder)]
    _admin_save_user(admin_client, responder, is_active=False)

    reactivated = _admin_save_user(admin_client, responder, is_active=True)

    assert reactivated.status_code == 302
    responder.refresh_from_db()
    assert responder.is_active
    assert [client.get(link).status_code for link in links] == [404, 404]


# --- what a feed carries ---------------------------------------------------------------


@pytest.mark.parametrize("feed", ["incident", "personal"])
def test_a_feed_carries_no_incident_title_or_summary(client, exposed, responder, feed):
    Incident.objects.filter(pk=exposed.pk).update(
        title="Quokka exfiltration", summary="Wombat credentials were leaked."
    )
    if feed == "incident":
        link = _incident_link(client, responder, exposed)
    else:
        link = _personal_link(client, responder)

    response = client.get(link)

    text = response.content.decode().replace("\r\n ", "")
    assert exposed.reference in text
    assert "GDPR Art. 33(1)" in text
    assert "Quokka" not in text
    assert "Wombat" not in text
