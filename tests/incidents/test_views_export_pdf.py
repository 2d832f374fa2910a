"""The PDF report: POST records the export and queues it; the worker builds it; only the
requester downloads it. Its text (pdftotext) holds the reference, the head hash and every entry."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import TimelineEntry, TimelineReport

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


ADVICE = "Counsel's view: the Helix clause caps our liability."


def _url(incident) -> str:
    return reverse("incidents:timeline-export-pdf", kwargs={"reference": incident.reference})


def _request(client, incident, capture, **choices):
    with capture(execute=True):
        response = client.post(_url(incident), choices)
    report = TimelineReport.objects.get(incident=incident)
    return response, report


def _download(client, incident, report):
    return client.get(
        reverse(
            "incidents:timeline-report-download",
            kwargs={"reference": incident.reference, "report_id": report.pk},
        )
    )


def _pdf_pages(response) -> list[str]:
    pdf = b"".join(response.streaming_content)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [page for page in text.split("\f") if page.strip()]


def test_getting_the_pdf_export_shows_the_form_and_writes_nothing(client, incident, viewer):
    before = incident.timeline.count()
    client.force_login(viewer)

    response = client.get(_url(incident))

    assert response.status_code == 200
    assert f'action="{_url(incident)}"' in response.content.decode()
    assert incident.timeline.count() == before
    assert not TimelineReport.objects.exists()


def test_posting_records_the_export_and_answers_with_the_preparing_page(
    client, incident, viewer, django_capture_on_commit_callbacks
):
    covered = incident.timeline.order_by("-seq").first()
    client.force_login(viewer)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(_url(incident), follow=True)

    report = TimelineReport.objects.get()
    assert (report.status, report.covers_seq) == (TimelineReport.Status.PREPARING, covered.seq)
    assert report.export_entry.kind == TimelineEntry.Kind.EXPORT_MADE
    assert report.export_entry.data["format"] == "pdf"
    assert len(queued) == 1
    assert "Preparing your report" in response.content.decode()
    assert _download(client, incident, report).status_code == 404


def test_the_built_report_holds_the_reference_the_head_hash_and_every_entry(
    client, incident, responder, viewer, django_capture_on_commit_callbacks
):
    for n in range(12):
        services.note_add(incident=incident, actor=responder, text=f"Checkpoint {n:02} logged.")
    head = incident.timeline.order_by("-seq").first()
    client.force_login(viewer)

    _, report = _request(client, incident, django_capture_on_commit_callbacks)
    response = _download(client, incident, report)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = "\n".join(_pdf_pages(response))
    flat = "".join(text.split())
    assert incident.reference in text
    assert head.hash in flat
    for n in range(12):
        assert f"Checkpoint {n:02} logged." in text
    for entry in incident.timeline.filter(seq__lte=head.seq):
        assert "".join(entry.get_kind_display().split()) in flat


def test_a_readers_report_withholds_privileged_text_and_says_so(
    client, incident, legal, viewer, django_capture_on_commit_callbacks
):
    services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)
    client.force_login(viewer)

    _, report = _request(client, incident, django_capture_on_commit_callbacks)

    text = "\n".join(_pdf_pages(_download(client, incident, report)))
    assert "Privileged content withheld" in text
    assert "Helix clause" not in text
    assert "Privileged & Confidential" not in text


def test_legals_report_with_privileged_texts_is_marked_on_every_page(
    client, incident, legal, django_capture_on_commit_callbacks
):
    services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)
    client.force_login(legal)

    _, report = _request(
        client, incident, django_capture_on_commit_callbacks, include_privileged="on"
    )
    response = _download(client, incident, report)

    pages = _pdf_pages(response)
    assert len(pages) > 1
    assert all("Privileged & Confidential" in page for page in pages)
    assert "Helix clause" in "\n".join(pages)
    assert "Privileged-Confidential" in response["Content-Disposition"]
    assert report.export_entry.data["include_privileged"] is True


def test_only_the_requester_may_download_the_report(
    client, incident, legal, viewer, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    _, report = _request(client, incident, django_capture_on_commit_callbacks)

    client.force_login(legal)

    assert _download(client, incident, report).status_code == 404


def test_an_outsider_cannot_request_a_report(client, incident, outsider):
    before = incident.timeline.count()
    client.force_login(outsider)

    assert client.post(_url(incident)).status_code == 404
    assert incident.timeline.count() == before
    assert not TimelineReport.objects.exists()


def test_a_second_delivery_of_the_build_does_nothing(
    client, incident, viewer, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    _, report = _request(client, incident, django_capture_on_commit_callbacks)
    stored = report.file.name

    status = services.timeline_report_build(report_id=report.pk)

    report.refresh_from_db()
    assert (status, report.file.name) == (TimelineReport.Status.READY, stored)


def test_the_report_page_refreshes_only_its_status_panel_while_preparing(
    client, incident, viewer, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(_url(incident))
    report = TimelineReport.objects.get()
    url = reverse(
        "incidents:timeline-report",
        kwargs={"reference": incident.reference, "report_id": report.pk},
    )

    response = client.get(url, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report-status"')
    assert f'hx-get="{url}"' in html
    assert "<html" not in html


def test_a_failed_layout_is_marked_failed_and_stores_nothing(
    client, incident, viewer, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    from incidents import reports

    def broken(report):
        raise RuntimeError("pango went away")

    monkeypatch.setattr(reports, "timeline_report_pdf", broken)
    client.force_login(viewer)

    _, report = _request(client, incident, django_capture_on_commit_callbacks)

    report.refresh_from_db()
    assert report.status == TimelineReport.Status.FAILED
    assert not report.file
    assert not any(path.is_file() for path in tmp_path.rglob("*"))
