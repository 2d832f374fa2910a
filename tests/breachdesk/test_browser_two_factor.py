"""Two-factor sign-in in a real browser: enrol when the role requires it, then sign in with codes.

Codes are computed as the user's app would, with django-otp's own TOTP, from
the secret the page shows for typing. No console error and no CSP violation.
"""

import base64
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django_otp.oath import TOTP

from tests.factories import TEST_PASSWORD

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"

pytestmark = [
    pytest.mark.services("chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _app_code(key: bytes, *, steps_ahead: int = 0) -> str:
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def problems(page):
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if message.type == "error"
            and "favicon" not in message.text
            # A refused code is answered 422, which Chromium reports as a failed load.
            and "status of 422" not in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))"
    )
    return seen


def _password(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")


def _code(page, code):
    page.fill("#id_code", code)
    page.get_by_role("button", name="Continue").click()


def _sign_out(page, base_url):
    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_a_commander_enrols_then_signs_in_with_a_code_and_a_recovery_code(
    page, live_server, commander, settings, problems
):
    settings.REQUIRE_2FA_ROLES = ["Commander", "Legal"]
    base = live_server.url

    # The password alone leads to enrolment, not the dashboard.
    _password(page, base, "commander")
    page.wait_for_url(f"{base}/accounts/two-factor/")
    assert page.locator("img.qr-code").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "two-factor-enrol.png", full_page=True)
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret)
    page.get_by_label("Code from your app").fill(_app_code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=SCREENSHOTS / "two-factor-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have saved them").click()
    page.wait_for_url(f"{base}/")
    _sign_out(page, base)

    # Password, then a wrong code (refused), then the app's code.
    _password(page, base, "commander")
    page.wait_for_url(f"{base}/accounts/login/code/")
    _code(page, "000000")
    assert page.get_by_text("That code is not right").is_visible()
    # django-otp waits a second after a wrong code before it checks another.
    page.wait_for_timeout(1_100)
    # The code of this step may have been the enrolment's: the app's next one is accepted.
    _code(page, _app_code(key, steps_ahead=1))
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/incidents/")
    assert page.url == f"{base}/incidents/"
    _sign_out(page, base)

    # A recovery code works once.
    _password(page, base, "commander")
    _code(page, codes[0])
    page.wait_for_url(f"{base}/")
    assert page.get_by_text("You used a recovery code; 9 are left.").is_visible()
    _sign_out(page, base)
    _password(page, base, "commander")
    _code(page, codes[0])
    assert page.get_by_text("That code is not right").is_visible()
    assert page.url == f"{base}/accounts/login/code/"

    assert problems == []


def test_a_viewer_goes_straight_in_when_only_commanders_must_enrol(
    page, live_server, viewer, settings, problems
):
    settings.REQUIRE_2FA_ROLES = ["Commander", "Legal"]

    _password(page, live_server.url, "viewer")

    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/incidents/")
    assert page.url == f"{live_server.url}/incidents/"
    assert problems == []
