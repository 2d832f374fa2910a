"""API helpers: a token for a user, a client that sends it, and a fresh throttle count per test."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from breachdesk.services import api_token_create


def token_for(user, *, read_only: bool = False, lifetime_days: int = 30) -> str:
    _row, token = api_token_create(
        user=user, name="test", lifetime_days=lifetime_days, read_only=read_only
    )
    return token


def client_with(token: str | None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def api_as(user, **kwargs) -> APIClient:
    return client_with(token_for(user, **kwargs))


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttles count in the cache and the clock is frozen: every test starts at zero."""
    cache.clear()
    yield
    cache.clear()


PERSONAS = (
    "anonymous",
    "expired",
    "revoked",
    "no_role",
    "viewer",
    "responder",
    "outsider",
    "legal",
    "read_only",
    "commander_nonmember",
    "staff",
)


@pytest.fixture(scope="module")
def seeded_api(django_db_setup, django_db_blocker, tmp_path_factory):
    """The scripted demo and a token per persona, built once for the module and rolled back.

    ``tokens`` maps each of ``PERSONAS``, and ``commander`` (the demo incident's),
    to the token it sends (None: no header):
    ``expired`` and ``revoked`` are the responder's, ended; ``read_only`` is Legal's.
    """
    import time_machine
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone

    from breachdesk.models import ApiToken, User
    from tests.conftest import FROZEN_NOW, build_scripted

    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=fast_hashing, MEDIA_ROOT=media),
    ):
        atomic = transaction.atomic()
        # As Django's TestCase marks its class-wide atomic: durable blocks may nest in it.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            with time_machine.travel(FROZEN_NOW, tick=False):
                scripted = build_scripted()
                people = scripted.personas
                tokens = {
                    name: token_for(user) for name, user in people.items() if user is not None
                }
                tokens["anonymous"] = None
                # The demo incident's own commander (a member who commands it).
                tokens["commander"] = token_for(User.objects.get(username="commander"))
                tokens["read_only"] = token_for(people["legal"], read_only=True)
                expired, tokens["expired"] = api_token_create(
                    user=people["responder"], name="expired", lifetime_days=7, read_only=False
                )
                ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
                revoked, tokens["revoked"] = api_token_create(
                    user=people["responder"], name="revoked", lifetime_days=7, read_only=False
                )
                ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
            scripted.tokens = tokens
            yield scripted
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
