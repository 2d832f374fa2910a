"""The workspace's people pickers: a few people and a search, not every user in the company."""

import re

import pytest
from django.urls import reverse

from incidents.forms import PICKER_SHOWN, MemberAddForm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _people_url(incident, **params):
    return reverse("incidents:people", args=[incident.reference]), params


def _select(html, name):
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


def test_the_workspace_renders_a_few_people_per_picker_not_everyone(client, incident, commander):
    for n in range(PICKER_SHOWN + 15):
        UserFactory(username=f"staffer{n:02}", roles=["Responder"])
    client.force_login(commander)

    html = client.get(incident.get_absolute_url()).content.decode()

    for name in ("user", "commander"):
        options = re.findall(r"<option", _select(html, name))
        assert len(options) <= PICKER_SHOWN + 2
    assert 'hx-get="/incidents/' in html and "/people/?for=member" in html


def test_the_search_offers_the_people_matching_every_word(client, incident, commander):
    UserFactory(username="dana", first_name="Dana", last_name="Ruiz", roles=["Responder"])
    UserFactory(username="dan", first_name="Dan", last_name="Okafor", roles=["Responder"])
    client.force_login(commander)

    url, params = _people_url(incident, **{"for": "member", "q": "dan ruiz"})
    response = client.get(url, params, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Dana Ruiz" in html
    assert "Dan Okafor" not in html
    assert "<html" not in html


def test_the_search_offers_only_people_the_form_accepts(client, incident, commander, responder):
    UserFactory(username="norole-nina", first_name="Nina")
    client.force_login(commander)

    url, _ = _people_url(incident)
    members = client.get(url, {"for": "member", "q": ""}).content.decode()
    commanders = client.get(url, {"for": "commander", "q": ""}).content.decode()

    assert responder.display_name not in members  # on the team already
    assert "Nina" not in members  # no role
    assert responder.display_name not in commanders  # not a commander
    assert commander.display_name in commanders


def test_only_those_who_command_may_search_people(client, incident, responder, outsider):
    url, _ = _people_url(incident)

    client.force_login(responder)
    assert client.get(url, {"for": "member", "q": "a"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url, {"for": "member", "q": "a"}).status_code == 404


@pytest.mark.parametrize("params", [{"for": "everyone"}, {"for": "member", "q": "x" * 101}])
def test_a_search_out_of_range_is_refused(client, incident, commander, params):
    client.force_login(commander)
    url, _ = _people_url(incident)

    assert client.get(url, params).status_code == 422


def test_someone_beyond_the_first_page_can_still_be_added(client, incident, commander):
    for n in range(PICKER_SHOWN + 5):
        UserFactory(username=f"aaa{n:02}", first_name="Aaa", roles=["Responder"])
    zed = UserFactory(username="zed", first_name="Zed", last_name="Zulu", roles=["Responder"])
    client.force_login(commander)

    response = client.post(
        reverse("incidents:member-add", args=[incident.reference]),
        {"user": zed.pk, "role": "responder"},
    )

    assert response.status_code == 302
    assert incident.members.filter(user=zed).exists()


def test_a_picker_renders_again_with_the_same_people(incident, commander, responder):
    form = MemberAddForm(incident=incident)

    first, second = str(form["user"]), str(form["user"])

    assert first == second
    assert responder.display_name not in first  # on the team already: not offered
