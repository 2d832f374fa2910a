"""Pages read by screen readers and keyboards: glyphs hidden beside words, controls named."""

import unicodedata
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Deadline
from tests.factories import StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Page(HTMLParser):
    """Collects glyphs read aloud, headings inside <summary>, and labels by their ``for``."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.exposed_glyphs: list[str] = []
        self.headings_in_summary: list[str] = []
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and any(
            t == "summary" for t, _ in self.stack
        ):
            self.headings_in_summary.append(tag)
        if tag == "label" and attrs.get("for"):
            self._label_for = attrs["for"]
            self.labels[self._label_for] = ""
        if tag not in VOID:
            hidden = attrs.get("aria-hidden") == "true" or any(h for _t, h in self.stack)
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] += data
        if self.stack and (self.stack[-1][1] or self.stack[-1][0] in ("script", "style")):
            return
        self.exposed_glyphs += [c for c in data if unicodedata.category(c) == "So"]


def _parse(response) -> _Page:
    assert response.status_code == 200, response.status_code
    page = _Page()
    page.feed(response.content.decode())
    return page


@pytest.fixture
def busy(incident, commander, responder, legal, django_capture_on_commit_callbacks):
    """An incident with a paused vendor, a reviewed scope, a sent notice and a draft."""
    services.engagements_pause(incident=incident, actor=commander, reason="Breach")
    for name, email in (("Helix Health", "a@helix.example"), ("Orbital Robotics", "b@o.example")):
        StakeholderContactFactory(stakeholder=Stakeholder.objects.get(name=name), email=email)
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
        records_affected=10,
    )
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    services.notification_approve(notification=drafts[0], actor=legal)
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=incident, actor=commander)
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Teleop logs"),
        status="suspected",
    )
    services.notifications_draft_partner_notices(incident=incident, actor=commander)
    services.task_complete(task=incident.tasks.first(), actor=commander)
    return incident


def _pages(incident):
    ref = incident.reference
    notice = incident.notifications.first()
    deadline = incident.deadlines.first()
    return [
        incident.get_absolute_url(),
        reverse("incidents:scope", args=[ref]),
        reverse("incidents:notification", args=[ref, notice.pk]),
        reverse("incidents:deadline", args=[ref, deadline.pk]),
        reverse("incidents:task-add", args=[ref]),
        reverse("incidents:public-summary", args=[ref]),
        reverse("incidents:timeline", args=[ref]),
        reverse("clock-rules"),
        reverse("vendors:list"),
    ]


def test_no_page_reads_a_glyph_aloud(client, busy, commander):
    client.force_login(commander)

    for url in _pages(busy):
        page = _parse(client.get(url))
        assert page.exposed_glyphs == [], url


def test_no_heading_sits_inside_a_summary(client, busy, commander):
    client.force_login(commander)

    for url in _pages(busy):
        assert _parse(client.get(url)).headings_in_summary == [], url


def test_each_scope_review_control_names_its_asset(client, busy, responder):
    client.force_login(responder)

    page = _parse(client.get(reverse("incidents:scope", args=[busy.reference])))

    for asset in DataAsset.objects.filter(engagements__vendor__incidents=busy):
        named = [label for label in page.labels.values() if asset.name in label]
        assert len(named) == 3, (asset.name, page.labels)


def test_a_deadlines_confidence_is_written_out_not_only_on_hover(client, busy, commander):
    client.force_login(commander)
    deadline = busy.deadlines.first()

    html = client.get(busy.get_absolute_url()).content.decode()

    assert f"{deadline.citation} (confidence {deadline.confidence})" in html


def test_the_grade_c_explanation_is_a_link_a_keyboard_reaches(client, commander):
    client.force_login(commander)

    html = client.get(reverse("clock-rules")).content.decode()

    assert 'class="badge badge-warning badge-grade-c" href="/clocks/rules/#grades"' in html
    assert 'id="grades"' in html


def test_a_countdown_hides_its_icon_and_keeps_its_words(client, busy, commander):
    Deadline.objects.filter(incident=busy).update(due_at=busy.discovered_at)
    client.force_login(commander)

    html = client.get(busy.get_absolute_url()).content.decode()

    assert '<span aria-hidden="true">⚠</span> overdue by' in html
