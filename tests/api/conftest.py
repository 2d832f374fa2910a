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
