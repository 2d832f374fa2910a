"""Notices a partner can act on: who we are, what happened in public words, what was done."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.email_templates import DEFAULTS
from incidents.exceptions import NothingChanged
from incidents.models import Notification, OrganisationProfile, TimelineEntry
from incidents.notices import CONTEXT_VARIABLES
from incidents.services import delivery
from incidents.services.notice_composition import NO_PUBLIC_SUMMARY
from tests.factories import DataAssetFactory, EngagementFactory, StakeholderContactFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Parallax breach: our red-team found their S3 keys in a pastebin"


@pytest.fixture
def profile(db):
    return OrganisationProfile.objects.create(
        name="Northwind AI Ltd",
        reply_to="security@northwind.example",
        public_contact="+44 20 7946 0000",
    )


@pytest.fixture
def scoped(incident, responder):
    """Helix's clinical samples confirmed exposed; Helix has a contact."""
    StakeholderContactFactory(
        stakeholder=Stakeholder.objects.get(name="Helix Health"),
        name="Helix privacy",
        email="privacy@helix.example",
    )
    StakeholderContactFactory(
        stakeholder=Stakeholder.objects.get(name="Orbital Robotics"),
        name="Orbital privacy",
        email="privacy@orbital.example",
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
        records_affected=48_000,
    )
    return incident


def _drafts(incident, commander) -> dict[str, Notification]:
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    return {d.recipient_email: d for d in drafts}


def _helix(incident, commander) -> Notification:
    return _drafts(incident, commander)["privacy@helix.example"]


def _send(notices, commander, legal, django_capture_on_commit_callbacks):
    for notice in notices:
        services.notification_approve(notification=notice, actor=legal)
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_send_approved(incident=notices[0].incident, actor=commander)


# --- who we are -----------------------------------------------------------------------------


def test_a_partner_notice_names_the_organisation_from_the_profile(scoped, commander, profile):
    notice = _helix(scoped, commander)

    assert notice.body_text.startswith("Dear Helix privacy,\n\nNorthwind AI Ltd is writing")
    assert "or contact +44 20 7946 0000" in notice.body_text


def test_an_outside_notice_comes_from_us_by_name_with_our_reply_to(
    scoped, commander, legal, profile, django_capture_on_commit_callbacks
):
    notice = _helix(scoped, commander)
    _send([notice], commander, legal, django_capture_on_commit_callbacks)

    [message] = [m for m in mail.outbox if m.to == ["privacy@helix.example"]]
    assert message.from_email.startswith("Northwind AI Ltd <")
    assert message.reply_to == ["security@northwind.example"]
    assert message.message()["Reply-To"] == "security@northwind.example"


def test_an_internal_message_keeps_the_configured_sender_and_no_reply_to(
    incident, profile, settings
):
    reminder = Notification(incident=incident, kind=Notification.Kind.REMINDER)

    assert delivery._sender(reminder) == (settings.DEFAULT_FROM_EMAIL, [])


@pytest.mark.parametrize(
    "contact",
    ["security@northwind.example", "https://northwind.example/security", "+1 (555) 010-0199"],
)
def test_the_public_contact_takes_an_address_a_web_page_or_a_phone(contact):
    OrganisationProfile(public_contact=contact).full_clean()


@pytest.mark.parametrize("contact", ["call Bob", "javascript:alert(1)", "12", "not@an@address"])
def test_the_public_contact_refuses_what_a_partner_cannot_use(contact):
    with pytest.raises(ValidationError) as caught:
        OrganisationProfile(public_contact=contact).full_clean()

    assert "public_contact" in caught.value.message_dict


def test_the_profile_admin_edits_the_name_reply_to_and_public_contact(admin_client, profile):
    url = reverse("admin:incidents_organisationprofile_change", args=[profile.pk])

    html = admin_client.get(url).content.decode()

    for name in ("name", "reply_to", "public_contact"):
        assert f'name="{name}"' in html


# --- what happened, in public words ---------------------------------------------------------


def test_a_partner_notice_never_carries_the_internal_title(scoped, commander):
    scoped.title = SECRET_TITLE
    scoped.save(update_fields=["title"])

    notice = _helix(scoped, commander)

    assert SECRET_TITLE not in notice.body_text + notice.subject + notice.body_html
    assert f"What happened: {NO_PUBLIC_SUMMARY}" in notice.body_text


