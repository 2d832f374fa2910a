"""The server-drawn SVG: key moments, phases, deadlines by status, notices, evidence, hold."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents import services
from incidents.models import Deadline
from incidents.selectors import visual_timeline_for
from incidents.visual_timeline import (
    DEADLINE_STYLE,
    DeadlineMark,
    Moment,
    VisualTimeline,
    render_svg,
    text_alternative,
)
from tests.conftest import FROZEN_NOW

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _svg(vt: VisualTimeline) -> str:
    return render_svg(vt, localise=lambda moment: moment, title="INC-2026-0001")


def test_the_svg_is_well_formed_and_labelled_for_screen_readers():
    svg = _svg(VisualTimeline(now=T0, key_moments=[Moment(T0, "We became aware")]))

    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output, parsed to check it
    assert root.get("role") == "img"
    assert root.find("{http://www.w3.org/2000/svg}title").text == "INC-2026-0001"


def test_each_deadline_status_has_its_colour_and_its_word():
    vt = VisualTimeline(
        now=T0,
        deadlines=[
            DeadlineMark(T0 + timedelta(hours=n), f"Duty {status}", status)
            for n, status in enumerate(("met", "pending", "missed", "waived"))
        ],
    )

    svg = _svg(vt)
    words = [what for *_, what in text_alternative(vt, localise=lambda moment: moment)]

    for status, (colour, _shape, word) in DEADLINE_STYLE.items():
        assert f'fill="{colour}"' in svg or f'stroke="{colour}"' in svg
        assert f"Duty {status}: {word}" in words


def test_text_drawn_from_user_input_is_escaped():
    svg = _svg(VisualTimeline(now=T0, evidence=[Moment(T0, "<script>alert(1)</script>.pdf")]))

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_the_text_alternative_lists_everything_in_time_order_with_the_drawn_numbers():
    vt = VisualTimeline(
        now=T0,
        key_moments=[Moment(T0 + timedelta(hours=2), "We became aware"), Moment(T0, "Occurred")],
    )

    rows = text_alternative(vt, localise=lambda moment: moment)

    assert [(number, what) for number, _when, _lane, what in rows] == [
        (1, "Occurred"),
        (2, "We became aware"),
    ]


@pytest.fixture
def scoped(incident, responder):
    """EU health data confirmed exposed: GDPR and contract deadlines start."""
    from incidents.services import ScopeMark
    from vendors.models import DataAsset

    services.scope_review_mark_many(
        incident=incident,
        actor=responder,
        marks=[ScopeMark(DataAsset.objects.get(name="Clinical samples"), "confirmed", 48_000)],
    )
    return incident


@pytest.mark.django_db
def test_an_incidents_drawing_holds_its_key_moments_deadlines_evidence_and_hold(
    scoped, responder, legal, settings, tmp_path
):
    incident = scoped
    settings.MEDIA_ROOT = tmp_path
    services.evidence_add(
        incident=incident,
        actor=responder,
        upload=SimpleUploadedFile("call-log.txt", b"10:00 vendor called\n"),
    )
    services.incident_place_legal_hold(incident=incident, actor=legal, reason="Claim.")
    deadline = Deadline.objects.filter(incident=incident).exclude(due_at=None).first()

    vt = visual_timeline_for(incident=incident, now=FROZEN_NOW)
    svg = _svg(vt)

    assert "We became aware" in svg
    assert f"{deadline.regime}: {deadline.recipient}" in [mark.label for mark in vt.deadlines]
    assert deadline.regime in svg
    assert [m.label for m in vt.evidence] == ["call-log.txt"]
    assert len(vt.legal_holds) == 1
    assert [span.key for span in vt.phases] == ["triage"]


@pytest.mark.django_db
def test_a_pending_deadline_past_due_is_drawn_as_missed(scoped):
    incident = scoped
    deadline = Deadline.objects.filter(incident=incident).exclude(due_at=None).first()

    vt = visual_timeline_for(incident=incident, now=deadline.due_at + timedelta(hours=1))

    drawn = next(mark for mark in vt.deadlines if mark.at == deadline.due_at)
    assert drawn.status == Deadline.Status.MISSED
