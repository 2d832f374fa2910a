"""Who calls the API: a personal token in ``Authorization: Bearer``, or the signed-in
session once it has passed any second factor its user's role requires."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from breachdesk.api.tokens import token_digest, token_looks_valid
from breachdesk.models import ApiToken
from breachdesk.two_factor import must_use_second_factor, session_is_verified

BAD_TOKEN = _(
    "This API token is unknown, revoked or expired; create a new one in your preferences."
)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer bd_…``: the token's user, with the token as ``request.auth``.

    An unknown, revoked or expired token, or one whose user was deactivated,
    is refused (401) with the same words, so that probing tells nothing.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(BAD_TOKEN) from exc
        if not token_looks_valid(token):
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        row = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
        if row is None or not row.is_usable(timezone.now()) or not row.user.is_active:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        return row.user, row

    def authenticate_header(self, request):
        return self.keyword


SECOND_FACTOR_FIRST = _(
    "Finish signing in with your second factor in the browser before using the API."
)


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, refusing a session that still owes a second factor.

    The API's views are outside the pages' sign-in middleware (DRF signs the
    caller in), so ``TwoFactorRequiredMiddleware`` cannot stop a user whom
    ``REQUIRE_2FA_ROLES`` sends to enrol from reading through the API with the
    session their password alone opened; this does (401, like a bad token).
    """

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        user = found[0]
        if (
            settings.REQUIRE_2FA_ROLES
            and must_use_second_factor(user)
            and not session_is_verified(request._request)
        ):
            raise exceptions.AuthenticationFailed(SECOND_FACTOR_FIRST)
        return found


class VerifiedSessionScheme(SessionScheme):
    """The session in the OpenAPI schema: the cookie, as for DRF's own session authentication."""

    target_class = VerifiedSessionAuthentication


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: HTTP bearer."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from Preferences: bd_<prefix>_<secret>.",
        }
