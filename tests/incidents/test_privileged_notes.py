"""A privileged note's words stay off the hash chain and are read by Legal alone.

DESIGN.md, Hash chain: the entry holds a neutral summary and a commitment
``sha256_hex(nonce + text)``; the text and its nonce live in their own
append-only table, shown only to people with the Legal ability (a grant of
``incidents.legal_review``, never superuser status) and exported only when
Legal asks for them.
"""

import hashlib
import json

import pytest
from django.contrib.auth.models import Permission
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from incidents import services, timeline
from incidents.models import PrivilegedText, TimelineEntry, TimelineIsAppendOnly
from incidents.permissions import abilities_for
from incidents.timeline import PRIVILEGED_NOTE_SUMMARY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADVICE = "Counsel advises holding the regulator call until Thursday (zephyr-quill)."
SECRET_WORD = "zephyr-quill"


@pytest.fixture
def advised(incident, legal):
    """The incident with one privileged note written by Legal."""
    services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)
    return incident


def _note(incident) -> TimelineEntry:
    return incident.timeline.get(kind=TimelineEntry.Kind.NOTE_ADDED)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _timeline_page(client, incident):
    return client.get(reverse("incidents:timeline", kwargs={"reference": incident.reference}))


def _workspace(client, incident):
    return client.get(incident.get_absolute_url())


def _latest_panel(client, incident):
    return client.get(
        incident.get_absolute_url(),
        {"panel": "timeline-latest"},
        headers={"HX-Request": "true"},
    )


PAGES = {
    "timeline page": _timeline_page,
    "workspace": _workspace,
    "timeline-latest panel": _latest_panel,
}


def _export_url(incident) -> str:
    return reverse("incidents:timeline-export-json", kwargs={"reference": incident.reference})


def _export(client, incident, **choices):
    """POST the export form; the response and the parsed document."""
    response = client.post(_export_url(incident), choices)
    return response, json.loads(b"".join(response.streaming_content))


def _superuser():
    """Staff with every permission Django grants a superuser, but no grant of Legal."""
    return UserFactory(is_staff=True, is_superuser=True)


# --- on the chain ----------------------------------------------------------------------


def test_a_privileged_note_has_a_neutral_summary(advised):
    note = _note(advised)

    assert note.summary == PRIVILEGED_NOTE_SUMMARY == "Privileged note (Legal)"


def test_a_privileged_note_commits_to_its_text_with_a_nonce(advised):
    note = _note(advised)

    stored = PrivilegedText.objects.get(entry=note)
    assert stored.text == ADVICE
    assert len(stored.nonce) == 32
    assert set(stored.nonce) <= set("0123456789abcdef")
    assert note.data == {"privileged": True, "text_sha256": _sha256(stored.nonce + ADVICE)}


def test_each_privileged_note_gets_its_own_nonce(incident, legal):
    first = services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)
    second = services.note_add(incident=incident, actor=legal, text=ADVICE, privileged=True)

    assert first.privileged_text.nonce != second.privileged_text.nonce
    assert first.data["text_sha256"] != second.data["text_sha256"]


def test_the_hashed_body_of_a_privileged_note_holds_none_of_its_words(advised):
    note = _note(advised)

    body = json.dumps(timeline.entry_body(note, advised.reference), ensure_ascii=False)

    assert SECRET_WORD not in body
    assert timeline.verify_chain(advised).ok


def test_an_ordinary_note_keeps_its_text_on_the_chain(incident, responder):
    entry = services.note_add(incident=incident, actor=responder, text="Vendor called back.")

    assert (entry.summary, entry.data) == ("Vendor called back.", {"privileged": False})
    assert not PrivilegedText.objects.filter(entry=entry).exists()


# --- the privileged text is append-only -------------------------------------------------


def test_a_privileged_text_cannot_be_changed(advised):
    stored = PrivilegedText.objects.get(entry=_note(advised))
    stored.text = "Nothing to see here."

    with pytest.raises(TimelineIsAppendOnly):
        stored.save()

    assert PrivilegedText.objects.get(entry=_note(advised)).text == ADVICE


def test_a_privileged_text_cannot_be_deleted(advised):
    stored = PrivilegedText.objects.get(entry=_note(advised))

    with pytest.raises(TimelineIsAppendOnly):
        stored.delete()

    assert PrivilegedText.objects.filter(entry=_note(advised)).exists()


def test_privileged_texts_cannot_be_deleted_in_bulk(advised):
    with pytest.raises(TimelineIsAppendOnly):
        PrivilegedText.objects.filter(entry__incident=advised).delete()

    assert PrivilegedText.objects.filter(entry=_note(advised)).exists()


# --- who reads the text ----------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("reader", ["viewer", "responder", "commander"])
def test_readers_without_the_legal_ability_do_not_see_privileged_text(
    client, advised, request, page, reader
):
    client.force_login(request.getfixturevalue(reader))

    response = PAGES[page](client, advised)

    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET_WORD not in html
    assert PRIVILEGED_NOTE_SUMMARY in html


@pytest.mark.parametrize("page", PAGES)
def test_a_superuser_without_the_legal_grant_does_not_see_privileged_text(client, advised, page):
    client.force_login(_superuser())

    response = PAGES[page](client, advised)

    assert response.status_code == 200
    assert SECRET_WORD not in response.content.decode()


def test_superuser_status_does_not_give_the_legal_ability(incident):
    superuser = _superuser()

    abilities = abilities_for(superuser, incident)

    assert not abilities.reads_privileged


@pytest.mark.parametrize("page", PAGES)
def test_legal_reads_privileged_text(client, advised, legal, page):
    client.force_login(legal)

    response = PAGES[page](client, advised)

    assert response.status_code == 200
    assert SECRET_WORD in response.content.decode()


