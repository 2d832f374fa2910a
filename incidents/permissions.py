"""What a person may do on one incident, decided in one place.

Whether they may *see* it at all is the access gate in selectors
(``incident_get_for_user``); this assumes that gate has already passed.
"""

from dataclasses import dataclass

from breachdesk.models import User
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


def is_legal(user: User) -> bool:
    return user.has_perm("incidents.legal_review")


def abilities_for(
    user: User, incident: Incident, membership: IncidentMember | None = None
) -> Abilities:
    if membership is None:
        membership = incident.members.filter(user=user).first()
    role = membership.role if membership else None
    commands = user.is_staff or incident.commander_id == user.pk
    works = commands or (role is not None and role != IncidentMember.Role.VIEWER)
    legal = is_legal(user) or role == IncidentMember.Role.LEGAL
    return Abilities(
        role=role,
        commands=commands,
        works=works,
        notes=works or legal,
        privileged_notes=legal,
        approves_as_legal=is_legal(user),
    )
