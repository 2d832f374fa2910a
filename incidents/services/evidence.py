"""Evidence files: added, downloaded and deleted, each a timeline entry (chain of custody).

Nothing is half-stored: the file is written to storage first, under a name
made of ids and a random part (so nothing is ever overwritten), and removed
again if its row and timeline entry cannot be committed. Deleting removes the
row and its entry is written in one transaction; the file goes after commit.
"""

import hashlib
import logging
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from uuid import UUID

import magic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from breachdesk.models import User
from breachdesk.submissions import submission_claim
from incidents import timeline
from incidents.models import Evidence, Incident
from incidents.permissions import abilities_for
from incidents.services.common import Need, lock_incident
from incidents.services.legal_hold import refuse_if_on_legal_hold

logger = logging.getLogger(__name__)

EVIDENCE_REFUSED = "Only members working this incident, and Legal, can handle its evidence."
FILE_EMPTY = "The file is empty."
FILE_TOO_LARGE = "The file is {size:,} bytes; evidence may be at most {limit} MB."
NAME_MISSING = "The file needs a name with an extension, such as report.pdf."
NAME_TOO_LONG = "The file name is {length:,} characters long; rename it to at most {limit}."
NAME_HIDDEN_CHARACTERS = (
    "The file name holds invisible or direction-changing characters, which can disguise "
    "what a file is (report‮fdp.exe); rename it."
)
TYPE_NOT_ACCEPTED = (
    "Files of this kind ({found}) are not accepted as evidence. Accepted: PDF, images "
    "(PNG, JPEG, GIF, WebP), plain text, CSV, JSON, emails (.eml), ZIP and Office documents."
)
TYPE_CONTRADICTS_NAME = (
    "The file's content is {found}, but its name ends in {extension}: refused. "
    "Rename it to match what it is."
)
DELETE_REASON_EMPTY = "Say why it is deleted: the reason goes on the timeline."
REASON_TOO_LONG = "Keep the reason under {limit:,} characters."
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 2_000
# libmagic reads the type from the first bytes; 8 KB covers every format below.
SNIFF_BYTES = 8_192

_TEXT = {".txt", ".log", ".csv", ".json", ".md", ".eml"}
# What the content may be (as libmagic names it) → the name endings that say so.
ACCEPTED_TYPES: dict[str, set[str]] = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "text/plain": _TEXT,
    "text/csv": {".csv", ".txt"},
    "application/csv": {".csv", ".txt"},
    "application/json": {".json", ".txt"},
    "message/rfc822": {".eml", ".txt"},
    "application/zip": {".zip"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {".pptx"},
}
# Characters that change how a name is displayed without being seen: bidi
# overrides and isolates, zero-width marks (Unicode categories Cc and Cf).
_HIDDEN_CATEGORIES = {"Cc", "Cf"}


