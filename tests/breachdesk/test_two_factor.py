"""Two-factor sign-in: enrolling an authenticator app, the code after the password, recovery codes."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from breachdesk.roles import ROLE_PERMISSIONS
from breachdesk.two_factor import (
    ENROLMENT_KEY,
    RECOVERY_CODE_COUNT,
    new_totp_key,
    two_factor_enrol,
)
from tests.conftest import FROZEN_NOW
from tests.factories import TEST_PASSWORD
from tests.manage_child import run_manage

pytestmark = pytest.mark.django_db


def _code(key_hex: str, *, at: float | None = None) -> str:
    """What the user's app shows now (or at ``at``): django-otp's own TOTP."""
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def _enrol(user) -> tuple[TOTPDevice, list[str]]:
    """Enrolled a minute before now, so that the code of now has not been used yet."""
    key = new_totp_key()
    with time_machine.travel(FROZEN_NOW - timedelta(minutes=1), tick=False):
        return two_factor_enrol(user=user, key_hex=key, code=_code(key))


def _password(client, username):
    return client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})


def _signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- signing in ----------------------------------------------------------------------------------


def test_sign_in_with_a_device_asks_for_the_code_before_signing_in(client, commander):
    _enrol(commander)

    response = _password(client, "commander")

    assert response.status_code == 302
    assert response["Location"] == reverse("login-code")
    assert _signed_in_as(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_sign_in_without_a_device_needs_no_code(client, commander):
    response = _password(client, "commander")

    assert response["Location"] == reverse("home")
    assert int(_signed_in_as(client)) == commander.pk


def test_the_right_code_signs_in_with_the_session_verified(client, commander, settings):
    device, _codes = _enrol(commander)
    _password(client, "commander")

    response = client.post(reverse("login-code"), {"code": _code(device.key)})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(_signed_in_as(client)) == commander.pk
    assert client.session["otp_device_id"] == device.persistent_id


def test_the_code_page_keeps_where_the_user_was_going(client, commander):
    device, _codes = _enrol(commander)
    client.post(
        reverse("login"),
        {"username": "commander", "password": TEST_PASSWORD, "next": "/incidents/"},
    )

    response = client.post(reverse("login-code"), {"code": _code(device.key)})

    assert response["Location"] == "/incidents/"


def test_a_wrong_code_is_refused(client, commander):
    _enrol(commander)
    _password(client, "commander")

    response = client.post(reverse("login-code"), {"code": "000000"})

    assert response.status_code == 422
    assert "That code is not right" in response.content.decode()
    assert _signed_in_as(client) is None


def test_a_code_cannot_be_used_twice(client, commander):
    device, _codes = _enrol(commander)
    code = _code(device.key)
    _password(client, "commander")
    client.post(reverse("login-code"), {"code": code})
    client.post(reverse("logout"))
    _password(client, "commander")

    response = client.post(reverse("login-code"), {"code": code})

    assert response.status_code == 422
    assert _signed_in_as(client) is None


def test_a_recovery_code_signs_in_once(client, commander):
    _device, codes = _enrol(commander)
    _password(client, "commander")

    first = client.post(reverse("login-code"), {"code": codes[0].upper()})
    client.post(reverse("logout"))
    _password(client, "commander")
    second = client.post(reverse("login-code"), {"code": codes[0]})

    assert first.status_code == 302
    assert second.status_code == 422
    assert _signed_in_as(client) is None
    assert StaticToken.objects.filter(device__user=commander).count() == RECOVERY_CODE_COUNT - 1


def test_five_wrong_codes_lock_the_sign_in(client, commander, time_machine):
    device, _codes = _enrol(commander)
    _password(client, "commander")

    for _ in range(4):
        client.post(reverse("login-code"), {"code": "000000"})
    fifth = client.post(reverse("login-code"), {"code": "000000"})
    # Past django-otp's own back-off, so that only the lockout stands in the way.
    time_machine.move_to(FROZEN_NOW + timedelta(minutes=1), tick=False)
    _password(client, "commander")
    then = client.post(reverse("login-code"), {"code": _code(device.key)})

    assert fifth.status_code == 429
    assert "Sign-in locked" in fifth.content.decode()
    assert then.status_code == 429
    assert _signed_in_as(client) is None


def test_a_pending_sign_in_expires_after_five_minutes(client, commander, time_machine):
    device, _codes = _enrol(commander)
    _password(client, "commander")
    time_machine.move_to(FROZEN_NOW + timedelta(minutes=5, seconds=1), tick=False)

    response = client.post(reverse("login-code"), {"code": _code(device.key)})

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert _signed_in_as(client) is None


def test_the_code_page_without_a_sign_in_under_way_sends_to_sign_in(client):
    response = client.get(reverse("login-code"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_the_admin_sign_in_cannot_skip_the_code(client, commander):
    commander.is_staff = True
    commander.save()
    _enrol(commander)

    response = client.post(
        reverse("admin:login"), {"username": "commander", "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/admin/"
    assert _signed_in_as(client) is None


# --- enrolling -------------------------------------------------------------------------------------


def test_the_enrolment_page_shows_the_qr_code_and_the_secret_without_writing_a_row(
    client, commander
):
    client.force_login(commander)

    response = client.get(reverse("two-factor"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html
    assert "otpauth://totp/BreachDesk%3Acommander?secret=" in html
    assert client.session[ENROLMENT_KEY]
    assert not TOTPDevice.objects.exists()


def test_enrolment_turns_on_two_factor_and_shows_ten_recovery_codes_once(client, commander):
    client.force_login(commander)
    client.get(reverse("two-factor"))
    key = client.session[ENROLMENT_KEY]

    response = client.post(reverse("two-factor"), {"code": _code(key)})

    assert response.status_code == 200
    codes = StaticToken.objects.filter(device__user=commander).values_list("token", flat=True)
    assert len(codes) == RECOVERY_CODE_COUNT
    html = response.content.decode()
    assert all(code in html for code in codes)
    assert TOTPDevice.objects.get(user=commander).confirmed
    assert client.session["otp_device_id"]
    again = client.get(reverse("two-factor")).content.decode()
    assert not any(code in again for code in codes)
    assert "You have 10 recovery codes left." in again


def test_enrolment_refuses_a_wrong_code(client, commander):
    client.force_login(commander)
    client.get(reverse("two-factor"))

    response = client.post(reverse("two-factor"), {"code": "123456"})

    assert response.status_code == 422
    assert "That code is not the one your app shows" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_enrolment_refuses_an_empty_code(client, commander):
    client.force_login(commander)

    response = client.post(reverse("two-factor"), {"code": ""})

    assert response.status_code == 422
    assert "Type the code your app shows." in response.content.decode()


def test_new_recovery_codes_replace_the_old_ones(client, commander):
    _device, old = _enrol(commander)
    client.force_login(commander)

    response = client.post(reverse("two-factor-recovery-codes"))

    assert response.status_code == 200
    new = set(StaticToken.objects.filter(device__user=commander).values_list("token", flat=True))
    assert len(new) == RECOVERY_CODE_COUNT
    assert new.isdisjoint(old)


def test_preferences_say_whether_two_factor_is_on(client, commander):
    client.force_login(commander)
    before = client.get(reverse("preferences")).content.decode()
    _enrol(commander)

    after = client.get(reverse("preferences")).content.decode()

    assert "Set up two-factor sign-in" in before
    assert "On: BreachDesk asks for a code" in after


# --- REQUIRE_2FA_ROLES -------------------------------------------------------------------------------


def test_a_required_role_without_a_device_is_sent_to_enrol(client, commander, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander", "Legal"]
    client.force_login(commander)

    response = client.get(reverse("incidents:list"))
    enrolment = client.get(reverse("two-factor"))

    assert response.status_code == 302
    assert response["Location"] == reverse("two-factor")
    assert "Your role needs two-factor sign-in" in enrolment.content.decode()


def test_a_role_not_required_goes_through(client, viewer, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander", "Legal"]
    client.force_login(viewer)

    assert client.get(reverse("incidents:list")).status_code == 200


def test_no_required_role_by_default(client, commander):
    assert django_settings.REQUIRE_2FA_ROLES == []
    client.force_login(commander)

    assert client.get(reverse("incidents:list")).status_code == 200


def test_a_required_role_may_still_sign_out(client, commander, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander"]
    client.force_login(commander)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert _signed_in_as(client) is None


def test_a_required_role_is_let_in_once_enrolled(client, commander, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander"]
    client.force_login(commander)
    client.get(reverse("two-factor"))

    client.post(reverse("two-factor"), {"code": _code(client.session[ENROLMENT_KEY])})

    assert client.get(reverse("incidents:list")).status_code == 200


def test_an_unverified_session_with_a_device_is_asked_for_the_code(client, commander, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander"]
    device, _codes = _enrol(commander)
    client.force_login(commander)

    asked = client.get(reverse("incidents:list"))
    client.post(reverse("login-code"), {"code": _code(device.key)})

    assert asked["Location"] == reverse("login-code")
    assert client.get(reverse("incidents:list")).status_code == 200


def test_an_htmx_request_of_a_required_role_redirects_the_whole_page(client, commander, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander"]
    client.force_login(commander)

    response = client.get(reverse("incidents:list"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("two-factor")


# --- settings -------------------------------------------------------------------------------------


def test_the_settings_know_the_same_roles_as_the_roles_module():
    assert set(django_settings.ROLE_NAMES) == set(ROLE_PERMISSIONS)


def test_an_unknown_role_in_require_2fa_roles_stops_start_up(tmp_path):
    result = run_manage(
        "check",
        env={"DEBUG": "1", "DATA_DIR": str(tmp_path), "REQUIRE_2FA_ROLES": "Commander,Admins"},
    )

    assert result.returncode != 0
    assert "REQUIRE_2FA_ROLES names Admins, which is no role" in result.stderr
