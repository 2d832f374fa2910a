"""Single sign-on with OpenID Connect (mozilla-django-oidc), on when ``OIDC_RP_CLIENT_ID`` is set.

The provider says who someone is (``sub``) and which groups they are in
(``OIDC_ROLE_CLAIM``); ``OIDC_ROLE_MAP`` turns groups into BreachDesk's roles.
An account is created at the first sign-in and its roles are set again at
every sign-in, so a change at the provider reaches BreachDesk the next time
the person signs in. Someone whose groups map to no role is signed in and sees
the page asking for a role. Accounts are found by ``sub`` alone (see
``User.oidc_subject``). Local sign-in stays for break-glass accounts.

Second factor: when the ID token's ``amr`` (RFC 8176) says the provider asked
for one (``mfa``, ``otp``, ``hwk``, ``swk``, ``sc``, ``fpt``…), the session is
verified; otherwise a user who enrolled a TOTP app here is asked for its code,
and one who must enrol (``REQUIRE_2FA_ROLES``) is sent to enrol.
"""

import logging
import re

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from breachdesk.models import User
from breachdesk.roles import ROLE_PERMISSIONS
from breachdesk.two_factor import sign_in_start, sign_in_with_provider_mfa

logger = logging.getLogger(__name__)

# RFC 8176 authentication method references that mean a second factor was used.
MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sc", "fpt", "face", "iris", "retina"})
# Seconds of clock difference tolerated between the provider and us.
TOKEN_LEEWAY_SECONDS = 60
USERNAME_MAX = 150
_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")


def roles_from_claims(claims: dict, *, claim: str, role_map: dict[str, str]) -> frozenset[str]:
    """The roles that ``role_map`` gives the values of ``claims[claim]`` (a list or one string)."""
    value = claims.get(claim)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return frozenset(
        role_map[item] for item in values if isinstance(item, str) and item in role_map
    )


def provider_asserted_mfa(id_token_claims: dict) -> bool:
    """The ID token's ``amr`` names a second factor (RFC 8176)."""
    methods = id_token_claims.get("amr")
    return isinstance(methods, list) and bool(MFA_METHODS.intersection(map(str, methods)))


def _free_username(claims: dict, subject: str) -> str:
    """A readable username not yet taken: preferred_username, else the email's local part."""
    wanted = claims.get("preferred_username") or str(claims.get("email", "")).split("@")[0]
    base = _NOT_IN_USERNAME.sub("", str(wanted))[: USERNAME_MAX - 8] or "sso-user"
    candidate, number = base, 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic(durable=True)
def sso_user_sync(*, subject: str, claims: dict, roles: frozenset[str]) -> User:
    """Find or create the account of ``subject`` and set its names, email and roles.

    ``roles`` replaces the account's role groups (other groups are kept);
    staff status is never given by the provider.
    """
    user = User.objects.select_for_update().filter(oidc_subject=subject).first()
    if user is None:
        user = User(username=_free_username(claims, subject), oidc_subject=subject)
        # Signs in through the provider only: no local password to guess or leak.
        user.set_unusable_password()
    user.email = str(claims.get("email", ""))[:254]
    user.first_name = str(claims.get("given_name", ""))[:150]
    user.last_name = str(claims.get("family_name", ""))[:150]
    user.save()
    role_groups = list(Group.objects.filter(name__in=ROLE_PERMISSIONS))
    user.groups.remove(*[group for group in role_groups if group.name not in roles])
    user.groups.add(*[group for group in role_groups if group.name in roles])
    return user


class OIDCRoleBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, finding accounts by subject and mapping groups to roles.

    It also checks what the library leaves out: the ID token's audience (our
    client id), issuer and expiry, and that userinfo describes the same subject.
    """

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def get_payload_data(self, token, key):
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=TOKEN_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo describes another subject than the ID token")
        claims = {**payload, **userinfo}
        roles = roles_from_claims(
            claims, claim=settings.OIDC_ROLE_CLAIM, role_map=settings.OIDC_ROLE_MAP
        )
        # Read by the callback view: only the signed ID token may vouch for a second factor.
        self.request.sso_mfa = provider_asserted_mfa(payload)
        return sso_user_sync(subject=str(payload["sub"]), claims=claims, roles=roles)


class SSOStartView(OIDCAuthenticationRequestView):
    """Send the browser to the provider (404 when single sign-on is off)."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: sign in, ask for our code, or say that it failed."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException) as exc:
            logger.warning("Single sign-on failed: %s", exc)
            return self.login_failure()

    def login_failure(self):
        messages.error(
            self.request,
            _(
                "Single sign-on did not sign you in. Try again; if it keeps failing, "
                "ask an administrator."
            ),
        )
        return redirect("login")

    def login_success(self):
        if getattr(self.request, "sso_mfa", False):
            sign_in_with_provider_mfa(self.request, self.user)
        elif sign_in_start(self.request, self.user, next_url=self.success_url):
            return redirect("login-code")
        return HttpResponseRedirect(self.success_url)


sso_start = login_not_required(SSOStartView.as_view())
sso_callback = login_not_required(SSOCallbackView.as_view())
