"""Legal hold: while it is on, nothing of the incident may be deleted.

Legal places and lifts it, each time with a reason that goes on the timeline.
Every service that deletes something of an incident calls
``refuse_if_on_legal_hold`` on the locked incident first.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from breachdesk.models import User
from incidents import timeline
from incidents.models import Incident
from incidents.services.common import Need, lock_incident

MAX_REASON_LENGTH = 2_000
HOLD_REASON_EMPTY = "Say why: the reason goes on the timeline."
HOLD_REASON_TOO_LONG = "Keep the reason under {limit:,} characters (it has {length:,})."
ALREADY_ON_HOLD = "This incident is already on legal hold."
NOT_ON_HOLD = "This incident is not on legal hold."
ON_LEGAL_HOLD = (
    "{reference} is on legal hold: nothing of it can be deleted until Legal lifts the hold."
)
HOLD_REFUSED = "Only Legal can place or lift a legal hold."


def refuse_if_on_legal_hold(incident: Incident) -> None:
    """Raise ValidationError if ``incident`` (read under its lock) is on legal hold."""
    if incident.legal_hold:
        raise ValidationError(ON_LEGAL_HOLD.format(reference=incident.reference))


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [HOLD_REASON_EMPTY]})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": [HOLD_REASON_TOO_LONG.format(limit=MAX_REASON_LENGTH, length=len(reason))]}
        )
    return reason


@transaction.atomic(durable=True)
def incident_place_legal_hold(*, incident: Incident, actor: User, reason: str) -> Incident:
    """Put the incident on legal hold (a closed one too: litigation often comes later).

    Raises PermissionDenied unless the actor has the Legal ability, and
    ValidationError for an empty reason or an incident already on hold.
    """
    incident = lock_incident(
        incident, actor=actor, need=Need.LEGAL, open_only=False, refused=HOLD_REFUSED
    )
    reason = _clean_reason(reason)
    if incident.legal_hold:
        raise ValidationError(ALREADY_ON_HOLD)
    incident.legal_hold = True
    incident.save(update_fields=["legal_hold", "updated_at"])
    timeline.record_legal_hold_placed(incident=incident, actor=actor, reason=reason)
    return incident


@transaction.atomic(durable=True)
def incident_lift_legal_hold(*, incident: Incident, actor: User, reason: str) -> Incident:
    """Lift the hold; raises as ``incident_place_legal_hold`` does (or if not on hold)."""
    incident = lock_incident(
        incident, actor=actor, need=Need.LEGAL, open_only=False, refused=HOLD_REFUSED
    )
    reason = _clean_reason(reason)
    if not incident.legal_hold:
        raise ValidationError(NOT_ON_HOLD)
    incident.legal_hold = False
    incident.save(update_fields=["legal_hold", "updated_at"])
    timeline.record_legal_hold_lifted(incident=incident, actor=actor, reason=reason)
    return incident
