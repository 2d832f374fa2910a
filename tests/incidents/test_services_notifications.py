"""Notices through the outbox: drafting, approval, sending exactly once, acknowledgement."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services
from incidents.exceptions import NothingChanged
from incidents.models import EmailTemplate, Notification, Task, TimelineEntry
from incidents.services import delivery, notice_composition
from tests.factories import StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoped(incident, responder):
    """The scope review has found both partners' data exposed; both have a contact."""
    for name in ("Helix Health", "Orbital Robotics"):
        StakeholderContactFactory(
            stakeholder=Stakeholder.objects.get(name=name),
            name=f"{name} privacy",
            email=f"privacy@{name.split()[0].lower()}.example",
        )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
        records_affected=48_000,
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Teleop logs"),
        status="suspected",
    )
    return incident


def _draft(incident, commander):
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    return {d.recipient_email: d for d in drafts}


def _entries(incident, kind):
    return list(TimelineEntry.objects.filter(incident=incident, kind=kind).order_by("seq"))


def _send_all(incident, commander, legal, django_capture_on_commit_callbacks):
    drafts = _draft(incident, commander)
    for draft in drafts.values():
        services.notification_approve(notification=draft, actor=legal)
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=incident, actor=commander)
    return drafts


# --- drafting --------------------------------------------------------------------


def test_one_draft_per_contact_of_every_affected_partner(scoped, commander):
    drafts = _draft(scoped, commander)

    assert sorted(drafts) == ["privacy@helix.example", "privacy@orbital.example"]
    assert all(d.status == Notification.Status.DRAFT for d in drafts.values())
    assert (
        _entries(scoped, "notification_drafted")[0].data["notifications"][0]["kind"]
        == "partner_notice"
    )


def test_each_partner_is_told_about_its_own_data(scoped, commander):
    drafts = _draft(scoped, commander)

    helix, orbital = drafts["privacy@helix.example"], drafts["privacy@orbital.example"]
    assert "personal data, health data" in helix.body_text
    assert "48,000" in helix.body_text
    assert "health data" not in orbital.body_text
    assert "no personal data identified" in orbital.body_text


def test_a_notice_carries_its_acknowledgement_link_in_both_parts(scoped, commander):
    notice = _draft(scoped, commander)["privacy@helix.example"]

    link = notice_composition.ack_url(notice.ack_nonce)
    assert link in notice.body_text
    assert link in notice.body_html
    assert "<img" not in notice.body_html


def test_the_acknowledgement_link_is_the_same_whenever_it_is_made(scoped, commander):
    notice = _draft(scoped, commander)["privacy@helix.example"]

    assert notice_composition.ack_url(notice.ack_nonce) == notice_composition.ack_url(
        notice.ack_nonce
    )


def test_drafting_again_does_not_duplicate_and_says_why(scoped, commander):
    _draft(scoped, commander)

    with pytest.raises(NothingChanged, match=r"Nothing to draft: every contact of .* already"):
        _draft(scoped, commander)
    assert Notification.objects.count() == 2


def test_a_partner_without_contact_is_named(incident, commander, responder):
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Teleop logs"),
        status="confirmed",
    )

    drafts, without_contact = services.notifications_draft_partner_notices(
        incident=incident, actor=commander
    )

    assert drafts == []
    assert [s.name for s in without_contact] == ["Orbital Robotics"]


def test_drafting_before_the_scope_review_says_what_to_do(incident, commander):
    with pytest.raises(NothingChanged, match="the scope review has not marked any data asset"):
        services.notifications_draft_partner_notices(incident=incident, actor=commander)


def test_only_the_commander_drafts(scoped, responder):
    with pytest.raises(PermissionDenied):
        services.notifications_draft_partner_notices(incident=scoped, actor=responder)


# --- editing ------------------------------------------------------------------------


def _edit(notice, actor, **overrides):
    fields = {
        "subject": notice.subject,
        "body_text": notice.body_text,
        "recipient_email": notice.recipient_email,
        "recipient_name": notice.recipient_name,
        **overrides,
    }
    return services.notification_update_draft(notification=notice, actor=actor, **fields)


