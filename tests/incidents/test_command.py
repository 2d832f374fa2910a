"""Command goes only to people who may command (issue 9, fault 4).

Only active Commander-role users and staff may command an incident; a team
role never gives more than the person's own role allows; someone left in
command without the right (old data) has no command ability, and a commander
who may see the incident can take command back.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.forms import CommanderForm
from incidents.models import Incident, IncidentMember, TimelineEntry
from incidents.permissions import abilities_for
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _commanders_changed(incident):
    return TimelineEntry.objects.filter(incident=incident, kind="commander_changed")


def _person(request, kind):
    """Someone of each kind that may not command an incident."""
    if kind == "inactive commander":
        return UserFactory(username="retired", roles=["Commander"], is_active=False)
    return request.getfixturevalue(kind)


NOT_COMMANDERS = ["viewer", "legal", "responder", "no_role", "inactive commander"]


@pytest.fixture
def viewer_in_command(incident, viewer):
    """Old data: a Viewer left in command, as the hand-over once allowed."""
    Incident.objects.filter(pk=incident.pk).update(commander=viewer)
    incident.refresh_from_db()
    return incident


# --- handing over -------------------------------------------------------------------------


def test_the_hand_over_list_offers_only_active_commanders_and_staff(
    commander, responder, legal, viewer, no_role
):
    deputy = UserFactory(username="deputy", roles=["Commander"])
    admin = UserFactory(username="admin-user", is_staff=True)
    UserFactory(username="retired", roles=["Commander"], is_active=False)

    offered = CommanderForm().fields["commander"].queryset

    assert sorted(user.username for user in offered) == sorted(
        [commander.username, deputy.username, admin.username]
    )


@pytest.mark.parametrize("kind", NOT_COMMANDERS)
def test_command_cannot_be_handed_to_someone_who_may_not_command(
    request, kind, incident, commander
):
    person = _person(request, kind)

    with pytest.raises(ValidationError) as raised:
        services.incident_set_commander(incident=incident, actor=commander, commander=person)

    incident.refresh_from_db()
    assert "commander" in raised.value.message_dict
    assert incident.commander == commander
    assert not _commanders_changed(incident).exists()


@pytest.mark.parametrize("roles", [["Commander"], []], ids=["commander", "staff"])
def test_command_can_be_handed_to_a_commander_or_staff(roles, incident, commander):
    deputy = UserFactory(username="deputy", roles=roles, is_staff=not roles)

    services.incident_set_commander(incident=incident, actor=commander, commander=deputy)

    incident.refresh_from_db()
    assert incident.commander == deputy
    assert _commanders_changed(incident).count() == 1


def test_the_hand_over_form_refuses_a_viewer(client, incident, commander, viewer):
    client.force_login(commander)

    client.post(
        reverse("incidents:commander", kwargs={"reference": incident.reference}),
        {"commander": viewer.pk},
    )

    incident.refresh_from_db()
    assert incident.commander == commander
    assert not _commanders_changed(incident).exists()


@pytest.mark.parametrize("kind", NOT_COMMANDERS)
def test_an_incident_cannot_be_opened_with_a_commander_who_may_not_command(
    request, kind, commander, breached_vendor
):
    person = _person(request, kind)

    with pytest.raises(ValidationError) as raised:
        services.incident_open(
            actor=commander,
            commander=person,
            title="Vendor breach",
            vendors=[breached_vendor],
            source="press_report",
            discovered_at=timezone.now() - timedelta(hours=2),
        )

    assert "commander" in raised.value.message_dict
    assert not Incident.objects.exists()


# --- someone left in command who may not command ------------------------------------------


def test_a_viewer_left_in_command_has_no_command_ability(viewer_in_command, viewer):
    abilities = abilities_for(viewer, viewer_in_command)

    assert not abilities.commands
    assert not abilities.works


def test_a_viewer_left_in_command_cannot_move_the_phase_with_an_override(viewer_in_command, viewer):
    with pytest.raises(PermissionDenied):
        services.incident_advance_phase(
            incident=viewer_in_command,
            to_phase="containment",
            actor=viewer,
            override_reason="Moving on",
        )

    viewer_in_command.refresh_from_db()
    assert viewer_in_command.phase == Incident.Phase.TRIAGE


def test_a_commander_takes_command_back_from_a_viewer_left_in_command(
    client, viewer_in_command, commander, viewer
):
    client.force_login(commander)

    response = client.post(
        reverse("incidents:commander", kwargs={"reference": viewer_in_command.reference}),
        {"commander": commander.pk},
    )

    viewer_in_command.refresh_from_db()
    assert response.status_code == 302
    assert viewer_in_command.commander == commander
    entry = _commanders_changed(viewer_in_command).get()
    assert entry.actor == commander
    assert abilities_for(commander, viewer_in_command).commands


def test_the_page_offers_a_commander_to_take_command(client, viewer_in_command, commander):
    client.force_login(commander)

    response = client.get(
        reverse("incidents:detail", kwargs={"reference": viewer_in_command.reference})
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Take command" in html
    assert f'<input type="hidden" name="commander" value="{commander.pk}">' in html


def test_a_commander_not_on_the_team_may_take_command_of_an_incident_they_see(
    client, incident, commander
):
    deputy = UserFactory(username="deputy", roles=["Commander"])
    client.force_login(deputy)

    client.post(
        reverse("incidents:commander", kwargs={"reference": incident.reference}),
        {"commander": deputy.pk},
    )

    incident.refresh_from_db()
    assert incident.commander == deputy
    assert incident.members.get(user=deputy).role == IncidentMember.Role.COMMANDER


def test_a_commander_who_may_not_see_the_incident_cannot_take_command(client, commander):
    hidden = IncidentFactory(commander=commander, restricted=True)
    deputy = UserFactory(username="deputy", roles=["Commander"])
    client.force_login(deputy)

    response = client.post(
        reverse("incidents:commander", kwargs={"reference": hidden.reference}),
        {"commander": deputy.pk},
    )

    hidden.refresh_from_db()
    assert response.status_code == 404
    assert hidden.commander == commander


def test_the_service_refuses_command_to_a_commander_who_may_not_see_the_incident(commander):
    hidden = IncidentFactory(commander=commander, restricted=True)
    deputy = UserFactory(username="deputy", roles=["Commander"])

    with pytest.raises(PermissionDenied):
        services.incident_set_commander(incident=hidden, actor=deputy, commander=deputy)

    hidden.refresh_from_db()
    assert hidden.commander == commander
    assert not hidden.members.filter(user=deputy).exists()


def test_taking_command_from_a_viewer_leaves_them_a_team_role_a_viewer_may_hold(
    client, viewer_in_command, commander, viewer
):
    # As the old hand-over left it: the Viewer holds the commander's team role.
    IncidentMember.objects.filter(incident=viewer_in_command, user=viewer).update(
        role=IncidentMember.Role.COMMANDER
    )
    IncidentMember.objects.filter(incident=viewer_in_command, user=commander).update(
        role=IncidentMember.Role.RESPONDER
    )
    client.force_login(commander)

    client.post(
        reverse("incidents:commander", kwargs={"reference": viewer_in_command.reference}),
        {"commander": commander.pk},
    )

    assert viewer_in_command.members.get(user=viewer).role == IncidentMember.Role.VIEWER


def test_a_responder_cannot_take_command(client, incident, commander, responder):
    client.force_login(responder)

    client.post(
        reverse("incidents:commander", kwargs={"reference": incident.reference}),
        {"commander": responder.pk},
    )

    incident.refresh_from_db()
    assert incident.commander == commander
    assert not _commanders_changed(incident).exists()


# --- team roles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "team_role"),
    [
        (["Viewer"], "legal"),
        (["Viewer"], "responder"),
        (["Responder"], "legal"),
        (["Legal"], "responder"),
        ([], "viewer"),
    ],
    ids=[
        "viewer-as-legal",
        "viewer-as-responder",
        "responder-as-legal",
        "legal-as-responder",
        "no-role",
    ],
)
def test_a_team_role_cannot_exceed_the_persons_role(roles, team_role, incident, commander):
    person = UserFactory(username="newcomer", roles=roles)

    with pytest.raises(ValidationError):
        services.member_add(incident=incident, actor=commander, user=person, role=team_role)

    assert not incident.members.filter(user=person).exists()


@pytest.mark.parametrize(
    ("roles", "team_role"),
    [
        (["Viewer"], "viewer"),
        (["Responder"], "responder"),
        (["Legal"], "legal"),
        (["Commander"], "responder"),
    ],
)
def test_a_team_role_within_the_persons_role_is_accepted(roles, team_role, incident, commander):
    person = UserFactory(username="newcomer", roles=roles)

    services.member_add(incident=incident, actor=commander, user=person, role=team_role)

    assert incident.members.get(user=person).role == team_role


def test_a_viewers_team_role_cannot_be_raised(incident, commander, viewer):
    member = incident.members.get(user=viewer)

    with pytest.raises(ValidationError):
        services.member_set_role(member=member, actor=commander, role="responder")

    member.refresh_from_db()
    assert member.role == IncidentMember.Role.VIEWER


def test_a_viewer_listed_as_responder_in_old_data_only_reads(incident, viewer):
    IncidentMember.objects.filter(incident=incident, user=viewer).update(role="responder")

    abilities = abilities_for(viewer, incident)

    assert not abilities.works
    assert not abilities.commands
