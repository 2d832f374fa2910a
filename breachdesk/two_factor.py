"""Two-factor sign-in: a TOTP app and ten one-time recovery codes (django-otp).

A user with a confirmed device is asked for a code after the password (or
after single sign-on without the provider's own second factor): the first
step only records a *pending sign-in* in the session, and the user is signed
in when the code is right, so no half-signed-in session ever exists. A
session counts as *verified* when django-otp's middleware found the device
that passed (``request.user.is_verified()``) or when the identity provider
said it asked for a second factor itself (``amr``, see ``breachdesk.sso``).
"""

import base64
import binascii
import secrets
import time
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from breachdesk.models import User
from breachdesk.roles import roles_of

RECOVERY_CODE_COUNT = 10
# A TOTP secret of 160 bits, as RFC 4226 recommends and authenticator apps expect.
TOTP_KEY_BYTES = 20
# Codes from the step before or after the current one are accepted: a phone's
# clock a few seconds off, or a code typed as it changed.
TOTP_TOLERANCE_STEPS = 1
# Between the password and the code: long enough to find the phone, short
# enough that a forgotten half sign-in on a shared screen is soon worthless.
PENDING_SIGN_IN_SECONDS = 5 * 60

PENDING_SIGN_IN = "pending_sign_in"
ENROLMENT_KEY = "two_factor_enrolment_key"
# Set when the identity provider asserted its own second factor at sign-in.
MFA_BY_PROVIDER = "mfa_by_provider"


def two_factor_not_required(view):
    """Mark a view that a user who must still enrol may use (enrolment, the code, sign-out)."""
    view.two_factor_not_required = True
    return view


def has_second_factor(user: User) -> bool:
    """The user has a confirmed TOTP device (recovery codes come with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_use_second_factor(user: User) -> bool:
    """In a role that ``REQUIRE_2FA_ROLES`` names."""
    return bool(roles_of(user) & set(settings.REQUIRE_2FA_ROLES))


def session_is_verified(request) -> bool:
    """This session passed a second factor, ours or the identity provider's."""
    return bool(request.user.is_verified() or request.session.get(MFA_BY_PROVIDER))


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- enrolment ---------------------------------------------------------------------------------


def new_totp_key() -> str:
    """A fresh secret, hex-encoded as django-otp stores it."""
    return secrets.token_hex(TOTP_KEY_BYTES)


def otpauth_uri(user: User, key_hex: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=key_hex, name=_("Authenticator app")).config_url


def secret_for_typing(key_hex: str) -> str:
    """The secret in base32, in groups of four, for apps that cannot scan."""
    text = base64.b32encode(bytes.fromhex(key_hex)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG ``data:`` URI for an ``<img>``.

    Drawn here, never by an outside image service (the secret is in it); an
    image rather than inline SVG, so no inline style meets the CSP.
    """
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _clean_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _new_recovery_codes(device: StaticDevice) -> list[str]:
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic(durable=True)
def two_factor_enrol(*, user: User, key_hex: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn on two-factor sign-in once the user's app shows the right code for ``key_hex``.

    Returns the new TOTP device and the ten recovery codes, which are shown
    once and never again. Raises ``ValidationError`` for a wrong code or a
    user who already has a device (enrolling twice would leave two apps).
    """
    if has_second_factor(user):
        raise ValidationError(_("Two-factor sign-in is already on for your account."))
    try:
        key = binascii.unhexlify(key_hex)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The set-up expired; start again.")) from None
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    cleaned = _clean_code(code)
    if not (cleaned.isdigit() and totp.verify(int(cleaned), tolerance=TOTP_TOLERANCE_STEPS)):
        raise ValidationError(
            _("That code is not the one your app shows. Check the app's clock and try again.")
        )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(
        user=user,
        name=_("Authenticator app"),
        key=key_hex,
        confirmed=True,
        tolerance=TOTP_TOLERANCE_STEPS,
        # The code just typed cannot be used again to sign in.
        last_t=totp.t(),
    )
    recovery, _created = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    return device, _new_recovery_codes(recovery)


@transaction.atomic(durable=True)
def two_factor_new_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones (the old ones stop working)."""
    if not has_second_factor(user):
        raise ValidationError(_("Turn on two-factor sign-in first."))
    recovery, _created = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    return _new_recovery_codes(recovery)


# --- signing in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingSignIn:
    """A password (or single sign-on) accepted, waiting for the code; kept in the session."""

    user: User
    backend: str
    next_url: str


def sign_in_start(request, user: User, *, next_url: str) -> bool:
    """First factor passed: sign in now, or record a pending sign-in; True if a code is needed.

    ``user.backend`` is the backend that authenticated the user (set by
    ``authenticate``). The session key changes at both steps.
    """
    # Signing in again as the same user keeps the session's data: a second
    # factor passed by an earlier sign-in must not vouch for this one.
    request.session.pop(MFA_BY_PROVIDER, None)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    if has_second_factor(user):
        request.session.cycle_key()
        request.session[PENDING_SIGN_IN] = {
            "user": user.pk,
            "backend": user.backend,
            "next": next_url,
            "at": int(time.time()),
        }
        return True
    pending_sign_in_drop(request)
    auth.login(request, user)
    return False


def sign_in_with_provider_mfa(request, user: User) -> None:
    """Sign in a user whose identity provider asked for a second factor itself."""
    pending_sign_in_drop(request)
    auth.login(request, user)
    request.session[MFA_BY_PROVIDER] = True


def pending_sign_in(request) -> PendingSignIn | None:
    """The pending sign-in of this session, if recent and its user still active."""
    pending = request.session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > PENDING_SIGN_IN_SECONDS:
        del request.session[PENDING_SIGN_IN]
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        return None
    return PendingSignIn(user=user, backend=pending["backend"], next_url=pending["next"])


def pending_sign_in_drop(request) -> None:
    request.session.pop(PENDING_SIGN_IN, None)


def verify_code(user: User, code: str):
    """The device (TOTP app or recovery codes) that accepts ``code``, or None.

    Six digits go to the app, anything else to the recovery codes, so that a
    mistyped code counts against one device only; a recovery code is used up
    by this call. django-otp throttles each device (after a wrong code, each
    further try waits twice as long before it is even checked).
    """
    cleaned = _clean_code(code)
    if not cleaned:
        return None
    model = TOTPDevice if len(cleaned) == 6 and cleaned.isdigit() else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(cleaned):
                return device
    return None


def sign_in_finish(request, pending: PendingSignIn, device) -> None:
    """The code was right: sign the pending user in, with this session verified."""
    pending_sign_in_drop(request)
    auth.login(request, pending.user, backend=pending.backend)
    otp_login(request, device)


def session_verify(request, device) -> None:
    """A signed-in session passed a second factor (after enrolling, or when asked again)."""
    otp_login(request, device)
