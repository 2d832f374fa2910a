import uuid
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from breachdesk.api.tokens import token_digest, token_new
from breachdesk.models import ApiToken, Heartbeat, Submission, User
from breachdesk.validators import validate_time_zone

# How long a new API token may live, in days: the choices on the preferences page.
API_TOKEN_LIFETIMES_DAYS = (7, 30, 90, 365)


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


@transaction.atomic(durable=True)
def api_token_create(
    *, user: User, name: str, lifetime_days: int, read_only: bool
) -> tuple[ApiToken, str]:
    """A new personal API token for ``user``: ``(row, token)``; the token is shown once.

    ``lifetime_days`` is one of ``API_TOKEN_LIFETIMES_DAYS``; the row keeps
    the token's SHA-256 and its prefix, never the token itself.
    """
    if lifetime_days not in API_TOKEN_LIFETIMES_DAYS:
        raise ValueError(f"lifetime_days must be one of {API_TOKEN_LIFETIMES_DAYS}")
    token, prefix = token_new()
    row = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        digest=token_digest(token),
        read_only=read_only,
        expires_at=timezone.now() + timedelta(days=lifetime_days),
    )
    return row, token


@transaction.atomic(durable=True)
def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens; False when they have no such token still in use."""
    revoked = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return revoked == 1
