"""A vendor questionnaire in a real browser, with a real worker and a real mail server.

The commander drafts the default questionnaire, Legal approves it, the
commander sends it; the worker delivers it over SMTP; the vendor opens the
link from the email, saves a draft, then submits with a file; the commander
sees the answers, confirms the scope the vendor reported and accepts the
vendor-aware time, and the deadlines are recomputed (the vendor told us
late). No console error and no CSP violation on any page. Screenshots go to
``var/screenshots/``.
"""

import re
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from incidents.models import (
    Deadline,
    Incident,
    Notification,
    QuestionnaireQuestion,
    ScopeItem,
    TimelineEntry,
)
from incidents.questionnaire_templates import ensure_default_questionnaire
from tests.factories import VendorContactFactory
from tests.test_browser_golden_path import Browsers, _sign_in
from vendors.models import DataAsset

pytestmark = [
    pytest.mark.services("postgres", "redis", "chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
VENDOR_EMAIL = "security@parallax.example"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def worker_env(smtp_server):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "SMTP_TLS": "0"}


@pytest.fixture
def browsers(browser, live_server):
    opened = Browsers(browser, live_server.url)
    yield opened
    opened.close()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"questionnaire-{name}.png", full_page=True)


def _wait_for_mail(smtp_server, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while len(smtp_server.messages()) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(smtp_server.messages()) >= count, "the questionnaire email did not arrive"


def test_a_vendor_answers_the_questionnaire_and_the_answers_feed_the_work(
    settings,
    live_server,
    browsers,
    incident,
    commander,
    legal,
    smtp_server,
    celery_worker,
    tmp_path,
):
    settings.SITE_URL = live_server.url
    ensure_default_questionnaire()
    VendorContactFactory(vendor=incident.vendors.get(), name="Sam Secure", email=VENDOR_EMAIL)
    clinical = DataAsset.objects.get(name="Clinical samples")
    questionnaire_page = re.compile(rf"/incidents/{incident.reference}/questionnaires/\d+/$")

    # The commander drafts the default questionnaire from the incident page.
    desk = browsers.open("commander")
    _sign_in(desk, "commander")
    desk.goto(f"/incidents/{incident.reference}/")
    desk.get_by_role("link", name="Ask the vendor questions").click()
    desk.get_by_role("button", name="Draft questionnaire").click()
    desk.wait_for_url(questionnaire_page)
    _shot(desk, "01-drafted")

    # Legal approves it; the commander sends it and the worker delivers it.
    counsel = browsers.open("legal")
    _sign_in(counsel, "legal")
    counsel.goto(desk.url.replace(live_server.url, ""))
    counsel.get_by_role("button", name="Approve questionnaire").click()
    counsel.wait_for_selector("text=Approved. The commander can send it now.")
    desk.reload()
    desk.get_by_role("button", name="Send to the vendor").click()
    desk.wait_for_selector("text=Queued for the vendor's security contacts")
    _wait_for_mail(smtp_server, 1)
    (email,) = smtp_server.messages()
    notice = Notification.objects.get(kind=Notification.Kind.VENDOR_QUESTIONNAIRE)
    assert email["Message-ID"] == notice.message_id
    assert VENDOR_EMAIL in email["To"]
    text = email.get_body(preferencelist=("plain",)).get_content()
    answer_link = re.search(rf"{re.escape(live_server.url)}/q/\S+", text).group(0)

    # The vendor opens the link, saves a draft, then submits with a file.
    questionnaire = incident.questionnaires.get()
    questions = {q.kind: q for q in questionnaire.questions.order_by("-order")}
    kinds = QuestionnaireQuestion.Kind
    vendor = browsers.open("vendor")
    vendor.goto(answer_link)
    aware = (timezone.now() - timedelta(days=3)).astimezone(ZoneInfo("Europe/Berlin"))
    vendor.fill(f"[name=q{questions[kinds.DATETIME].pk}]", f"{aware:%Y-%m-%dT%H:%M}")
    vendor.select_option(f"[name=q{questions[kinds.DATETIME].pk}_zone]", "Europe/Berlin")
    what = questionnaire.questions.filter(kind=kinds.TEXT).order_by("order").first()
    vendor.fill(f"[name=q{what.pk}]", "A phished administrator account; the bucket was copied.")
    vendor.get_by_role("checkbox", name="Clinical samples").check()
    vendor.get_by_label("Records of “Clinical samples” reached").fill("1200")
    vendor.get_by_label("Your name").fill("Sam Secure")
    vendor.get_by_label("Your email").fill(VENDOR_EMAIL)
    _shot(vendor, "02-vendor-form")
    vendor.get_by_role("button", name="Save draft").click()
    vendor.wait_for_selector("text=Draft saved")
    assert not questionnaire.responses.exists()
    report = tmp_path / "forensics.pdf"
    report.write_bytes(PDF)
    vendor.set_input_files(f"[name=q{questions[kinds.FILE].pk}]", str(report))
    vendor.get_by_role("button", name="Submit answers").click()
    vendor.wait_for_selector("text=your answers are recorded (version 1)")
    _shot(vendor, "03-vendor-submitted")

    # The commander sees the answers beside the questions on the incident page.
    desk.goto(f"/incidents/{incident.reference}/")
    panel = desk.locator("#questionnaires")
    panel.get_by_text("A phished administrator account").wait_for()
    assert "Clinical samples: 1,200 records" in panel.inner_text()
    assert "forensics.pdf" in panel.inner_text()
    _shot(desk, "04-answers")

    # The scope review comes pre-filled from the vendor's answer; the commander confirms it.
    desk.goto(f"/incidents/{incident.reference}/scope/")
    row = desk.locator(f"#asset-{clinical.pk}")
    assert "Reported by the vendor" in row.inner_text()
    assert not ScopeItem.objects.exists()
    row.locator("button", has_text="Save this row").click()
    desk.wait_for_selector(f"#asset-{clinical.pk} .badge >> text=Confirmed exposed")
    item = ScopeItem.objects.get()
    assert item.records_affected == 1200 and item.reviewed_by == commander

    # The commander accepts the vendor-aware time: the clocks follow.
    desk.goto(f"/incidents/{incident.reference}/questionnaires/{questionnaire.pk}/")
    desk.get_by_role("button", name="Accept as when the vendor became aware").click()
    desk.wait_for_selector("#vendor-sla >> text=The vendor told us late")
    _shot(desk, "05-accepted")
    incident = Incident.objects.get(pk=incident.pk)
    assert abs(incident.vendor_aware_at - aware) < timedelta(minutes=1)
    assert incident.deadlines.get(rule_id="vendor-sla").status == Deadline.Status.MISSED
    kinds_on_timeline = list(incident.timeline.values_list("kind", flat=True))
    accepted_at = kinds_on_timeline.index(TimelineEntry.Kind.VENDOR_AWARE_ACCEPTED)
    assert TimelineEntry.Kind.DEADLINE_SET in kinds_on_timeline[accepted_at:]

    assert browsers.problems == []
