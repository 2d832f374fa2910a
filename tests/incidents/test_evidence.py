"""Evidence: type read from the content, limits, names, access, downloads and deletions on the
timeline, and never a file without its row nor a row without its file."""

import hashlib
import struct

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents import services
from incidents.models import Evidence, TimelineEntry
from incidents.services import evidence as evidence_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def _windows_program() -> bytes:
    """The smallest MZ/PE header that libmagic calls a Windows executable."""
    header = bytearray(b"MZ" + b"\x00" * 58 + struct.pack("<I", 64))
    pe = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x102)
    return bytes(header) + pe + b"\x00" * 0x2E0


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def _url(incident, name="incidents:evidence", **kwargs) -> str:
    return reverse(name, kwargs={"reference": incident.reference, **kwargs})


def _refusal(incident, responder, name, content) -> str:
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            incident=incident, actor=responder, upload=SimpleUploadedFile(name, content)
        )
    return " ".join(refused.value.messages)


def test_an_upload_is_stored_with_its_hash_size_type_and_uploader_on_the_timeline(
    incident, responder, _media_in_tmp
):
    item = services.evidence_add(
        incident=incident,
        actor=responder,
        upload=SimpleUploadedFile("breach-notice.pdf", PDF, "application/x-whatever"),
        description="As received",
    )

    entry = incident.timeline.order_by("-seq").first()
    assert (item.content_type, item.size) == ("application/pdf", len(PDF))
    assert item.sha256 == hashlib.sha256(PDF).hexdigest()
    assert entry.kind == TimelineEntry.Kind.EVIDENCE_ADDED
    assert entry.data["evidence"]["sha256"] == item.sha256
    assert entry.data["evidence"]["uploaded_by"]["username"] == "responder"
    assert (_media_in_tmp / item.file.name).read_bytes() == PDF


def test_the_browsers_type_is_ignored_for_the_contents(incident, responder):
    item = services.evidence_add(
        incident=incident,
        actor=responder,
        upload=SimpleUploadedFile("screenshot.png", PNG, "application/pdf"),
    )

    assert item.content_type == "image/png"


def test_the_stored_name_never_comes_from_the_uploader(incident, responder):
    item = services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("x.pdf", PDF)
    )

    assert item.file.name.startswith(f"evidence/{incident.pk}/")
    assert "x.pdf" not in item.file.name


def test_two_uploads_of_the_same_name_keep_both_files(incident, responder, _media_in_tmp):
    first = services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    second = services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("a.pdf", PDF + b"% v2\n")
    )

    assert first.file.name != second.file.name
    assert (_media_in_tmp / first.file.name).read_bytes() == PDF


def test_an_executable_named_pdf_is_refused(incident, responder, _media_in_tmp):
    message = _refusal(incident, responder, "invoice.pdf", _windows_program())

    assert "not accepted" in message
    assert not Evidence.objects.exists()
    assert _stored_files(_media_in_tmp) == []


def test_content_that_contradicts_the_extension_is_refused(incident, responder, _media_in_tmp):
    message = _refusal(incident, responder, "photo.pdf", PNG)

    assert "content is image/png, but its name ends in .pdf" in message
    assert _stored_files(_media_in_tmp) == []


def test_an_empty_file_is_refused(incident, responder, _media_in_tmp):
    assert _refusal(incident, responder, "empty.pdf", b"") == evidence_services.FILE_EMPTY
    assert _stored_files(_media_in_tmp) == []


def test_a_file_over_the_limit_is_refused(incident, responder, settings, _media_in_tmp):
    settings.EVIDENCE_MAX_MB = 1

    message = _refusal(incident, responder, "big.txt", b"a" * (1024 * 1024 + 1))

    assert "at most 1 MB" in message
    assert _stored_files(_media_in_tmp) == []


@pytest.mark.parametrize(
    "name",
    [
        "report\u202efdp.exe",  # right-to-left override: shows as "reportexe.pdf"
        "notice\x00.pdf",
        "notice\u200b.pdf",
    ],
)
def test_names_with_hidden_characters_are_refused(incident, responder, name):
    assert "invisible or direction-changing" in _refusal(incident, responder, name, PDF)


def test_a_very_long_name_is_refused(incident, responder):
    assert "rename it to at most 200" in _refusal(incident, responder, "a" * 240 + ".pdf", PDF)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\notes.txt", "notes.txt"),
        ("Zu\u0308rich – 報告.txt", "Zürich – 報告.txt"),
    ],
)
def test_names_keep_only_their_last_part_normalised(given, kept):
    assert evidence_services.clean_file_name(given) == kept