def test_editing_a_draft_rebuilds_the_html_from_the_text(scoped, commander):
    notice = _draft(scoped, commander)["privacy@helix.example"]

    edited = _edit(notice, commander, body_text="Dear Mira,\n\nA new line <b>not bold</b>.")

    assert "A new line &lt;b&gt;not bold&lt;/b&gt;." in edited.body_html
    assert notice_composition.ack_url(notice.ack_nonce) in edited.body_html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"recipient_email": "a@b.c\r\nBcc: x@evil.example"},
            "recipient_email",
            "not a single valid",
        ),
        ({"recipient_email": "a@b.example, c@d.example"}, "recipient_email", "not a single valid"),
        ({"subject": "Breach\r\nBcc: x@evil.example"}, "subject", "single line"),
        ({"body_text": "x" * 2_000_000}, "body_text", "the limit is 50,000"),
        ({"body_text": "   "}, "body_text", "empty"),
    ],
)
def test_bad_drafts_are_refused_and_nothing_changes(scoped, commander, overrides, field, message):
    notice = _draft(scoped, commander)["privacy@helix.example"]

    with pytest.raises(ValidationError) as caught:
        _edit(notice, commander, **overrides)

    assert message in " ".join(caught.value.message_dict[field])
    notice.refresh_from_db()
    assert notice.recipient_email == "privacy@helix.example"


# --- approving and sending ------------------------------------------------------------


def test_legal_approves_and_is_recorded(scoped, commander, legal):
    notice = _draft(scoped, commander)["privacy@helix.example"]

    services.notification_approve(notification=notice, actor=legal)

    notice.refresh_from_db()
    assert (notice.status, notice.approved_by) == (Notification.Status.APPROVED, legal)
    assert _entries(scoped, "notification_approved")[-1].actor_name == "legal"


def test_nobody_approves_their_own_draft(scoped, commander):
    notice = _draft(scoped, commander)["privacy@helix.example"]

    with pytest.raises(ValidationError, match="someone else"):
        services.notification_approve(notification=notice, actor=commander)


def test_four_eyes_can_be_switched_off(scoped, commander, settings):
    settings.NOTICE_FOUR_EYES = False
    notice = _draft(scoped, commander)["privacy@helix.example"]

    services.notification_approve(notification=notice, actor=commander)

    notice.refresh_from_db()
    assert notice.status == Notification.Status.APPROVED


def test_a_responder_cannot_approve(scoped, commander, responder):
    notice = _draft(scoped, commander)["privacy@helix.example"]

    with pytest.raises(PermissionDenied):
        services.notification_approve(notification=notice, actor=responder)


def test_sending_is_refused_while_a_draft_is_unapproved(scoped, commander, legal):
    drafts = _draft(scoped, commander)
    services.notification_approve(notification=drafts["privacy@helix.example"], actor=legal)

    with pytest.raises(ValidationError, match="1 draft notice"):
        services.notifications_send_approved(incident=scoped, actor=commander)

    assert mail.outbox == []


