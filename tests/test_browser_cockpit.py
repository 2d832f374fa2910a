"""The cockpit in a real browser at desktop and phone size, under the strict CSP.

The dashboard leads with the nearest deadline, countdowns tick without a
reload, the incident page shows what is next without scrolling, and nothing
scrolls sideways on a phone. Screenshots go to ``var/screenshots/``.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from incidents.models import Deadline, Incident
from tests.factories import TEST_PASSWORD, IncidentFactory, VendorFactory

pytestmark = [
    pytest.mark.services("chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SIZES))
def screen(request):
    return request.param


@pytest.fixture
def watched(browser, live_server, screen):
    """A page of the given size, its console errors and CSP violations collected."""
    context = browser.new_context(base_url=live_server.url, viewport=SIZES[screen])
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "favicon" not in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))"
    )
    yield page, problems
    context.close()


@pytest.fixture
def burning(incident):
    """Three open incidents: the nearest deadline is on a SEV3 opened before a deadline-less SEV1."""
    nearest = IncidentFactory(
        commander=incident.commander, severity="sev3", title="Nearest deadline"
    )
    IncidentFactory(commander=incident.commander, severity="sev1", title="No deadline")
    Incident.objects.filter(pk=nearest.pk).update(
        next_deadline_at=timezone.now() + timedelta(hours=5)
    )
    Incident.objects.exclude(pk=nearest.pk).exclude(pk=incident.pk).update(next_deadline_at=None)
    due = timezone.now() + timedelta(hours=51)
    incident.deadlines.create(
        rule_id="contract:Helix Health",
        regime="Contract",
        recipient="Helix Health",
        citation="Contract with Helix Health",
        confidence="A",
        standard="72 hours",
        trigger="aware_at",
        starts_at=due - timedelta(hours=72),
        due_at=due,
        status=Deadline.Status.PENDING,
    )
    Incident.objects.filter(pk=incident.pk).update(next_deadline_at=due)
    return nearest


def _sign_in(page, username="commander"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def _shot(page, name, screen):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"cockpit-{name}-{screen}.png", full_page=False)


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def _in_first_screen(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_the_dashboard_leads_with_the_nearest_deadline(watched, burning, screen):
    page, problems = watched
    _sign_in(page)

    first = page.locator("#dashboard-incidents tbody tr").first

    assert burning.reference in first.inner_text()
    # The server's clock runs here: a few seconds pass between setting up and showing.
    assert re.search(r"(4 h 59 m|5 h 0 m) left", first.inner_text())
    assert not _scrolls_sideways(page)
    _shot(page, "dashboard", screen)
    assert problems == []


def _no_panel_refreshes(route):
    """Answers the dashboard's 30-second poll with "nothing new" (204: htmx swaps nothing)."""
    if route.request.headers.get("hx-request"):
        route.fulfill(status=204)
    else:
        route.continue_()


def test_a_countdown_ticks_without_a_reload(watched, burning, screen):
    page, problems = watched
    # Jumping the page's clock two hours also fires the panels' poll, whose
    # answer is drawn at the server's real time and could land after the
    # tick under test, racing it.
    page.route("**/*", _no_panel_refreshes)
    page.clock.install()
    _sign_in(page)
    countdown = page.locator("#dashboard-incidents tbody tr").first.locator("time[data-countdown]")
    assert re.search(r"(4 h 59 m|5 h 0 m) left$", countdown.inner_text())

    page.clock.fast_forward("02:00:00")

    assert re.search(r"(2 h 59 m|3 h 0 m) left$", countdown.inner_text())
    assert problems == []


def test_the_incident_page_shows_the_next_deadline_and_actions_without_scrolling(
    watched, burning, incident, screen
):
    page, problems = watched
    _sign_in(page)

    page.goto(incident.get_absolute_url())

    assert "Contract with Helix Health" in page.inner_text(".next-deadline")
    assert _in_first_screen(page, ".next-deadline")
    assert _in_first_screen(page, ".next-actions")
    assert page.locator(".next-actions li").count() >= 1
    assert not _scrolls_sideways(page)
    _shot(page, "incident", screen)
    page.screenshot(path=SCREENSHOTS / f"cockpit-incident-full-{screen}.png", full_page=True)
    assert problems == []


def test_the_incident_list_does_not_scroll_sideways(watched, burning, screen):
    page, problems = watched
    IncidentFactory(
        commander=burning.commander,
        vendors=[VendorFactory(name="A vendor with a rather long name, Incorporated")],
        title="An incident title long enough to wrap on a phone screen without trouble",
    )
    _sign_in(page)

    page.goto("/incidents/?state=all")

    assert page.locator("#incident-list tbody tr").count() == 4
    assert not _scrolls_sideways(page)
    _shot(page, "list", screen)
    assert problems == []


def test_the_dashboard_polls_every_30_seconds_only_while_the_tab_is_visible(
    watched, burning, screen
):
    page, problems = watched
    polls = []
    page.on(
        "request",
        lambda request: polls.append(request.url) if request.headers.get("hx-request") else None,
    )
    page.clock.install()
    _sign_in(page)

    page.clock.fast_forward("00:31")
    page.wait_for_timeout(300)
    assert len(polls) == 1
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.clock.fast_forward("00:31")
    page.wait_for_timeout(300)
    assert len(polls) == 1
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.wait_for_timeout(300)

    assert len(polls) == 2
    assert page.locator("#dashboard-incidents tbody tr").count() == 3
    assert problems == []
