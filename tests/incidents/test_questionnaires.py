"""Vendor questionnaires: who drafts, approves and sends; the signed link; versions of answers
with their commitments; what the answers offer (never applied by themselves)."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import (
    Deadline,
    Evidence,
    Incident,
    Notification,
    OrganisationProfile,
    Questionnaire,
    QuestionnaireQuestion,
    QuestionnaireResponse,
    ScopeItem,
    TimelineEntry,
)
from incidents.selectors.questionnaires import questionnaire_token
from incidents.services import questionnaires as services
from incidents.services.notice_composition import organisation_name
from incidents.timeline import verify_chain
from tests.conftest import FROZEN_NOW
from tests.factories import (
    DataAssetFactory,
    EngagementFactory,
    IncidentFactory,
    UserFactory,
    VendorFactory,
)
from tests.incidents.questionnaire_helpers import (
    SECURITY_EMAIL,
    answers_post,
    draft,
    link,
    question,
)
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _kinds(incident) -> list[str]:
    return list(incident.timeline.order_by("seq").values_list("kind", flat=True))


# --- who drafts, approves and sends -------------------------------------------------------------


def test_the_commander_drafts_a_copy_of_the_default_questions(incident, commander, vendor_contacts):
    questionnaire = draft(incident, commander)

    assert questionnaire.status == Questionnaire.Status.DRAFT
    assert questionnaire.questions.count() == 7
    assert questionnaire.questions.filter(feeds="vendor_aware_at", kind="datetime").exists()
    assert _kinds(incident)[-1] == TimelineEntry.Kind.QUESTIONNAIRE_DRAFTED


def test_a_responder_cannot_draft_a_questionnaire(incident, responder, vendor_contacts):
    with pytest.raises(PermissionDenied):
        draft(incident, responder)

    assert not incident.questionnaires.exists()


def test_the_drafter_cannot_approve_their_own_questionnaire(incident, commander, vendor_contacts):
    questionnaire = draft(incident, commander)

    with pytest.raises(ValidationError, match="someone else"):
        services.questionnaire_approve(questionnaire=questionnaire, actor=commander)

    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.DRAFT


@override_settings(NOTICE_FOUR_EYES=False)
def test_without_four_eyes_the_drafter_may_approve(incident, commander, vendor_contacts):
    questionnaire = draft(incident, commander)

    services.questionnaire_approve(questionnaire=questionnaire, actor=commander)

    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.APPROVED


def test_a_responder_cannot_approve(incident, commander, responder, vendor_contacts):
    questionnaire = draft(incident, commander)

    with pytest.raises(PermissionDenied):
        services.questionnaire_approve(questionnaire=questionnaire, actor=responder)


def test_an_unapproved_questionnaire_is_not_sent(incident, commander, vendor_contacts):
    questionnaire = draft(incident, commander)

    with pytest.raises(ValidationError, match="approved"):
        services.questionnaire_send(questionnaire=questionnaire, actor=commander)

    assert not Notification.objects.filter(questionnaire=questionnaire).exists()


def test_legal_cannot_send(incident, commander, legal, vendor_contacts):
    questionnaire = draft(incident, commander)
    services.questionnaire_approve(questionnaire=questionnaire, actor=legal)

    with pytest.raises(PermissionDenied):
        services.questionnaire_send(questionnaire=questionnaire, actor=legal)


def test_sending_queues_one_outbox_row_per_security_contact(sent):
    rows = list(Notification.objects.filter(questionnaire=sent))

    assert [row.recipient_email for row in rows] == [SECURITY_EMAIL]
    assert rows[0].status == Notification.Status.QUEUED
    assert rows[0].kind == Notification.Kind.VENDOR_QUESTIONNAIRE
    assert rows[0].approved_by == sent.approved_by
    assert sent.status == Questionnaire.Status.SENT
    assert sent.next_chaser_at == FROZEN_NOW + timedelta(hours=24)
    assert _kinds(sent.incident)[-1] == TimelineEntry.Kind.QUESTIONNAIRE_SENT


def test_the_email_names_us_says_why_and_carries_the_link(sent, settings):
    row = Notification.objects.get(questionnaire=sent)

    assert organisation_name(OrganisationProfile.current()) in row.body_text
    assert "security incident" in row.body_text
    assert settings.SITE_URL + link(sent) in row.body_text
    assert sent.incident.title not in row.body_text


def test_a_vendor_without_a_security_contact_is_not_sent_anything(
    incident, commander, legal, breached_vendor
):
    questionnaire = draft(incident, commander)
    services.questionnaire_approve(questionnaire=questionnaire, actor=legal)

    with pytest.raises(ValidationError, match="security contact"):
        services.questionnaire_send(questionnaire=questionnaire, actor=commander)

    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.APPROVED


def test_the_send_goes_through_the_outbox_once_committed(
    incident, commander, legal, vendor_contacts, django_capture_on_commit_callbacks, mailoutbox
):
    questionnaire = draft(incident, commander)
    services.questionnaire_approve(questionnaire=questionnaire, actor=legal)

    with django_capture_on_commit_callbacks(execute=True):
        services.questionnaire_send(questionnaire=questionnaire, actor=commander)

    row = Notification.objects.get(questionnaire=questionnaire)
    assert row.status == Notification.Status.SENT
    assert [message.to for message in mailoutbox] == [[SECURITY_EMAIL]]


# --- the signed link ------------------------------------------------------------------------------


def test_the_link_shows_that_questionnaire_only(client, sent, commander, breached_vendor):
    other_vendor = VendorFactory(name="Other Vendor")
    other = IncidentFactory(commander=commander, vendors=[other_vendor], title="Unrelated breach")

    response = client.get(link(sent))

    body = response.content.decode()
    assert response.status_code == 200
    assert "When did you become aware of the incident?" in body
    assert sent.incident.reference in body
    assert sent.incident.title not in body
    assert other.reference not in body and other.title not in body


@pytest.mark.parametrize("how", ["tampered", "unknown", "expired", "not sent"])
def test_a_bad_link_is_one_plain_404(client, sent, commander, incident, how):
    token = questionnaire_token(sent.nonce)
    if how == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif how == "unknown":
        token = questionnaire_token("00000000-0000-0000-0000-000000000000")
    elif how == "not sent":
        token = questionnaire_token(draft(incident, commander).nonce)
    url = reverse("questionnaire-answer", kwargs={"token": token})

    if how == "expired":
        with time_machine.travel(FROZEN_NOW + timedelta(days=31), tick=False):
            response = client.get(url)
    else:
        response = client.get(url)

    assert response.status_code == 404
    assert "expired" not in response.content.decode().lower()
    assert "signature" not in response.content.decode().lower()


def test_another_incidents_token_opens_only_its_own_questionnaire(
    client, sent, commander, legal, vendor_contacts
):
    vendor = sent.vendor
    second = IncidentFactory(commander=commander, vendors=[vendor], title="Second incident")
    other = draft(second, commander)
    services.questionnaire_approve(questionnaire=other, actor=legal)
    services.questionnaire_send(questionnaire=other, actor=commander)
    other.refresh_from_db()

    response = client.post(link(other), answers_post(other))

    assert response.status_code == 302
    assert other.responses.count() == 1
    assert sent.responses.count() == 0


def test_a_withdrawn_questionnaire_says_so_and_takes_no_answer(client, sent, commander):
    services.questionnaire_withdraw(questionnaire=sent, actor=commander, reason="Asked by phone")

    page = client.get(link(sent))
    posted = client.post(link(sent), answers_post(sent))

    assert page.status_code == 410
    assert "no longer takes answers" in page.content.decode()
    assert posted.status_code == 410
    assert not sent.responses.exists()


def test_a_flood_from_one_link_is_refused(client, sent, settings):
    settings.QUESTIONNAIRE_POSTS_PER_HOUR = 3

    statuses = [
        client.post(link(sent), answers_post(sent, action="save")).status_code for _ in range(5)
    ]

    assert statuses == [302, 302, 302, 429, 429]


def test_the_flood_limit_is_per_hour(client, sent, settings):
    settings.QUESTIONNAIRE_POSTS_PER_HOUR = 1
    client.post(link(sent), answers_post(sent, action="save"))

    with time_machine.travel(FROZEN_NOW + timedelta(hours=1), tick=False):
        response = client.post(link(sent), answers_post(sent, action="save"))

    assert response.status_code == 302


# --- drafts and versions --------------------------------------------------------------------------


def test_a_draft_is_kept_for_the_vendor_and_not_on_the_timeline(client, sent):
    entries = sent.incident.timeline.count()

    client.post(link(sent), answers_post(sent, action="save", respondent_name="Half done"))
    page = client.get(link(sent))

    assert "Half done" in page.content.decode()
    assert "Phished admin account" in page.content.decode()
    assert sent.incident.timeline.count() == entries
    assert not sent.responses.exists()


def test_a_draft_needs_no_required_answer(client, sent):
    response = client.post(link(sent), {"action": "save"})

    assert response.status_code == 302


def test_submitting_needs_the_required_answers_and_who_answers(client, sent):
    aware = question(sent, QuestionnaireQuestion.Kind.DATETIME)

    response = client.post(link(sent), {"action": "submit"})

    form = response.context["form"]
    assert response.status_code == 422
    assert f"q{aware.pk}" in form.errors
    assert "respondent_name" in form.errors and "respondent_email" in form.errors
    assert not sent.responses.exists()


def test_each_submission_is_a_new_version(client, sent):
    client.post(link(sent), answers_post(sent))
    client.post(link(sent), answers_post(sent, respondent_name="Sam, again"))

    versions = list(sent.responses.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].respondent_name == "Sam Secure"
    assert versions[1].respondent_name == "Sam, again"


def test_a_version_on_the_chain_is_a_commitment_to_the_answers_stored_beside_it(client, sent):
    client.post(link(sent), answers_post(sent))

    response = QuestionnaireResponse.objects.get(questionnaire=sent)
    entry = response.entry
    canonical = json.dumps(
        response.answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    expected = hashlib.sha256((response.nonce + canonical).encode()).hexdigest()
    assert entry.kind == TimelineEntry.Kind.QUESTIONNAIRE_ANSWERED
    assert entry.data["answers_sha256"] == expected == response.answers_sha256
    assert "Phished" not in json.dumps(entry.data) and "Phished" not in entry.summary
    assert "Sam Secure" in entry.summary and entry.data["version"] == 1
    assert verify_chain(sent.incident).ok


def test_the_vendor_aware_answer_is_kept_in_utc_with_the_zone_it_was_given_in(client, sent):
    aware = question(sent, QuestionnaireQuestion.Kind.DATETIME)

    client.post(link(sent), answers_post(sent))

    answer = sent.responses.get().answers[str(aware.pk)]
    assert answer == {
        "at": "2026-02-28T07:00:00.000000Z",
        "zone": "Europe/Berlin",
        "local": "2026-02-28T08:00",
    }


def test_a_vendor_aware_time_in_the_future_is_refused(client, sent):
    aware = question(sent, QuestionnaireQuestion.Kind.DATETIME)

    response = client.post(link(sent), answers_post(sent, **{f"q{aware.pk}": "2026-03-09 08:00"}))

    assert response.status_code == 422
    assert f"q{aware.pk}" in response.context["form"].errors


def test_an_answer_is_shown_escaped(client, sent, commander):
    text = question(sent, QuestionnaireQuestion.Kind.TEXT)
    markup = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    client.post(link(sent), answers_post(sent, **{f"q{text.pk}": markup}))

    client.force_login(commander)
    pages = [
        client.get(sent.incident.get_absolute_url()),
        client.get(reverse("incidents:questionnaire", args=[sent.incident.reference, sent.pk])),
    ]

    for page in pages:
        body = page.content.decode()
        assert markup not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_an_oversized_answer_is_refused(client, sent):
    text = question(sent, QuestionnaireQuestion.Kind.TEXT)

    response = client.post(link(sent), answers_post(sent, **{f"q{text.pk}": "x" * 10_001}))

    assert response.status_code == 422
    assert not sent.responses.exists()


def test_an_asset_never_shared_with_the_vendor_is_refused(client, sent):
    reached = question(sent, QuestionnaireQuestion.Kind.DATA_ASSETS)
    elsewhere = DataAssetFactory(name="Held by someone else")
    EngagementFactory(vendor=VendorFactory(name="Another vendor"), data_assets=[elsewhere])

    response = client.post(
        link(sent), answers_post(sent, **{f"q{reached.pk}": [str(elsewhere.pk)]})
    )

    assert response.status_code == 422
    assert "not one of our data assets" in str(response.context["form"].errors[f"q{reached.pk}"])
    assert "Held by someone else" not in client.get(link(sent)).content.decode()


# --- files through the evidence pipeline ----------------------------------------------------------


def test_a_file_goes_through_the_evidence_pipeline(client, sent):
    report = question(sent, QuestionnaireQuestion.Kind.FILE)
    upload = SimpleUploadedFile("forensics.pdf", PDF, content_type="application/pdf")

    client.post(link(sent), {**answers_post(sent), f"q{report.pk}": upload})

    evidence = Evidence.objects.get(incident=sent.incident)
    answer = sent.responses.get().answers[str(report.pk)]
    assert evidence.content_type == "application/pdf"
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() == answer["sha256"]
    assert evidence.uploaded_by is None and "Sam Secure" in evidence.uploaded_by_name
    added = sent.incident.timeline.get(kind=TimelineEntry.Kind.EVIDENCE_ADDED)
    assert added.data["evidence"]["sha256"] == evidence.sha256


def test_an_executable_is_refused_and_nothing_is_recorded(client, sent):
    report = question(sent, QuestionnaireQuestion.Kind.FILE)
    upload = SimpleUploadedFile("forensics.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)

    response = client.post(link(sent), {**answers_post(sent), f"q{report.pk}": upload})

    assert response.status_code == 422
    assert f"q{report.pk}" in response.context["form"].errors
    assert not Evidence.objects.exists() and not sent.responses.exists()


def test_a_file_over_the_limit_is_refused(client, sent, settings):
    settings.EVIDENCE_MAX_MB = 1
    report = question(sent, QuestionnaireQuestion.Kind.FILE)
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))

    response = client.post(link(sent), {**answers_post(sent), f"q{report.pk}": upload})

    assert response.status_code == 422
    assert "at most 1 MB" in str(response.context["form"].errors)
    assert not Evidence.objects.exists()


# --- our side: who reads the answers --------------------------------------------------------------


@pytest.fixture
def answered(client, sent):
    client.post(link(sent), answers_post(sent))
    client.logout()
    return sent


@pytest.mark.parametrize("who", ["viewer", "responder", "legal", "commander"])
def test_those_who_may_see_the_incident_read_the_answers(client, answered, who, request):
    client.force_login(request.getfixturevalue(who))

    pages = [
        client.get(answered.incident.get_absolute_url()),
        client.get(
            reverse("incidents:questionnaire", args=[answered.incident.reference, answered.pk])
        ),
    ]

    for page in pages:
        assert page.status_code == 200
        assert "Phished admin account" in page.content.decode()


def test_an_outsider_gets_404_and_no_answer(client, answered, outsider):
    client.force_login(outsider)

    pages = [
        client.get(
            reverse("incidents:questionnaire", args=[answered.incident.reference, answered.pk])
        ),
        client.get(reverse("incidents:questionnaires", args=[answered.incident.reference])),
    ]

    assert [page.status_code for page in pages] == [404, 404]
    assert all("Phished" not in page.content.decode() for page in pages)


def test_on_a_restricted_incident_only_members_read_the_answers(client, answered, legal, viewer):
    Incident.objects.filter(pk=answered.incident_id).update(restricted=True)
    counsel_elsewhere = UserFactory(username="counsel-elsewhere", roles=["Legal"])
    url = reverse("incidents:questionnaire", args=[answered.incident.reference, answered.pk])

    client.force_login(counsel_elsewhere)
    outside = client.get(url)
    client.force_login(viewer)
    member = client.get(url)

    assert outside.status_code == 404 and "Phished" not in outside.content.decode()
    assert member.status_code == 200 and "Phished" in member.content.decode()


def test_a_questionnaire_of_another_incident_is_404_under_this_one(
    client, answered, commander, vendor_contacts
):
    other = IncidentFactory(commander=commander, vendors=[answered.vendor])
    client.force_login(commander)

    response = client.get(reverse("incidents:questionnaire", args=[other.reference, answered.pk]))

    assert response.status_code == 404


# --- what the answers offer -----------------------------------------------------------------------


def test_accepting_the_vendor_aware_time_recomputes_the_clocks_and_shows_it_was_late(
    client, answered, commander
):
    incident = answered.incident

    services.incident_accept_vendor_aware(questionnaire=answered, actor=commander)

    incident.refresh_from_db()
    assert incident.vendor_aware_at == datetime(2026, 2, 28, 7, 0, tzinfo=UTC)
    sla = incident.deadlines.get(rule_id="vendor-sla")
    assert sla.status == Deadline.Status.MISSED
    assert TimelineEntry.Kind.VENDOR_AWARE_ACCEPTED in _kinds(incident)
    client.force_login(commander)
    page = client.get(reverse("incidents:questionnaire", args=[incident.reference, answered.pk]))
    assert "The vendor told us late" in page.content.decode()


def test_the_vendor_aware_time_is_only_offered_until_the_commander_accepts(answered):
    incident = answered.incident

    incident.refresh_from_db()

    assert incident.vendor_aware_at is None
    assert not incident.deadlines.filter(rule_id="vendor-sla").exists()


def test_only_the_commander_accepts_the_vendor_aware_time(answered, legal):
    with pytest.raises(PermissionDenied):
        services.incident_accept_vendor_aware(questionnaire=answered, actor=legal)


def test_nothing_to_accept_without_an_answer(sent, commander):
    with pytest.raises(ValidationError, match="has not said"):
        services.incident_accept_vendor_aware(questionnaire=sent, actor=commander)


def test_assets_the_vendor_names_prefill_the_scope_review_unrecorded(client, sent, responder):
    clinical = DataAsset.objects.get(name="Clinical samples")
    client.post(link(sent), answers_post(sent, assets=[(clinical, 1200)]))
    client.force_login(responder)

    page = client.get(reverse("incidents:scope", args=[sent.incident.reference]))

    body = page.content.decode()
    assert "Reported by the vendor" in body
    form = dict((asset.pk, form) for asset, _item, form in page.context["rows"])[clinical.pk]
    assert form.initial["status"] == ScopeItem.Status.CONFIRMED
    assert form.initial["records_affected"] == 1200
    assert not ScopeItem.objects.exists()


def test_a_responder_confirms_the_prefilled_row_with_save_all(client, sent, responder):
    clinical = DataAsset.objects.get(name="Clinical samples")
    client.post(link(sent), answers_post(sent, assets=[(clinical, 1200)]))
    client.force_login(responder)
    page = client.get(reverse("incidents:scope", args=[sent.incident.reference]))
    data = {}
    for _asset, _item, form in page.context["rows"]:
        for name in form.fields:
            value = form.initial.get(name)
            data[form.add_prefix(name)] = "" if value is None else value

    client.post(reverse("incidents:scope-mark-all", args=[sent.incident.reference]), data)

    item = ScopeItem.objects.get()
    assert item.data_asset == clinical
    assert item.status == ScopeItem.Status.CONFIRMED and item.records_affected == 1200
    assert item.reviewed_by == responder


# --- follow-up rounds and withdrawal --------------------------------------------------------------


def test_follow_up_questions_are_a_new_round_to_approve(answered, commander):
    follow_up = services.questionnaire_follow_up(
        questionnaire=answered,
        actor=commander,
        questions=["Which accounts were used?", "", "  When was the bucket copied?  "],
    )

    assert follow_up.round == 2 and follow_up.follows == answered
    assert follow_up.status == Questionnaire.Status.DRAFT
    assert list(follow_up.questions.values_list("text", flat=True)) == [
        "Which accounts were used?",
        "When was the bucket copied?",
    ]


def test_withdrawing_needs_a_reason(sent, commander):
    with pytest.raises(ValidationError, match="Say why"):
        services.questionnaire_withdraw(questionnaire=sent, actor=commander, reason="  ")

    sent.refresh_from_db()
    assert sent.status == Questionnaire.Status.SENT


# --- bounded reads --------------------------------------------------------------------------------


def _answered_questionnaire(client, incident, commander, legal):
    questionnaire = draft(incident, commander)
    services.questionnaire_approve(questionnaire=questionnaire, actor=legal)
    services.questionnaire_send(questionnaire=questionnaire, actor=commander)
    questionnaire.refresh_from_db()
    client.post(link(questionnaire), answers_post(questionnaire))
    client.post(link(questionnaire), answers_post(questionnaire))
    return questionnaire


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_more_questionnaires_cost_no_more_queries(
    client, incident, commander, legal, vendor_contacts
):
    first = _answered_questionnaire(client, incident, commander, legal)
    urls = [
        incident.get_absolute_url(),
        reverse("incidents:questionnaires", args=[incident.reference]),
        reverse("incidents:scope", args=[incident.reference]),
    ]
    client.force_login(commander)
    before = [_queries(client, url) for url in urls]
    client.logout()

    for _ in range(3):
        _answered_questionnaire(client, incident, commander, legal)
    client.force_login(commander)
    after = [_queries(client, url) for url in urls]

    assert after == before
    assert first.responses.count() == 2
