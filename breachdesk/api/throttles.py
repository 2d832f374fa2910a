"""Rate limits per token (and per session user, and per address before sign-in).

DRF's throttles keep their counts in the default cache: per process with the
local-memory cache of development, shared once a cache server is configured.
"""

from rest_framework.throttling import SimpleRateThrottle

from breachdesk.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """``DEFAULT_THROTTLE_RATES["token"]`` per API token; a session counts per user."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(SimpleRateThrottle):
    """``DEFAULT_THROTTLE_RATES["anonymous"]`` per client address, for calls with no valid token."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
