"""What a person may do on one incident, decided in one place.

Whether they may *see* it at all is the access gate in selectors
(``incident_get_for_user``); this assumes that gate has already passed.

A team role never gives more than the person's own role allows
(``breachdesk.roles.INCIDENT_ROLES``): a Viewer listed as "legal" on a team,
or left in command after losing the Commander role, only reads.
"""

from dataclasses import dataclass

from breachdesk.models import User
from breachdesk.roles import incident_roles_allowed, is_legal, may_command
from incidents.models import Incident, IncidentMember


@dataclass(frozen=True)
class Abilities:
    role: str | None
    commands: bool
    works: bool
    notes: bool
    privileged_notes: bool
    approves_as_legal: bool

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def reads_privileged(self) -> bool:
        """Reads privileged notes' text: the Legal ability on this incident."""
        return self.privileged_notes


def abilities_for(
    user: User, incident: Incident, membership: IncidentMember | None = None
) -> Abilities:
    """What ``user`` may do on ``incident``; the team role comes from ``membership``, from
    the gate's ``member_role`` (read with the incident), or else from one query."""
    if membership is not None:
        role = membership.role
    elif hasattr(incident, "member_role"):
        role = incident.member_role
    else:
        membership = incident.members.filter(user=user).first()
        role = membership.role if membership else None
    allowed = incident_roles_allowed(user)
    working_role = role if role in allowed else None
    commands = may_command(user) and (user.is_staff or incident.commander_id == user.pk)
    works = commands or working_role in (
        IncidentMember.Role.COMMANDER,
        IncidentMember.Role.RESPONDER,
        IncidentMember.Role.LEGAL,
    )
    legal = is_legal(user)
    return Abilities(
        role=role,
        commands=commands,
        works=works,
        notes=works or legal,
        privileged_notes=legal,
        approves_as_legal=legal,
    )
