"""Who calls the API: a personal token in ``Authorization: Bearer`` (the signed-in session
is DRF's own ``SessionAuthentication``)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from breachdesk.api.tokens import token_digest, token_looks_valid
from breachdesk.models import ApiToken

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
