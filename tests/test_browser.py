"""htmx in a real browser, under the strict CSP: clicks swap fragments, nothing is blocked."""

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


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "breachdesk")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_marking_a_task_done_swaps_its_row_and_refreshes_the_timeline(
    page, live_server, demo, console_errors
):
    from incidents.models import Incident

    reference = Incident.objects.get().reference
    _sign_in(page, live_server, "responder")
    page.goto(f"{live_server.url}/incidents/{reference}/")
    row = page.locator("tr.task.task-open").first
    row_id = row.get_attribute("id")
    title = row.locator("strong").first.inner_text()

    row.locator("button", has_text="Mark done").click()

    page.wait_for_selector(f"#{row_id}.task-done")
    page.wait_for_selector(f".timeline-entry >> nth=0 >> text=Task done: {title}")
    assert console_errors == []


def test_vendor_search_filters_as_you_type(page, live_server, demo, console_errors):
    _sign_in(page, live_server, "responder")
    page.goto(f"{live_server.url}/vendors/")

    page.fill("#id_q", "cobalt")

    page.wait_for_selector(".result-count:text-is('1 vendor')")
    assert "q=cobalt" in page.url
    assert console_errors == []


def test_a_refused_action_says_so_instead_of_doing_nothing(page, live_server, demo, console_errors):
    from incidents.models import Incident

    reference = Incident.objects.get().reference
    _sign_in(page, live_server, "responder")
    page.goto(f"{live_server.url}/incidents/{reference}/")

    page.evaluate(
        "ref => htmx.ajax('POST', `/incidents/${ref}/severity/`, "
        "{target: '#phase', values: {severity: 'sev4'}})",
        reference,
    )

    page.wait_for_selector("#htmx-error:not([hidden])")
    assert page.inner_text("#htmx-error") == "You are not allowed to do that."
