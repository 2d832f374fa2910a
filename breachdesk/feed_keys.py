"""The keys in calendar feed links: one per user and scope, derived, never stored.

A calendar server fetches a feed without signing in, so the link carries a key.
Each key is an HMAC (Django's ``salted_hmac`` over ``SECRET_KEY``) of the user,
the feed's scope and two secrets of the user's account:

- ``calendar_token``, which the user (or deactivation) replaces to revoke every
  link at once;
- the password hash, so that changing the password, by any route (the page,
  the admin, ``changepassword``), kills every key too.

The personal feed (every incident the user may see) has scope ``"all"``; the
link on an incident page has scope ``"incident:<id>"`` and is useless for any
other incident. The key reads ``<user id>-<hex digest>``.
"""

from django.utils.crypto import constant_time_compare, salted_hmac

from breachdesk.models import User

_SALT = "breachdesk.calendar-feed"
ALL_INCIDENTS = "all"


def incident_scope(incident_id: int) -> str:
    return f"incident:{incident_id}"


def _digest(user: User, scope: str) -> str:
    value = f"{user.pk}:{scope}:{user.calendar_token}:{user.password}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()


def feed_key(user: User, scope: str = ALL_INCIDENTS) -> str:
    """The key for ``user``'s feed of ``scope``: ``"<user id>-<64 hex digits>"``."""
    return f"{user.pk}-{_digest(user, scope)}"


def feed_user(key: str, scope: str = ALL_INCIDENTS) -> User | None:
    """The active user whose key for ``scope`` this is, or None (wrong, old or malformed)."""
    user_id, _, digest = key.partition("-")
    # Ids are positive and fit a 64-bit column; anything else is not a key.
    if not user_id.isdigit() or len(user_id) > 18 or len(digest) != 64:
        return None
    user = User.objects.filter(pk=int(user_id), is_active=True).first()
    if user is None or not constant_time_compare(digest, _digest(user, scope)):
        return None
    return user
