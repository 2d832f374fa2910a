"""What every incident service shares: the row lock, and how much clock skew to forgive."""

from datetime import timedelta

from django.db.models import QuerySet

from incidents.models import Incident

# Clocks on two machines disagree by a little; a time a few minutes "in the
# future" is that, not a mistake.
CLOCK_SKEW = timedelta(minutes=5)


def lock_incident(incident: Incident) -> Incident:
    """Re-read the incident locked: state changes (and timeline appends) queue here."""
    locked: QuerySet[Incident] = Incident.objects.select_related("commander").select_for_update(
        of=("self",)
    )
    return locked.get(pk=incident.pk)
