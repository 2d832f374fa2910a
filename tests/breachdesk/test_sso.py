"""Single sign-on against a real (minimal) OpenID Connect provider on loopback."""

from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from breachdesk.models import User
from breachdesk.roles import NO_ROLE, ensure_roles, roles_of
from breachdesk.sso import provider_asserted_mfa, roles_from_claims
from tests.factories import TEST_PASSWORD, UserFactory
from tests.manage_child import run_manage
from tests.oidc_provider import Provider

pytestmark = pytest.mark.django_db

ROLE_MAP = {"bd-commanders": "Commander", "bd-legal": "Legal", "bd-ir": "Responder"}
ALICE = {
    "sub": "00u-alice",
    "email": "alice@example.org",
    "preferred_username": "alice",
    "given_name": "Alice",
    "family_name": "Moreau",
    "groups": ["staff-all", "bd-commanders"],
}


@pytest.fixture
def provider(settings):
    ensure_roles()
    running = Provider().start()
    for name, value in running.settings().items():
        setattr(settings, name, value)
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = ROLE_MAP
    yield running
    running.stop()


def _sso_sign_in(client, provider, person):
    """Start at BreachDesk, let the provider consent, come back to the callback."""
    provider.next_person = person
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    consent = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(consent.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_sso_sign_in_creates_the_account_with_the_mapped_role(client, provider):
    response = _sso_sign_in(client, provider, ALICE)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(oidc_subject="00u-alice")
    assert (user.username, user.email, user.first_name) == ("alice", "alice@example.org", "Alice")
    assert roles_of(user) == {"Commander"}
    assert not user.has_usable_password()
    assert client.get(reverse("incidents:list")).status_code == 200


def test_a_second_sso_sign_in_updates_the_roles(client, provider):
    _sso_sign_in(client, provider, ALICE)
    client.post(reverse("logout"))

    _sso_sign_in(client, provider, {**ALICE, "groups": ["bd-legal", "bd-ir"]})

    user = User.objects.get(oidc_subject="00u-alice")
    assert roles_of(user) == {"Legal", "Responder"}
    assert User.objects.filter(oidc_subject__isnull=False).count() == 1


def test_sso_sign_in_with_no_mapped_group_gets_the_no_role_page(client, provider):
    response = _sso_sign_in(client, provider, {**ALICE, "groups": ["marketing"]})

    assert response.status_code == 302
    user = User.objects.get(oidc_subject="00u-alice")
    assert roles_of(user) == frozenset()
    assert NO_ROLE in client.get(reverse("home")).content.decode()
    assert client.get(reverse("incidents:list")).status_code == 403


def test_losing_every_mapped_group_takes_the_roles_away(client, provider):
    _sso_sign_in(client, provider, ALICE)
    client.post(reverse("logout"))

    _sso_sign_in(client, provider, {**ALICE, "groups": []})

    assert roles_of(User.objects.get(oidc_subject="00u-alice")) == frozenset()


def test_sso_never_takes_over_a_local_account_with_the_same_name_and_email(client, provider):
    local = UserFactory(username="alice", email="alice@example.org", roles=["Viewer"])

    _sso_sign_in(client, provider, ALICE)

    created = User.objects.get(oidc_subject="00u-alice")
    assert created.pk != local.pk
    assert created.username == "alice-2"
    assert int(client.session["_auth_user_id"]) == created.pk


def test_an_id_token_for_another_client_is_refused(client, provider):
    provider.audience = "some-other-app"

    response = _sso_sign_in(client, provider, ALICE)

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not User.objects.filter(oidc_subject="00u-alice").exists()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_sign_in_by_sso(client, provider):
    _sso_sign_in(client, provider, ALICE)
    client.post(reverse("logout"))
    User.objects.filter(oidc_subject="00u-alice").update(is_active=False)

    response = _sso_sign_in(client, provider, ALICE)

    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_sign_in_page_offers_the_provider_and_the_local_form(client, provider, settings):
    settings.OIDC_PROVIDER_NAME = "Example SSO"

    html = client.get(reverse("login")).content.decode()

    assert "Sign in with Example SSO" in html
    assert reverse("oidc_authentication_init") in html
    assert 'name="password"' in html


def test_sign_in_page_offers_only_the_local_form_when_sso_is_off(client):
    html = client.get(reverse("login")).content.decode()

    assert reverse("oidc_authentication_init") not in html
    assert client.get(reverse("oidc_authentication_init")).status_code == 404


def test_provider_mfa_counts_as_a_second_factor(client, provider, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander"]

    _sso_sign_in(client, provider, {**ALICE, "amr": ["pwd", "mfa"]})

    assert client.get(reverse("incidents:list")).status_code == 200


def test_a_later_password_sign_in_does_not_keep_the_providers_second_factor(
    client, provider, settings
):
    _sso_sign_in(client, provider, ALICE)
    client.post(reverse("logout"))
    # An administrator gave the account a local password as well.
    user = User.objects.get(oidc_subject="00u-alice")
    user.set_password(TEST_PASSWORD)
    user.save()
    settings.REQUIRE_2FA_ROLES = ["Commander"]
    _sso_sign_in(client, provider, {**ALICE, "amr": ["pwd", "mfa"]})

    client.post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD})

    assert client.get(reverse("incidents:list"))["Location"] == reverse("two-factor")


def test_sso_without_provider_mfa_sends_a_required_role_to_enrol(client, provider, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander"]

    _sso_sign_in(client, provider, {**ALICE, "amr": ["pwd"]})

    response = client.get(reverse("incidents:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("two-factor")


@pytest.mark.parametrize(
    ("value", "roles"),
    [
        (["bd-ir", "other"], {"Responder"}),
        ("bd-legal", {"Legal"}),
        (None, set()),
        ({"bd-ir": True}, set()),
        ([1, "bd-commanders"], {"Commander"}),
    ],
)
def test_roles_from_claims_reads_a_list_or_one_value(value, roles):
    assert roles_from_claims({"groups": value}, claim="groups", role_map=ROLE_MAP) == roles


@pytest.mark.parametrize(
    ("amr", "mfa"),
    [(["pwd", "mfa"], True), (["otp"], True), (["pwd"], False), ("mfa", False), (None, False)],
)
def test_provider_mfa_is_read_from_amr(amr, mfa):
    assert provider_asserted_mfa({"amr": amr}) is mfa


def test_sso_switched_on_without_the_provider_endpoints_stops_start_up(tmp_path):
    result = run_manage(
        "check",
        env={"DEBUG": "1", "DATA_DIR": str(tmp_path), "OIDC_RP_CLIENT_ID": "breachdesk"},
    )

    assert result.returncode != 0
    assert "it also needs OIDC_RP_CLIENT_SECRET, OIDC_OP_ISSUER" in result.stderr


def test_a_role_map_naming_no_role_stops_start_up(tmp_path):
    result = run_manage(
        "check",
        env={"DEBUG": "1", "DATA_DIR": str(tmp_path), "OIDC_ROLE_MAP": "bd-admins=Admin"},
    )

    assert result.returncode != 0
    assert "OIDC_ROLE_MAP names Admin, which is no role" in result.stderr


def test_a_role_map_pair_without_a_role_stops_start_up(tmp_path):
    result = run_manage(
        "check", env={"DEBUG": "1", "DATA_DIR": str(tmp_path), "OIDC_ROLE_MAP": "bd-admins"}
    )

    assert result.returncode != 0
    assert "OIDC_ROLE_MAP: 'bd-admins' is not a key=value pair." in result.stderr
