"""Reads about notices across incidents: the partner notices nobody has acknowledged."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from breachdesk.models import User
from incidents.models import Incident, Notification
from incidents.selectors.access import visible_incidents

# A dashboard lists a screenful, not every notice of every incident.
UNACKNOWLEDGED_LIMIT = 50


def ack_overdue_since(now: datetime | None = None) -> datetime:
    """Notices sent before this moment and still unacknowledged are overdue."""
    return (now or timezone.now()) - timedelta(hours=settings.ACK_ALERT_HOURS)


def unacknowledged_notices_for(
    user: User, *, now: datetime | None = None, limit: int = UNACKNOWLEDGED_LIMIT
) -> QuerySet[Notification]:
    """Sent partner notices not acknowledged ``ACK_ALERT_HOURS`` after sending, oldest first.

    Only of open incidents ``user`` may see (the need-to-know gate's rule),
    with the incident and the partner read in the same query: one query,
    whatever the number of incidents. At most ``limit`` rows.
    """
    return (
        Notification.objects.filter(
            incident__in=visible_incidents(user=user).exclude(phase=Incident.Phase.CLOSED),
            kind=Notification.Kind.PARTNER_NOTICE,
            status=Notification.Status.SENT,
            acknowledged_at__isnull=True,
            sent_at__lte=ack_overdue_since(now),
        )
        .select_related("incident", "stakeholder")
        .defer("incident__search_vector")
        .order_by("sent_at", "pk")[:limit]
    )


def failed_notices_for(user: User, *, limit: int = UNACKNOWLEDGED_LIMIT) -> QuerySet[Notification]:
    """Notices of open incidents ``user`` may see that failed, latest failure first.

    Includes those whose delivery is uncertain (``Notification.delivery_uncertain``:
    handed to the mail server, reply never heard). One query, with the
    incident and the recipient's stakeholder; at most ``limit`` rows.
    """
    return (
        Notification.objects.filter(
            incident__in=visible_incidents(user=user).exclude(phase=Incident.Phase.CLOSED),
            status=Notification.Status.FAILED,
        )
        .select_related("incident", "stakeholder")
        .defer("incident__search_vector")
        .order_by("-failed_at", "-pk")[:limit]
    )
