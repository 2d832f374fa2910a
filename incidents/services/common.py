"""What every incident service shares: the one way to lock and check, and the clock skew."""

from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef

from breachdesk.models import User
from incidents.models import Incident
from incidents.permissions import Abilities, abilities_for
from integrations.models import WebhookEndpoint

# Clocks on two machines disagree by a little; a time a few minutes "in the
# future" is that, not a mistake.
CLOCK_SKEW = timedelta(minutes=5)

CLOSED_INCIDENT = "This incident is closed; reopen it first."


class Need(StrEnum):
    """What a service needs its actor to be able to do on the incident."""

    COMMAND = "command"
    WORK = "work"
    NOTES = "notes"
    LEGAL = "legal"
    COMMAND_OR_LEGAL = "command_or_legal"


_HAS: dict[Need, Callable[[Abilities], bool]] = {
    Need.COMMAND: lambda abilities: abilities.commands,
    Need.WORK: lambda abilities: abilities.works,
    Need.NOTES: lambda abilities: abilities.notes,
    Need.LEGAL: lambda abilities: abilities.approves_as_legal,
    Need.COMMAND_OR_LEGAL: lambda abilities: abilities.commands or abilities.approves_as_legal,
}

REFUSED = {
    Need.COMMAND: "Only the incident commander (or an administrator) can do this.",
    Need.WORK: "Only members working this incident can do this.",
    Need.NOTES: "Only members working this incident, and Legal, can add notes.",
    Need.LEGAL: "Only Legal can do this.",
    Need.COMMAND_OR_LEGAL: "Only the incident commander or Legal can do this.",
}


def lock_incident(
    incident: Incident,
    *,
    actor: User | None,
    need: Need | None,
    open_only: bool = True,
    refused: str = "",
) -> Incident:
    """Re-read the incident locked, then check it may be changed, and by this actor.

    State changes (and timeline appends) queue on this row lock until the
    holder commits; on SQLite the IMMEDIATE transaction mode does the same.
    Returns the locked incident with ``abilities`` set when ``need`` is given.
    Raises ValidationError for a closed incident when ``open_only``, and
    PermissionDenied (``refused``, or the need's standard words) when the
    actor lacks ``need``. ``need=None`` is for the system's own work.
    """
    locked = (
        Incident.objects.select_related("commander")
        # Whether any webhook endpoint listens, asked with the lock rather than
        # by each event of the change: a change heard by no one costs no query.
        .annotate(webhook_listeners=Exists(WebhookEndpoint.objects.listening_to(OuterRef("pk"))))
        .select_for_update(of=("self",))
        .get(pk=incident.pk)
    )
    locked.chain_locked = True
    if open_only and locked.is_closed:
        raise ValidationError(CLOSED_INCIDENT)
    if need is not None:
        locked.abilities = abilities_for(actor, locked)
        if not _HAS[need](locked.abilities):
            raise PermissionDenied(refused or REFUSED[need])
    return locked