def test_a_partner_notice_quotes_the_public_summary_the_commander_wrote(scoped, commander):
    services.incident_set_public_summary(
        incident=scoped, actor=commander, text="The vendor's file storage was accessed."
    )

    notice = _helix(scoped, commander)

    assert "What happened: The vendor's file storage was accessed.\n" in notice.body_text


def test_writing_the_public_summary_is_on_the_timeline(incident, commander):
    services.incident_set_public_summary(incident=incident, actor=commander, text="Words.")

    entry = incident.timeline.order_by("-seq").first()
    assert entry.kind == TimelineEntry.Kind.PUBLIC_SUMMARY_CHANGED
    assert entry.summary == "Public summary for partners: Words."


def test_only_the_commander_writes_the_public_summary(client, incident, responder):
    client.force_login(responder)

    response = client.post(
        reverse("incidents:public-summary", args=[incident.reference]),
        {"public_summary": "Words."},
    )

    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.public_summary == ""


def test_the_commander_saves_the_public_summary_on_its_page(client, incident, commander):
    client.force_login(commander)
    url = reverse("incidents:public-summary", args=[incident.reference])

    assert client.get(url).status_code == 200
    response = client.post(url, {"public_summary": "  The vendor was breached.  "})

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.public_summary == "The vendor was breached."


# --- what was done, from the facts ----------------------------------------------------------


def test_a_notice_says_the_work_was_not_paused_when_it_was_not(scoped, commander):
    notice = _helix(scoped, commander)

    assert "Our work with the vendor has not been paused." in notice.body_text
    assert "We paused our work" not in notice.body_text


def test_a_notice_says_when_the_work_was_paused(scoped, commander):
    services.engagements_pause(incident=scoped, actor=commander, reason="Breach")

    notice = _helix(scoped, commander)

    moment = timezone.now().strftime("%d %b %Y, %H:%M")
    assert f"We paused our work with the vendor on {moment} UTC." in notice.body_text


def test_a_notice_says_the_scope_review_is_under_way_until_every_asset_is_reviewed(
    scoped, commander
):
    notice = _helix(scoped, commander)

    assert "Our review of what the vendor held is under way." in notice.body_text


def test_a_notice_says_the_scope_review_is_complete_once_every_asset_is_reviewed(
    scoped, commander, responder
):
    services.scope_review_mark(
        incident=scoped,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Teleop logs"),
        status="not_exposed",
    )

    notice = _helix(scoped, commander)

    assert "We have reviewed every data asset the vendor held." in notice.body_text


def test_a_notice_names_only_the_assets_that_hold_that_partners_data(
    scoped, commander, responder, breached_vendor
):
    orbital = Stakeholder.objects.get(name="Orbital Robotics")
    EngagementFactory(
        vendor=breached_vendor,
        data_assets=[DataAssetFactory(name="Robot arm telemetry", stakeholders=[orbital])],
    )
    services.scope_review_mark(
        incident=scoped,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Robot arm telemetry"),
        status="confirmed",
        records_affected=10,
    )

    drafts = _drafts(scoped, commander)

    helix = drafts["privacy@helix.example"].body_text
    orbital_text = drafts["privacy@orbital.example"].body_text
    assert "Your data it concerns: Clinical samples." in helix
    assert "Robot arm telemetry" not in helix
    assert "Your data it concerns: Robot arm telemetry." in orbital_text
    assert "Clinical samples" not in orbital_text


# --- follow-ups -----------------------------------------------------------------------------


