"""Who reads, exports and changes the vendor inventory (issue 9, fault 5).

Read: Commander, Legal, Responder, staff. Export: Commander, Legal, staff.
Change: Commander, staff. A Viewer and a user in no role: none of it.
"""

import pytest
from django.urls import reverse

from tests.factories import (
    DataAssetFactory,
    EngagementFactory,
    StakeholderContactFactory,
    StakeholderFactory,
    UserFactory,
    VendorContactFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db

READERS = ["commander", "legal", "responder", "staff"]
NOT_READERS = ["viewer", "no_role"]
EXPORTERS = ["commander", "legal", "staff"]
NOT_EXPORTERS = ["responder", "viewer", "no_role"]
CHANGERS = ["commander", "staff"]
NOT_CHANGERS = ["legal", "responder", "viewer", "no_role"]


@pytest.fixture
def staff(db):
    """An administrator in no role: staff alone opens the whole inventory."""
    return UserFactory(username="admin-user", is_staff=True)


@pytest.fixture
def inventory(db):
    vendor = VendorFactory(name="Parallax Data")
    VendorContactFactory(vendor=vendor, name="Sam Okafor", email="security@parallax.example")
    stakeholder = StakeholderFactory(name="Helix Health")
    StakeholderContactFactory(
        stakeholder=stakeholder, name="Ada Lindqvist", email="dpo@helix.example"
    )
    asset = DataAssetFactory(name="Clinical samples", stakeholders=[stakeholder])
    engagement = EngagementFactory(vendor=vendor, name="Annotation", data_assets=[asset])
    return {"vendor": vendor, "stakeholder": stakeholder, "asset": asset, "engagement": engagement}


def _read_urls(inventory):
    return [
        reverse("vendors:list"),
        reverse("vendors:detail", kwargs={"slug": inventory["vendor"].slug}),
        reverse("vendors:asset-list"),
        reverse("vendors:asset-detail", kwargs={"slug": inventory["asset"].slug}),
        reverse("vendors:stakeholder-list"),
        reverse("vendors:stakeholder-detail", kwargs={"slug": inventory["stakeholder"].slug}),
    ]


def _change_urls(inventory):
    return [
        reverse("vendors:create"),
        reverse("vendors:edit", kwargs={"slug": inventory["vendor"].slug}),
        reverse("vendors:engagement-edit", kwargs={"pk": inventory["engagement"].pk}),
        reverse("vendors:asset-create"),
        reverse("vendors:stakeholder-create"),
        reverse("vendors:import"),
    ]


def _statuses(client, urls):
    return {url: client.get(url).status_code for url in urls}


@pytest.mark.parametrize("persona", READERS)
def test_readers_open_every_inventory_page(client, request, persona, inventory):
    client.force_login(request.getfixturevalue(persona))

    statuses = _statuses(client, _read_urls(inventory))

    assert statuses == dict.fromkeys(statuses, 200)


@pytest.mark.parametrize("persona", NOT_READERS)
def test_others_get_403_on_every_inventory_page(client, request, persona, inventory):
    client.force_login(request.getfixturevalue(persona))

    statuses = _statuses(client, _read_urls(inventory))

    assert statuses == dict.fromkeys(statuses, 403)


@pytest.mark.parametrize("persona", NOT_READERS)
def test_the_security_contact_and_dpo_stay_hidden_from_others(client, request, persona, inventory):
    client.force_login(request.getfixturevalue(persona))

    pages = [client.get(url).content.decode() for url in _read_urls(inventory)]

    for text in ("Sam Okafor", "security@parallax.example", "Ada Lindqvist", "dpo@helix.example"):
        assert all(text not in page for page in pages), text


@pytest.mark.parametrize("persona", EXPORTERS)
def test_exporters_download_the_vendor_list(client, request, persona, inventory):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("vendors:export"))

    assert response.status_code == 200
    assert b"Parallax Data" in b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", NOT_EXPORTERS)
def test_others_cannot_download_the_vendor_list(client, request, persona, inventory):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("vendors:export"))

    assert response.status_code == 403
    assert b"Parallax Data" not in response.content


def test_a_responders_vendor_list_offers_no_download(client, responder, inventory):
    client.force_login(responder)

    response = client.get(reverse("vendors:list"))

    assert response.status_code == 200
    assert reverse("vendors:export") not in response.content.decode()


def test_legals_vendor_list_offers_the_download(client, legal, inventory):
    client.force_login(legal)

    response = client.get(reverse("vendors:list"))

    assert reverse("vendors:export") in response.content.decode()


@pytest.mark.parametrize("persona", CHANGERS)
def test_changers_open_every_editing_page(client, request, persona, inventory):
    client.force_login(request.getfixturevalue(persona))

    statuses = _statuses(client, _change_urls(inventory))

    assert statuses == dict.fromkeys(statuses, 200)


@pytest.mark.parametrize("persona", NOT_CHANGERS)
def test_others_get_403_on_every_editing_page(client, request, persona, inventory):
    client.force_login(request.getfixturevalue(persona))

    statuses = _statuses(client, _change_urls(inventory))

    assert statuses == dict.fromkeys(statuses, 403)


@pytest.mark.parametrize("persona", NOT_CHANGERS)
def test_others_cannot_rename_a_vendor(client, request, persona, inventory):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        reverse("vendors:edit", kwargs={"slug": inventory["vendor"].slug}),
        {"name": "Renamed", "tier": "low", "status": "active", "jurisdictions": "IE"},
    )

    inventory["vendor"].refresh_from_db()
    assert response.status_code == 403
    assert inventory["vendor"].name == "Parallax Data"


def test_a_viewers_incident_page_names_the_vendor_without_a_link(client, viewer, incident):
    vendor = incident.vendors.get()
    client.force_login(viewer)

    response = client.get(reverse("incidents:detail", kwargs={"reference": incident.reference}))

    html = response.content.decode()
    assert response.status_code == 200
    assert vendor.name in html
    assert f'href="{vendor.get_absolute_url()}"' not in html


def test_a_responders_incident_page_links_the_vendor(client, responder, incident):
    vendor = incident.vendors.get()
    client.force_login(responder)

    response = client.get(reverse("incidents:detail", kwargs={"reference": incident.reference}))

    assert f'href="{vendor.get_absolute_url()}"' in response.content.decode()