def test_a_name_without_an_extension_is_refused(incident, responder):
    assert _refusal(incident, responder, "x", PDF) == evidence_services.NAME_MISSING


def test_a_viewer_cannot_upload(incident, viewer, _media_in_tmp):
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            incident=incident, actor=viewer, upload=SimpleUploadedFile("a.pdf", PDF)
        )

    assert _stored_files(_media_in_tmp) == []


def test_a_failed_record_leaves_no_file_behind(incident, responder, monkeypatch, _media_in_tmp):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(evidence_services.timeline, "record_evidence_added", broken)

    with pytest.raises(RuntimeError):
        services.evidence_add(
            incident=incident, actor=responder, upload=SimpleUploadedFile("a.pdf", PDF)
        )

    assert not Evidence.objects.exists()
    assert _stored_files(_media_in_tmp) == []


def test_uploading_through_the_page(client, incident, responder):
    client.force_login(responder)

    response = client.post(
        _url(incident), {"file": SimpleUploadedFile("notice.pdf", PDF), "description": "Notice"}
    )

    assert response.status_code == 302
    assert Evidence.objects.get().original_name == "notice.pdf"


def test_a_refused_upload_says_why_next_to_the_field(client, incident, responder):
    client.force_login(responder)

    response = client.post(_url(incident), {"file": SimpleUploadedFile("invoice.pdf", PNG)})

    assert response.status_code == 422
    assert "its name ends in .pdf" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_download_is_recorded_then_streamed_as_an_attachment(client, incident, responder, viewer):
    item = services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("notice.pdf", PDF)
    )
    client.force_login(viewer)

    response = client.post(_url(incident, "incidents:evidence-download", evidence_id=item.pk))

    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="notice.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    entry = incident.timeline.order_by("-seq").first()
    assert (entry.kind, entry.actor_name) == (TimelineEntry.Kind.EVIDENCE_DOWNLOADED, "viewer")


def test_a_download_by_get_is_refused_and_records_nothing(client, incident, responder, viewer):
    item = services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("notice.pdf", PDF)
    )
    before = incident.timeline.count()
    client.force_login(viewer)

    response = client.get(_url(incident, "incidents:evidence-download", evidence_id=item.pk))

    assert response.status_code == 405
    assert incident.timeline.count() == before


def test_an_outsider_gets_404_for_the_evidence_and_its_download(
    client, incident, responder, outsider
):
    item = services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("notice.pdf", PDF)
    )
    client.force_login(outsider)

    assert client.get(_url(incident)).status_code == 404
    download = _url(incident, "incidents:evidence-download", evidence_id=item.pk)
    assert client.post(download).status_code == 404


def test_evidence_of_another_incident_is_not_found(client, incident, responder, commander):
    from tests.factories import IncidentFactory

    other = IncidentFactory(commander=commander)
    item = services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("notice.pdf", PDF)
    )
    client.force_login(commander)

    response = client.post(_url(other, "incidents:evidence-download", evidence_id=item.pk))

    assert response.status_code == 404


def test_deleting_removes_the_row_and_file_and_is_on_the_timeline(
    incident, responder, _media_in_tmp, django_capture_on_commit_callbacks
):
    item = services.evidence_add(
        incident=incident, actor=responder, upload=SimpleUploadedFile("notice.pdf", PDF)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(evidence=item, actor=responder, reason="Uploaded twice.")

    entry = incident.timeline.order_by("-seq").first()
    assert (entry.kind, entry.data["reason"]) == (
        TimelineEntry.Kind.EVIDENCE_DELETED,
        "Uploaded twice.",
    )
    assert entry.data["evidence"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert not Evidence.objects.exists()
    assert _stored_files(_media_in_tmp) == []


def test_an_upload_sent_twice_with_one_token_is_stored_once_and_says_so(
    client, incident, responder, _media_in_tmp
):
    client.force_login(responder)
    token = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"

    for _ in range(2):
        response = client.post(
            _url(incident),
            {"file": SimpleUploadedFile("notice.pdf", PDF), "submission_token": token},
            follow=True,
        )

    assert Evidence.objects.count() == 1
    assert len(_stored_files(_media_in_tmp)) == 1
    assert "already saved" in response.content.decode()
