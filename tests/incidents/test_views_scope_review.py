"""The scope review page: nothing preset, a choice to save a row, and one Save for the page.

Marking an asset exposed starts contract and regulatory clocks, so a Save
on a row nobody touched must record nothing.
"""

import re

import pytest
from django.urls import reverse

from incidents.models import ScopeItem, TimelineEntry
from incidents.services.triage import SCOPE_NEEDS_STATUS
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def clinical(incident):
    return DataAsset.objects.get(name="Clinical samples")


@pytest.fixture
def teleop(incident):
    return DataAsset.objects.get(name="Teleop logs")


def _url(incident, name, **kwargs):
    return reverse(name, kwargs={"reference": incident.reference, **kwargs})


def _row(asset, status="", records="", note=""):
    prefix = f"asset-{asset.pk}"
    return {
        f"{prefix}-status": status,
        f"{prefix}-records_affected": records,
        f"{prefix}-note": note,
    }


def _reviews(incident):
    return incident.timeline.filter(kind=TimelineEntry.Kind.SCOPE_REVIEWED)


def _selected(html, asset):
    select = re.search(rf'<select name="asset-{asset.pk}-status".*?</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)" selected>', select.group(0))


def test_an_unreviewed_row_starts_on_not_reviewed_yet(client, incident, responder, clinical):
    client.force_login(responder)

    html = client.get(_url(incident, "incidents:scope")).content.decode()

    assert _selected(html, clinical) == [""]
    assert '<option value="" selected>Not reviewed yet</option>' in html


def test_a_reviewed_row_shows_its_exposure_and_cannot_go_back(
    client, incident, responder, clinical
):
    client.force_login(responder)
    client.post(
        _url(incident, "incidents:scope-mark", asset_id=clinical.pk),
        _row(clinical, "suspected"),
    )

    html = client.get(_url(incident, "incidents:scope")).content.decode()

    assert _selected(html, clinical) == ["suspected"]
    select = re.search(rf'<select name="asset-{clinical.pk}-status".*?</select>', html, re.S)
    assert 'value=""' not in select.group(0)


def test_saving_a_row_without_a_choice_records_nothing(client, incident, responder, clinical):
    client.force_login(responder)
    entries = incident.timeline.count()

    response = client.post(
        _url(incident, "incidents:scope-mark", asset_id=clinical.pk),
        _row(clinical),
        headers=HTMX,
    )

    assert response.status_code == 422
    assert response.context["form"].errors["status"] == [SCOPE_NEEDS_STATUS]
    assert "<html" not in response.content.decode()
    assert not ScopeItem.objects.exists()
    assert incident.timeline.count() == entries
    assert not incident.deadlines.exists()


def test_without_javascript_a_refused_row_comes_back_on_the_page(
    client, incident, responder, clinical
):
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:scope-mark", asset_id=clinical.pk), _row(clinical)
    )

    assert response.status_code == 422
    assert "<html" in response.content.decode()
    assert SCOPE_NEEDS_STATUS in response.content.decode()
    assert not ScopeItem.objects.exists()


def test_a_rows_own_save_records_only_that_row(client, incident, responder, clinical, teleop):
    client.force_login(responder)

    # Without JavaScript the row's button posts the whole page's form to the row's URL.
    response = client.post(
        _url(incident, "incidents:scope-mark", asset_id=clinical.pk),
        {**_row(clinical, "confirmed", "48000"), **_row(teleop, "suspected")},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert ScopeItem.objects.get().data_asset == clinical
    assert _reviews(incident).count() == 1
    assert _selected(response.content.decode(), clinical) == ["confirmed"]


def test_the_page_saves_every_changed_row_in_one_post(
    client, incident, responder, clinical, teleop
):
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:scope-mark-all"),
        {**_row(clinical, "confirmed", "48000"), **_row(teleop, "not_exposed")},
    )

    assert response.status_code == 302
    assert response["Location"] == _url(incident, "incidents:scope")
    statuses = dict(ScopeItem.objects.values_list("data_asset__name", "status"))
    assert statuses == {"Clinical samples": "confirmed", "Teleop logs": "not_exposed"}
    assert _reviews(incident).count() == 2


def test_the_page_skips_rows_left_not_reviewed(client, incident, responder, clinical, teleop):
    client.force_login(responder)

    client.post(
        _url(incident, "incidents:scope-mark-all"),
        {**_row(clinical, "suspected"), **_row(teleop)},
    )

    assert list(ScopeItem.objects.values_list("data_asset__name", flat=True)) == [
        "Clinical samples"
    ]


def test_the_page_leaves_reviewed_rows_nobody_changed_alone(
    client, incident, responder, clinical, teleop
):
    client.force_login(responder)
    client.post(_url(incident, "incidents:scope-mark-all"), _row(clinical, "suspected", "10"))

    client.post(
        _url(incident, "incidents:scope-mark-all"),
        {**_row(clinical, "suspected", "10"), **_row(teleop, "not_exposed")},
    )

    assert [e.data["asset"]["name"] for e in _reviews(incident).order_by("seq")] == [
        "Clinical samples",
        "Teleop logs",
    ]


def test_a_save_with_nothing_changed_records_nothing(client, incident, responder, clinical):
    client.force_login(responder)
    entries = incident.timeline.count()

    response = client.post(_url(incident, "incidents:scope-mark-all"), _row(clinical), follow=True)

    assert "Nothing to save" in response.content.decode()
    assert not ScopeItem.objects.exists()
    assert incident.timeline.count() == entries


def test_one_wrong_row_refuses_the_whole_page(client, incident, responder, clinical, teleop):
    client.force_login(responder)
    entries = incident.timeline.count()

    response = client.post(
        _url(incident, "incidents:scope-mark-all"),
        {**_row(clinical, "confirmed", "48000"), **_row(teleop, records="12")},
    )

    forms = {asset.pk: form for asset, _item, form in response.context["rows"]}
    assert response.status_code == 422
    assert forms[teleop.pk].errors["status"] == [SCOPE_NEEDS_STATUS]
    assert forms[clinical.pk]["status"].value() == "confirmed"
    assert not ScopeItem.objects.exists()
    assert incident.timeline.count() == entries
    assert not incident.deadlines.exists()


def test_the_page_form_holds_each_rows_save(client, incident, responder, clinical):
    client.force_login(responder)

    html = client.get(_url(incident, "incidents:scope")).content.decode()

    row_url = _url(incident, "incidents:scope-mark", asset_id=clinical.pk)
    page_form = html.index(f'action="{_url(incident, "incidents:scope-mark-all")}"')
    assert page_form < html.index(f'formaction="{row_url}"')
    assert f'hx-post="{row_url}"' in html


def test_a_viewer_gets_no_scope_forms(client, incident, viewer):
    client.force_login(viewer)

    html = client.get(_url(incident, "incidents:scope")).content.decode()

    assert _url(incident, "incidents:scope-mark-all") not in html
    assert "<select" not in html
