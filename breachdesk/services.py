import uuid
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from breachdesk.models import Heartbeat, Submission, User
from breachdesk.validators import validate_time_zone


def heartbeat_record(*, name: str) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen_at": timezone.now()}
    )
    return heartbeat


def housekeeping_purge() -> int:
    """Delete rows that are only kept for a while; returns how many one-time tokens went.

    One-time form tokens (``Submission``) older than ``SESSION_MAX_HOURS`` go:
    every form is posted from a signed-in session, and no session outlives
    that, so such a token can no longer come back. Expired sessions go too,
    through the session engine's own ``clear_expired()`` (Django's
    ``clearsessions`` command, docs: "Clearing the session store").
    """
    cutoff = timezone.now() - timedelta(hours=settings.SESSION_MAX_HOURS)
    purged, _ = Submission.objects.filter(created_at__lt=cutoff).delete()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return purged


@transaction.atomic(durable=True)
def user_set_time_zone(*, user: User, time_zone: str) -> None:
    validate_time_zone(time_zone)
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])


@transaction.atomic(durable=True)
def user_rotate_calendar_token(*, user: User) -> None:
    """A new secret for the user's calendar links: every old link stops working."""
    user.calendar_token = uuid.uuid4()
    user.save(update_fields=["calendar_token"])