def clean_file_name(name: str) -> str:
    """The name to show and to offer on download: the last path part, NFC, checked.

    Raises ValidationError for a name with control, bidi-override or other
    invisible characters (NUL included), with no extension, or too long.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = PurePosixPath(name.replace("\\", "/")).name.strip()
    if any(unicodedata.category(char) in _HIDDEN_CATEGORIES for char in name):
        raise ValidationError({"file": [NAME_HIDDEN_CHARACTERS]})
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            {"file": [NAME_TOO_LONG.format(length=len(name), limit=MAX_NAME_LENGTH)]}
        )
    if not PurePosixPath(name).suffix or name.startswith("."):
        raise ValidationError({"file": [NAME_MISSING]})
    return name


def sniff_content_type(head: bytes, *, file_name: str) -> str:
    """The type read from the content by libmagic (python-magic), checked against the name.

    Raises ValidationError when the type is not accepted, or when the name's
    extension says something else than the content (an executable named .pdf).
    """
    found = magic.from_buffer(head, mime=True)
    extension = PurePosixPath(file_name).suffix.lower()
    if found not in ACCEPTED_TYPES:
        raise ValidationError({"file": [TYPE_NOT_ACCEPTED.format(found=found)]})
    if extension not in ACCEPTED_TYPES[found]:
        raise ValidationError(
            {"file": [TYPE_CONTRADICTS_NAME.format(found=found, extension=extension)]}
        )
    return found


def _check_may_handle(incident: Incident, actor: User) -> None:
    """Checked before reading the upload; checked again under the lock when recording it."""
    if not abilities_for(actor, incident).notes:
        raise PermissionDenied(EVIDENCE_REFUSED)


@dataclass(frozen=True)
class StoredUpload:
    """A checked upload, already written to storage under ``stored``; not yet evidence."""

    stored: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def evidence_store_upload(*, incident: Incident, upload: UploadedFile) -> StoredUpload:
    """Check an upload as evidence (name, size, sniffed type), hash it and store it.

    The evidence pipeline's first half, shared by our own uploads and a
    vendor's files on a questionnaire: the caller records the row (and its
    timeline entry) and must delete ``stored`` again if it cannot. Raises
    ValidationError for an empty, too large (``settings.EVIDENCE_MAX_MB``),
    badly named or mistyped file.
    """
    name = clean_file_name(upload.name)
    limit = settings.EVIDENCE_MAX_MB
    if not upload.size:
        raise ValidationError({"file": [FILE_EMPTY]})
    if upload.size > limit * 1024 * 1024:
        raise ValidationError({"file": [FILE_TOO_LARGE.format(size=upload.size, limit=limit)]})
    upload.seek(0)
    content_type = sniff_content_type(upload.read(SNIFF_BYTES), file_name=name)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = default_storage.save(f"evidence/{incident.pk}/{uuid.uuid4().hex}", upload)
    return StoredUpload(
        stored=stored,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def evidence_discard_stored(stored: str) -> None:
    """Remove a stored upload whose row could not be written (nothing is half-stored)."""
    default_storage.delete(stored)


def evidence_add(
    *,
    incident: Incident,
    actor: User,
    upload: UploadedFile,
    description: str = "",
    submission_token: UUID | None = None,
) -> Evidence:
    """Store an uploaded file as evidence and record it (SHA-256, size, type, uploader).

    Not one transaction on purpose: hashing and writing a 25 MB file must not
    hold the incident's lock. The file is stored first and deleted again if
    the row cannot be written. Raises PermissionDenied for someone who does
    not work the incident, ValidationError for an empty, too large, badly
    named or mistyped file (``settings.EVIDENCE_MAX_MB``, default 25),
    AlreadySubmitted for a ``submission_token`` seen before (the stored copy
    is deleted again).
    """
    _check_may_handle(incident, actor)
    upload_ = evidence_store_upload(incident=incident, upload=upload)
    try:
        return _evidence_record(
            incident=incident,
            actor=actor,
            stored=upload_.stored,
            original_name=upload_.original_name,
            content_type=upload_.content_type,
            size=upload_.size,
            sha256=upload_.sha256,
            description=description.strip()[:500],
            submission_token=submission_token,
        )
    except BaseException:
        evidence_discard_stored(upload_.stored)
        raise


def evidence_record_vendor_file(
    *, incident: Incident, upload: StoredUpload, uploaded_by_name: str, description: str
) -> Evidence:
    """A vendor's stored file as evidence, with its timeline entry, in the caller's transaction.

    The caller holds the incident locked (``lock_incident``); the vendor has
    no account, so ``uploaded_by_name`` says who sent it.
    """
    evidence = Evidence.objects.create(
        incident=incident,
        file=upload.stored,
        original_name=upload.original_name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        description=description[:500],
        uploaded_by=None,
        uploaded_by_name=uploaded_by_name[:300],
        uploaded_at=timezone.now(),
    )
    timeline.record_evidence_added(evidence=evidence, actor=None)
    return evidence


@transaction.atomic(durable=True)
def _evidence_record(
    *, incident: Incident, actor: User, stored: str, submission_token: UUID | None, **fields
) -> Evidence:
    incident = lock_incident(
        incident, actor=actor, need=Need.NOTES, open_only=False, refused=EVIDENCE_REFUSED
    )
    submission_claim(submission_token, user=actor)
    evidence = Evidence.objects.create(
        incident=incident, file=stored, uploaded_by=actor, uploaded_at=timezone.now(), **fields
    )
    timeline.record_evidence_added(evidence=evidence, actor=actor)
    return evidence


@transaction.atomic(durable=True)
def evidence_record_download(*, evidence: Evidence, actor: User) -> Evidence:
    """Record who takes a copy before the file is streamed (DESIGN.md, Exports: chain of custody).

    Anyone who can see the incident may download; the gate has passed.
    """
    incident = lock_incident(evidence.incident, actor=actor, need=None, open_only=False)
    evidence.incident = incident
    timeline.record_evidence_downloaded(evidence=evidence, actor=actor)
    return evidence


@transaction.atomic(durable=True)
def evidence_delete(*, evidence: Evidence, actor: User, reason: str) -> None:
    """Delete a file of the incident, with a reason, recorded on the timeline.

    Raises ValidationError while the incident is on legal hold or without a
    reason, PermissionDenied for someone who does not work the incident.
    """
    incident = lock_incident(
        evidence.incident, actor=actor, need=Need.NOTES, open_only=False, refused=EVIDENCE_REFUSED
    )
    refuse_if_on_legal_hold(incident)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [DELETE_REASON_EMPTY]})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": [REASON_TOO_LONG.format(limit=MAX_REASON_LENGTH)]})
    evidence.incident = incident
    timeline.record_evidence_deleted(
        evidence=evidence, actor=actor, reason=reason[:MAX_REASON_LENGTH]
    )
    stored = evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: _remove_file(stored))


def _remove_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        # The row and its entry are gone; a file left behind is found by name in the logs.
        logger.exception("Could not remove the deleted evidence file %s.", name)
