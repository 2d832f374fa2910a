"""The golden path in a real browser, with a real worker and a real mail server.

Commander opens an incident against a vendor with active engagements, pauses
them, reviews the scope and drafts the partner notice; Legal approves it; the
commander sends it; the worker delivers it over SMTP; the partner opens the
acknowledgement link in the email and confirms; the timeline shows every step
and its JSON export verifies with nothing but hashlib. No console error and
no CSP violation on any page. Screenshots go to ``var/screenshots/``.
"""

import hashlib
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from incidents.models import Incident, Notification
from tests.factories import TEST_PASSWORD, StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = [
    pytest.mark.services("postgres", "redis", "chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
PARTNER_EMAIL = "privacy@helix.example"


@pytest.fixture
def worker_env(smtp_server):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "SMTP_TLS": "0"}


@pytest.fixture
def partner_contact(breached_vendor):
    from incidents.email_templates import ensure_email_templates
    from incidents.playbooks import ensure_default_playbook

    # Transactional tests empty the tables that migrations fill; put the defaults back.
    ensure_default_playbook()
    ensure_email_templates()
    helix = Stakeholder.objects.get(name="Helix Health")
    return StakeholderContactFactory(stakeholder=helix, name="Mira Albrecht", email=PARTNER_EMAIL)


class Browsers:
    """One browser context per person, each page watched for console errors and CSP reports."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.problems = []
        self.contexts = []

    def open(self, who: str):
        context = self.browser.new_context(base_url=self.base_url, accept_downloads=True)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"{who}: console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"{who}: page error: {error}"))
        # Chromium reports each violation as an event on the document as well as in the console.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))"
        )
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsers(browser, live_server):
    opened = Browsers(browser, live_server.url)
    yield opened
    opened.close()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"golden-path-{name}.png", full_page=True)


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def _verify_export(document: dict) -> int:
    """DESIGN.md, Hash chain: recompute every hash with hashlib alone; returns the count."""
    previous = "0" * 64
    for position, entry in enumerate(document["entries"], start=1):
        body = entry["body"]
        assert body["seq"] == position
        assert entry["prev_hash"] == previous
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256((previous + canonical).encode()).hexdigest()
        assert digest == entry["hash"], f"entry {position} does not verify"
        previous = digest
    return len(document["entries"])


def test_from_opening_to_the_partners_acknowledgement_in_a_browser(
    settings,
    live_server,
    browsers,
    commander,
    legal,
    breached_vendor,
    partner_contact,
    smtp_server,
    celery_worker,
):
    # Links in the notice point at this server.
    settings.SITE_URL = live_server.url
    asset = DataAsset.objects.get(name="Clinical samples")

    # Commander: open the incident against the vendor.
    desk = browsers.open("commander")
    _sign_in(desk, "commander")
    desk.goto("/incidents/new/")
    desk.get_by_label("Title").fill("Parallax Data breach reported by press")
    desk.select_option("#id_vendors", label="Parallax Data")
    # Two hours ago, in the commander's zone (UTC): every deadline is still ahead.
    aware = timezone.now() - timedelta(hours=2)
    desk.get_by_label("We became aware").fill(f"{aware:%Y-%m-%dT%H:%M}")
    _shot(desk, "01-open")
    desk.get_by_role("button", name="Open incident").click()
    desk.wait_for_url(re.compile(r"/incidents/[^/]+/$"))
    incident = Incident.objects.get()
    assert desk.url.endswith(f"/incidents/{incident.reference}/")

    # Pause the vendor's active engagements.
    desk.locator("#triage").get_by_label("Why pause").fill(
        "Stop the annotation flow until the scope is known."
    )
    desk.get_by_role("button", name="Pause all engagements").click()
    desk.wait_for_selector("#triage .badge >> text=Paused")
    _shot(desk, "02-paused")

    # Scope review: the clinical samples are confirmed exposed.
    desk.get_by_role("link", name="Open the scope review").click()
    desk.select_option(f"#id_asset-{asset.pk}-status", "confirmed")
    desk.locator(f"#asset-{asset.pk} button", has_text="Save this row").click()
    desk.wait_for_selector(f"#asset-{asset.pk} .badge >> text=Confirmed")
    _shot(desk, "03-scope")

    # Draft the partner notice.
    desk.goto(f"/incidents/{incident.reference}/")
    desk.get_by_role("button", name="Draft partner notices").click()
    desk.wait_for_selector("#notifications .badge >> text=Draft")
    _shot(desk, "04-drafted")

    # Legal approves it.
    counsel = browsers.open("legal")
    _sign_in(counsel, "legal")
    counsel.goto(f"/incidents/{incident.reference}/")
    # Approving means reading: the panel leads to the notice's page, its text, the button.
    counsel.locator("#notifications").get_by_role("link", name="Read and approve").click()
    counsel.wait_for_selector("text=What the recipient will read")
    counsel.get_by_role("button", name="Approve this notice").click()
    counsel.wait_for_selector("#notifications >> text=Approved by")
    _shot(counsel, "05-approved")

    # The commander sends it; the worker delivers it and the panel follows.
    desk.reload()
    desk.get_by_role("button", name="Send approved notices").click()
    desk.wait_for_selector("#notifications .badge >> text=Sent", timeout=60_000)
    _shot(desk, "06-sent")
    notice = Notification.objects.get(incident=incident)
    assert smtp_server.message_ids() == [notice.message_id]
    (email,) = smtp_server.messages()
    assert email["To"] == f"Mira Albrecht <{PARTNER_EMAIL}>" or email["To"] == PARTNER_EMAIL
    text = email.get_body(preferencelist=("plain",)).get_content()
    ack_link = re.search(rf"{re.escape(live_server.url)}/ack/\S+", text).group(0)

    # The partner opens the link in the email and confirms.
    partner = browsers.open("partner")
    partner.goto(ack_link)
    _shot(partner, "07-ack")
    partner.get_by_role("button", name="Confirm receipt").click()
    partner.wait_for_selector("h1 >> text=Thank you")
    _shot(partner, "08-acknowledged")

    # The commander sees the acknowledgement, and the timeline shows every step.
    desk.goto(f"/incidents/{incident.reference}/")
    desk.wait_for_selector("#notifications .badge-met >> text=Acknowledged")
    desk.goto(f"/incidents/{incident.reference}/timeline/")
    _shot(desk, "09-timeline")
    kinds = desk.locator("main table tbody tr td:nth-child(3)").all_inner_texts()
    for step in (
        "Incident opened",
        "Engagement paused",
        "Scope reviewed",
        "Notice drafted",
        "Notice approved",
        "Notice queued for sending",
        "Notice sent",
        "Deadline met",
        "Notice acknowledged",
    ):
        assert step in kinds, f"the timeline does not show {step!r}: {kinds}"

    # The JSON export verifies with hashlib alone.
    desk.goto(f"/incidents/{incident.reference}/timeline/export.json")
    with desk.expect_download() as download:
        desk.get_by_role("button", name="Export as JSON").click()
    document = json.loads(Path(download.value.path()).read_text())
    assert _verify_export(document) >= 8

    assert browsers.problems == []