def test_the_legal_review_permission_granted_to_a_user_reads_privileged_text(
    client, advised, commander
):
    counsel = UserFactory(roles=["Viewer"])
    counsel.user_permissions.add(Permission.objects.get(codename="legal_review"))
    services.member_add(incident=advised, actor=commander, user=counsel, role="viewer")
    client.force_login(counsel)

    response = _timeline_page(client, advised)

    assert SECRET_WORD in response.content.decode()


def test_the_note_form_says_privilege_is_chosen_when_writing(client, incident, legal):
    client.force_login(legal)

    html = _workspace(client, incident).content.decode()

    assert "cannot be made privileged later" in html


# --- the JSON export -------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["viewer", "responder", "commander"])
def test_a_readers_export_holds_no_privileged_text(client, advised, request, reader):
    client.force_login(request.getfixturevalue(reader))

    response, document = _export(client, advised)

    assert SECRET_WORD not in json.dumps(document, ensure_ascii=False)
    assert "privileged_texts" not in document
    assert "Privileged-Confidential" not in response["Content-Disposition"]


def test_a_readers_export_with_a_privileged_note_rechecks_completely(client, advised, viewer):
    client.force_login(viewer)

    _response, document = _export(client, advised)

    prev = "0" * 64
    for entry in document["entries"]:
        canonical = json.dumps(
            entry["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert entry["prev_hash"] == prev
        assert _sha256(prev + canonical) == entry["hash"]
        prev = entry["hash"]
    assert any(e["body"]["summary"] == PRIVILEGED_NOTE_SUMMARY for e in document["entries"])


@pytest.mark.parametrize("reader", ["viewer", "commander", "superuser"])
def test_asking_for_privileged_texts_without_the_legal_ability_is_ignored(
    client, advised, request, reader
):
    user = _superuser() if reader == "superuser" else request.getfixturevalue(reader)
    client.force_login(user)

    response, document = _export(client, advised, include_privileged="on")

    assert SECRET_WORD not in json.dumps(document, ensure_ascii=False)
    assert "privileged_texts" not in document
    assert "classification" not in document
    assert "Privileged-Confidential" not in response["Content-Disposition"]
    recorded = advised.timeline.get(seq=document["export_entry_seq"])
    assert recorded.data["include_privileged"] is False


@pytest.mark.parametrize("reader", ["viewer", "commander"])
def test_the_export_form_does_not_offer_privileged_texts_without_the_legal_ability(
    client, advised, request, reader
):
    client.force_login(request.getfixturevalue(reader))

    response = client.get(_export_url(advised))

    assert response.status_code == 200
    assert 'name="include_privileged"' not in _body(response)


def test_the_export_form_offers_legal_the_privileged_texts(client, advised, legal):
    client.force_login(legal)

    response = client.get(_export_url(advised))

    assert 'name="include_privileged"' in _body(response)


def test_legals_export_holds_no_privileged_text_unless_asked(client, advised, legal):
    client.force_login(legal)

    _response, document = _export(client, advised)

    assert SECRET_WORD not in json.dumps(document, ensure_ascii=False)
    assert "privileged_texts" not in document


def test_legals_export_with_privileged_texts_is_marked_privileged_and_confidential(
    client, advised, legal
):
    client.force_login(legal)

    response, document = _export(client, advised, include_privileged="on")

    assert document["classification"] == "Privileged & Confidential"
    assert "Privileged-Confidential" in response["Content-Disposition"]


def test_legals_export_lets_anyone_check_each_commitment(client, advised, legal):
    client.force_login(legal)

    _response, document = _export(client, advised, include_privileged="on")

    note = next(e["body"] for e in document["entries"] if e["body"]["data"].get("privileged"))
    revealed = document["privileged_texts"][str(note["seq"])]
    assert revealed["text"] == ADVICE
    assert _sha256(revealed["nonce"] + revealed["text"]) == note["data"]["text_sha256"]
    assert note["summary"] == PRIVILEGED_NOTE_SUMMARY


def test_the_export_entry_records_that_privileged_texts_were_included(client, advised, legal):
    client.force_login(legal)

    _response, document = _export(client, advised, include_privileged="on")

    recorded = advised.timeline.get(seq=document["export_entry_seq"])
    assert recorded.data["include_privileged"] is True


@pytest.mark.parametrize("reader", ["viewer", "commander", "superuser"])
def test_the_export_service_refuses_privileged_texts_without_the_legal_ability(
    advised, request, reader
):
    user = _superuser() if reader == "superuser" else request.getfixturevalue(reader)

    with pytest.raises(PermissionDenied):
        services.timeline_export_record(
            incident=advised, actor=user, export_format="json", include_privileged=True
        )

    assert not advised.timeline.filter(kind=TimelineEntry.Kind.EXPORT_MADE).exists()


# --- the database check ----------------------------------------------------------------


def _database_errors():
    found = checks.run_checks(databases=["default"], tags=[checks.Tags.database])
    return [(error.id, error.obj) for error in found if error.id.startswith("incidents.")]


def test_the_database_check_reports_a_privileged_note_whose_summary_holds_its_text(incident, legal):
    with transaction.atomic():
        leaked = timeline._append(
            incident=incident,
            kind=TimelineEntry.Kind.NOTE_ADDED,
            summary=ADVICE,
            actor=legal,
            data={"privileged": True},
        )

    errors = _database_errors()

    assert errors == [("incidents.E001", f"{incident.reference}#{leaked.seq}")]


def test_the_database_check_passes_privileged_notes_kept_off_the_chain(advised):
    errors = _database_errors()

    assert errors == []