def test_sending_waits_for_the_commit_then_sends_each_once(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    drafts = _draft(scoped, commander)
    for draft in drafts.values():
        services.notification_approve(notification=draft, actor=legal)

    with django_capture_on_commit_callbacks() as callbacks:
        services.notifications_send_approved(incident=scoped, actor=commander)
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(drafts)
    sent = Notification.objects.filter(status=Notification.Status.SENT)
    assert sent.count() == 2


def test_a_sent_message_has_both_parts_and_its_stable_message_id(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    drafts = _send_all(scoped, commander, legal, django_capture_on_commit_callbacks)
    notice = Notification.objects.get(pk=drafts["privacy@helix.example"].pk)

    message = next(m for m in mail.outbox if m.to == ["privacy@helix.example"])
    assert message.extra_headers["Message-ID"] == notice.message_id
    assert message.body == notice.body_text
    assert message.alternatives[0].mimetype == "text/html"
    entry = _entries(scoped, "notification_sent")[-1]
    assert entry.data["body_text_sha256"]


def test_a_duplicated_task_sends_nothing_more(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    drafts = _send_all(scoped, commander, legal, django_capture_on_commit_callbacks)

    outcome = services.notification_send(notification_id=drafts["privacy@helix.example"].pk)

    assert outcome == "skipped"
    assert len(mail.outbox) == 2


def test_sending_every_partner_notice_completes_the_notify_partners_task(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    _send_all(scoped, commander, legal, django_capture_on_commit_callbacks)

    task = scoped.tasks.get(action=Task.Action.NOTIFY_PARTNERS)
    assert task.status == Task.Status.DONE


def test_pausing_tells_each_engagement_owner(
    incident, commander, django_capture_on_commit_callbacks
):
    engagement = incident.vendors.get().engagements.get()
    engagement.owner = commander
    engagement.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.engagements_pause(incident=incident, actor=commander, reason="Breach")

    assert [m.to for m in mail.outbox] == [[commander.email]]
    assert "is paused" in mail.outbox[0].subject
    assert "Reason: Breach" in mail.outbox[0].body
    assert Notification.objects.get().status == Notification.Status.SENT


# --- failures, retries and the sweep -----------------------------------------------------


def _queued_notice(scoped, commander, legal):
    notice = _draft(scoped, commander)["privacy@helix.example"]
    Notification.objects.exclude(pk=notice.pk).delete()
    services.notification_approve(notification=notice, actor=legal)
    services.notifications_send_approved(incident=scoped, actor=commander)
    return notice


def test_a_permanent_refusal_ends_failed_with_the_error_on_the_timeline(scoped, commander, legal):
    notice = _queued_notice(scoped, commander, legal)

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=__import__("smtplib").SMTPRecipientsRefused(
            {"privacy@helix.example": (550, b"5.1.1 No such user")}
        ),
    ):
        outcome = services.notification_send(notification_id=notice.pk)

    notice.refresh_from_db()
    assert outcome == "failed"
    assert notice.status == Notification.Status.FAILED
    assert "550 5.1.1 No such user" in notice.last_error
    assert _entries(scoped, "notification_failed")[-1].data["error"] == notice.last_error


def test_a_failed_notice_is_retried_by_the_commander(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    notice = _queued_notice(scoped, commander, legal)
    delivery.notification_mark_failed(notification_id=notice.pk, error="550 gone")

    with django_capture_on_commit_callbacks(execute=True):
        services.notification_retry(notification=notice, actor=commander)

    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweep_publishes_again_what_the_broker_lost(scoped, commander, legal):
    notice = _queued_notice(scoped, commander, legal)

    report = services.notifications_sweep(
        now=timezone.now() + delivery.QUEUED_GRACE + timedelta(seconds=1)
    )

    notice.refresh_from_db()
    assert report.republished == 1
    assert notice.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_recent_rows_to_their_tasks(scoped, commander, legal):
    notice = _queued_notice(scoped, commander, legal)

    report = services.notifications_sweep()

    notice.refresh_from_db()
    assert report.republished == 0
    assert notice.status == Notification.Status.QUEUED


def test_a_send_a_dead_worker_left_is_not_resent_but_flagged(scoped, commander, legal):
    notice = _queued_notice(scoped, commander, legal)
    Notification.objects.filter(pk=notice.pk).update(
        status=Notification.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )

    report = services.notifications_sweep()

    notice.refresh_from_db()
    assert report.uncertain == 1
    assert notice.status == Notification.Status.FAILED
    assert notice.last_error.startswith("Delivery uncertain")
    assert mail.outbox == []


# --- acknowledgement ------------------------------------------------------------------------


@pytest.fixture
def sent_notice(scoped, commander, legal, django_capture_on_commit_callbacks):
    drafts = _send_all(scoped, commander, legal, django_capture_on_commit_callbacks)
    return Notification.objects.get(pk=drafts["privacy@helix.example"].pk)


def test_a_valid_link_records_the_acknowledgement_once(sent_notice):
    token = notice_composition.ack_token(sent_notice.ack_nonce)

    first = services.notification_acknowledge(token=token)
    again = services.notification_acknowledge(token=token)

    sent_notice.refresh_from_db()
    assert (first.outcome, again.outcome) == ("acknowledged", "already")
    assert sent_notice.acknowledged_at is not None
    assert len(_entries(sent_notice.incident, "notification_acknowledged")) == 1


def test_a_tampered_link_changes_nothing(sent_notice):
    token = notice_composition.ack_token(sent_notice.ack_nonce)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    assert services.notification_acknowledge(token=tampered).outcome == "invalid"
    sent_notice.refresh_from_db()
    assert sent_notice.acknowledged_at is None


def test_an_expired_link_changes_nothing(sent_notice):
    token = notice_composition.ack_token(sent_notice.ack_nonce)
    Notification.objects.filter(pk=sent_notice.pk).update(
        sent_at=timezone.now() - notice_composition.ACK_LINK_MAX_AGE - timedelta(minutes=1)
    )

    result = services.notification_acknowledge(token=token)

    assert result.outcome == "expired"
    sent_notice.refresh_from_db()
    assert sent_notice.acknowledged_at is None


def test_a_link_to_an_unsent_notice_is_not_valid(scoped, commander):
    draft = _draft(scoped, commander)["privacy@helix.example"]

    assert (
        services.notification_acknowledge(
            token=notice_composition.ack_token(draft.ack_nonce)
        ).outcome
        == "invalid"
    )


# --- templates ----------------------------------------------------------------------------


def test_a_broken_template_stops_drafting_with_a_clear_message(scoped, commander):
    EmailTemplate.objects.filter(kind="partner_notice").update(body="{{ incident_refrence }}")

    with pytest.raises(ValidationError, match="unknown variable"):
        _draft(scoped, commander)

    assert not Notification.objects.exists()