def test_a_follow_up_goes_to_the_same_partner_linked_to_the_first_and_says_update_2(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    first = _helix(scoped, commander)
    _send(
        list(scoped.notifications.filter(status="draft")),
        commander,
        legal,
        django_capture_on_commit_callbacks,
    )
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        services.engagements_pause(incident=scoped, actor=commander, reason="Breach")
        follow_ups = services.notifications_draft_follow_ups(incident=scoped, actor=commander)

    update = next(n for n in follow_ups if n.recipient_email == "privacy@helix.example")
    assert update.follows == first
    assert update.update_number == 2
    assert update.stakeholder == first.stakeholder
    assert update.subject.startswith(f"[{scoped.reference}] Update 2: Security incident")
    assert "This is update 2 from" in update.body_text
    assert "We paused our work with the vendor" in update.body_text


def test_the_follow_up_timeline_entry_says_which_update(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    _send(
        list(_drafts(scoped, commander).values()),
        commander,
        legal,
        django_capture_on_commit_callbacks,
    )
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        services.incident_set_public_summary(incident=scoped, actor=commander, text="News.")
        services.notifications_draft_follow_ups(incident=scoped, actor=commander)

    entry = scoped.timeline.order_by("-seq").first()
    assert entry.kind == TimelineEntry.Kind.NOTIFICATION_DRAFTED
    assert "Update 2 to privacy@helix.example" in entry.summary
    assert entry.data["notifications"][0]["update"] == 2


def test_a_follow_up_with_no_new_facts_says_so(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    _send(
        list(_drafts(scoped, commander).values()),
        commander,
        legal,
        django_capture_on_commit_callbacks,
    )

    with pytest.raises(NothingChanged, match="no new facts since the last notice"):
        services.notifications_draft_follow_ups(incident=scoped, actor=commander)


def test_a_follow_up_before_any_notice_was_sent_says_so(scoped, commander):
    _drafts(scoped, commander)

    with pytest.raises(NothingChanged, match="no partner notice has been sent yet"):
        services.notifications_draft_follow_ups(incident=scoped, actor=commander)


def test_a_second_follow_up_waits_for_the_first(
    scoped, commander, legal, django_capture_on_commit_callbacks
):
    _send(
        list(_drafts(scoped, commander).values()),
        commander,
        legal,
        django_capture_on_commit_callbacks,
    )
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        services.incident_set_public_summary(incident=scoped, actor=commander, text="News.")
        services.notifications_draft_follow_ups(incident=scoped, actor=commander)

        with pytest.raises(NothingChanged, match="already has a follow-up waiting"):
            services.notifications_draft_follow_ups(incident=scoped, actor=commander)


# --- internal messages link to the incident -------------------------------------------------


def test_a_reminder_to_a_member_links_to_the_incident(incident, commander, settings):
    notice = services.notifications.notification_queue_internal(
        incident,
        kind=Notification.Kind.REMINDER,
        recipient=commander,
        actor=None,
        deadline="GDPR Art. 33",
    )

    assert f"{settings.SITE_URL}/incidents/{incident.reference}/" in notice.body_text


def test_a_message_to_someone_who_may_not_see_the_incident_carries_no_link(
    incident, outsider, settings
):
    notice = services.notifications.notification_queue_internal(
        incident,
        kind=Notification.Kind.REMINDER,
        recipient=outsider,
        actor=None,
        deadline="GDPR Art. 33",
    )

    assert f"/incidents/{incident.reference}/" not in notice.body_text + notice.body_html
    assert incident.title not in notice.body_text


def test_a_partner_notice_carries_no_link_into_breachdesk(scoped, commander):
    notice = _helix(scoped, commander)

    assert f"/incidents/{scoped.reference}/" not in notice.body_text


# --- the templates --------------------------------------------------------------------------


def test_the_admin_lists_the_new_variables(admin_client):
    from incidents.models import EmailTemplate

    template = EmailTemplate.objects.get(kind="partner_notice")
    url = reverse("admin:incidents_emailtemplate_change", args=[template.pk])

    html = admin_client.get(url).content.decode()

    for name in ("organisation", "public_summary", "assets", "engagement_status", "update_label"):
        assert name in CONTEXT_VARIABLES
        assert f"{{{{ {name} }}}}" in html


def test_the_migration_ships_the_same_wordings_as_the_defaults():
    migration = importlib.import_module("incidents.migrations.0016_notices_partners_can_act_on")

    for kind, (_old, new) in migration.UPDATES.items():
        assert new == DEFAULTS[kind], kind


def test_the_default_partner_notice_has_no_fixed_claims():
    _subject, body = DEFAULTS["partner_notice"]

    assert "incident_title" not in body
    assert "We paused our work with the vendor, revoked its access" not in body
