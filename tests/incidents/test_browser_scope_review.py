"""The scope review in a real browser: a row saves on its own, the page saves all at once."""

import pytest
from django.core.management import call_command

pytestmark = [
    pytest.mark.services("chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")


@pytest.fixture
def console_errors(page):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "favicon" not in message.text
            else None
        ),
    )
    return errors


def _open_scope_review(page, live_server):
    from incidents.models import Incident
    from incidents.selectors import held_assets

    incident = Incident.objects.get()
    assets = list(
        held_assets(incident).exclude(scope_items__incident=incident).order_by("name")[:2]
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "responder")
    page.fill("#id_password", "breachdesk")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/incidents/{incident.reference}/scope/")
    return incident, assets


def test_a_row_without_a_choice_is_refused_in_place(page, live_server, demo, console_errors):
    incident, (asset, _other) = _open_scope_review(page, live_server)
    row = page.locator(f"#asset-{asset.pk}")

    row.locator("button", has_text="Save this row").click()

    page.wait_for_selector(f"#asset-{asset.pk} .errorlist")
    assert "Choose the exposure" in page.locator(f"#asset-{asset.pk}").inner_text()
    assert not incident.scope_items.filter(data_asset=asset).exists()


def test_a_row_saves_on_its_own_and_the_page_saves_the_rest(
    page, live_server, demo, console_errors
):
    incident, (first, second) = _open_scope_review(page, live_server)
    page.select_option(f"#id_asset-{first.pk}-status", "suspected")
    page.locator(f"#asset-{first.pk} button", has_text="Save this row").click()
    page.wait_for_selector(f"#asset-{first.pk} .badge >> text=Suspected")

    page.select_option(f"#id_asset-{second.pk}-status", "not_exposed")
    page.locator("button", has_text="Save all changes").last.click()

    page.wait_for_selector("text=Recorded the review of 1 data asset.")
    statuses = dict(
        incident.scope_items.filter(data_asset__in=[first, second]).values_list(
            "data_asset_id", "status"
        )
    )
    assert statuses == {first.pk: "suspected", second.pk: "not_exposed"}
    assert console_errors == []
