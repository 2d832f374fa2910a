"""A signed-in user in no role sees nothing but a request to get one (issue 9, fault 5).

They may use the dashboard (which asks an administrator for a role), their
preferences and password; every incident, inventory page, export and feed
answers 403, whatever the incident or record.
"""

import re

import pytest
from django.urls import reverse

from incidents.models import IncidentMember
from tests.factories import DataAssetFactory, StakeholderContactFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

ASK_FOR_A_ROLE = "Ask an administrator to give you one."


def _top_bar(response) -> str:
    match = re.search(r'<nav class="topnav".*?</nav>', response.content.decode(), re.DOTALL)
    assert match, "the page has no top bar"
    return match.group(0)


@pytest.fixture
def inventory(breached_vendor):
    """An asset and a stakeholder whose DPO is named in the inventory."""
    dpo = StakeholderContactFactory(
        stakeholder=StakeholderFactory(name="Helix Partners"),
        name="Ada Lindqvist",
        email="dpo@helix.example",
    )
    return {
        "vendor": breached_vendor,
        "asset": DataAssetFactory(name="Payroll extract"),
        "stakeholder": dpo.stakeholder,
    }


def _forbidden_urls(incident, inventory):
    reference = {"reference": incident.reference}
    return [
        reverse("incidents:list"),
        reverse("incidents:create"),
        reverse("incidents:detail", kwargs=reference),
        reverse("incidents:timeline", kwargs=reference),
        reverse("incidents:timeline-export-json", kwargs=reference),
        reverse("incidents:timeline-verify", kwargs=reference),
        reverse("incidents:scope", kwargs=reference),
        reverse("incidents:deadlines-ics", kwargs=reference),
        reverse("deadlines-ics"),
        reverse("vendors:list"),
        reverse("vendors:export"),
        reverse("vendors:detail", kwargs={"slug": inventory["vendor"].slug}),
        reverse("vendors:asset-list"),
        reverse("vendors:asset-detail", kwargs={"slug": inventory["asset"].slug}),
        reverse("vendors:stakeholder-list"),
        reverse("vendors:stakeholder-detail", kwargs={"slug": inventory["stakeholder"].slug}),
    ]


def test_the_dashboard_asks_a_user_without_a_role_to_get_one(client, no_role, incident):
    client.force_login(no_role)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert ASK_FOR_A_ROLE in html
    assert incident.reference not in html
    assert incident.title not in html


def test_a_user_without_a_role_may_open_their_preferences_without_the_calendar(client, no_role):
    client.force_login(no_role)

    response = client.get(reverse("preferences"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Deadlines in your calendar" not in html
    assert str(no_role.calendar_token) not in html
    assert reverse("deadlines-ics") not in html


def test_a_user_without_a_role_may_change_their_password(client, no_role):
    client.force_login(no_role)

    response = client.get(reverse("password_change"))

    assert response.status_code == 200


def test_a_user_without_a_role_gets_403_on_every_incident_and_inventory_page(
    client, no_role, incident, inventory
):
    client.force_login(no_role)

    statuses = {url: client.get(url).status_code for url in _forbidden_urls(incident, inventory)}

    assert statuses == dict.fromkeys(statuses, 403)


def test_a_member_without_a_role_gets_403_on_the_incident_page(client, no_role, incident):
    IncidentMember.objects.create(incident=incident, user=no_role, role="viewer")
    client.force_login(no_role)

    response = client.get(reverse("incidents:detail", kwargs={"reference": incident.reference}))

    assert response.status_code == 403
    assert incident.title not in response.content.decode()


def test_the_inventory_export_holds_nothing_for_a_user_without_a_role(client, no_role, inventory):
    client.force_login(no_role)

    response = client.get(reverse("vendors:export"))

    assert response.status_code == 403
    assert b"Parallax Data" not in response.content


def test_the_stakeholder_page_hides_the_dpo_from_a_user_without_a_role(client, no_role, inventory):
    client.force_login(no_role)

    response = client.get(
        reverse("vendors:stakeholder-detail", kwargs={"slug": inventory["stakeholder"].slug})
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "Ada Lindqvist" not in html
    assert "dpo@helix.example" not in html


def test_the_top_bar_of_a_user_without_a_role_offers_no_incidents_vendors_or_clocks(
    client, no_role
):
    client.force_login(no_role)

    top_bar = _top_bar(client.get(reverse("home")))

    assert f'href="{reverse("incidents:list")}"' not in top_bar
    assert f'href="{reverse("vendors:list")}"' not in top_bar
    assert f'href="{reverse("whatif")}"' not in top_bar


def test_the_top_bar_of_a_viewer_offers_incidents_but_no_vendors(client, viewer):
    client.force_login(viewer)

    top_bar = _top_bar(client.get(reverse("home")))

    assert f'href="{reverse("incidents:list")}"' in top_bar
    assert f'href="{reverse("vendors:list")}"' not in top_bar
