"""Approving means reading: the approve button is on the notice page, under its words."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from incidents import services
from incidents.models import Notification
from tests.factories import StakeholderContactFactory, UserFactory
from vendors.models import DataAsset, Stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(incident, commander, responder) -> Notification:
    StakeholderContactFactory(
        stakeholder=Stakeholder.objects.get(name="Helix Health"), email="privacy@helix.example"
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Clinical samples"),
        status="confirmed",
        records_affected=10,
    )
    [notice], _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    return notice


def _page(client, notice):
    return reverse("incidents:notification", args=[notice.incident.reference, notice.pk])


def _approve_url(notice):
    return reverse("incidents:notification-approve", args=[notice.incident.reference, notice.pk])


def test_the_panel_links_to_the_notice_page_instead_of_approving_in_place(client, draft, legal):
    client.force_login(legal)

    html = client.get(draft.incident.get_absolute_url()).content.decode()

    assert f'action="{_approve_url(draft)}"' not in html
    assert f'href="{_page(client, draft)}#approve">Read and approve</a>' in html


def test_the_notice_page_shows_the_rendered_subject_and_text_with_the_approve_button(
    client, draft, legal
):
    client.force_login(legal)

    html = client.get(_page(client, draft)).content.decode()

    assert draft.subject in html
    assert "Dear " in html and "Please confirm you received this notice" in html
    assert f'action="{_approve_url(draft)}"' in html
    assert "Approve this notice" in html


def test_approving_from_the_notice_page_approves_and_returns_to_the_incident(client, draft, legal):
    client.force_login(legal)

    response = client.post(_approve_url(draft))

    assert response.status_code == 302
    assert response.url == draft.incident.get_absolute_url()
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (Notification.Status.APPROVED, legal)


def test_legal_approves_after_another_commander_edited(draft, legal):
    staff = UserFactory(username="duty-officer", roles=["Commander"], is_staff=True)
    services.notification_update_draft(
        notification=draft,
        actor=staff,
        subject=draft.subject,
        body_text=draft.body_text + "\n\nEdited.",
        recipient_email=draft.recipient_email,
        recipient_name=draft.recipient_name,
    )

    services.notification_approve(notification=draft, actor=legal)

    draft.refresh_from_db()
    assert draft.status == Notification.Status.APPROVED


def test_the_drafter_is_not_shown_a_button_that_would_refuse(client, draft, commander, legal):
    client.force_login(commander)

    panel = client.get(draft.incident.get_absolute_url()).content.decode()
    page = client.get(_page(client, draft)).content.decode()

    assert "Read and approve" not in panel
    assert "Someone else approves (you drafted or edited it)" in panel
    assert "Approve this notice" not in page
    assert f"so someone else must approve it: {escape(legal.display_name)} (Legal)." in page


def test_the_refusal_names_who_may_approve(draft, commander, legal):
    with pytest.raises(ValidationError) as caught:
        services.notification_approve(notification=draft, actor=commander)

    assert caught.value.messages == [
        "You drafted or last edited this notice, so someone else must approve it: "
        f"{legal.display_name} (Legal)."
    ]


def test_with_no_one_else_on_the_team_the_refusal_says_whom_to_bring_in(draft, commander, legal):
    draft.incident.members.filter(user=legal).delete()

    with pytest.raises(ValidationError, match="add a Legal member to the team"):
        services.notification_approve(notification=draft, actor=commander)


def test_a_refused_approval_from_the_page_returns_to_the_page_with_the_reason(
    client, draft, commander, legal
):
    client.force_login(commander)

    response = client.post(_approve_url(draft), follow=True)

    assert response.redirect_chain[-1][0] == _page(client, draft)
    html = response.content.decode()
    assert f"someone else must approve it: {escape(legal.display_name)} (Legal)" in html
    draft.refresh_from_db()
    assert draft.status == Notification.Status.DRAFT
