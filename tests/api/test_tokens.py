"""Personal API tokens: made on the preferences page and shown once, stored hashed, ended by
expiry, revocation or deactivation, read-only when asked, throttled per token."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from breachdesk.api.throttles import TokenRateThrottle
from breachdesk.models import ApiToken
from tests.api.conftest import api_as, client_with, token_for

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/incidents/"


def test_a_token_is_stored_as_its_sha256_with_a_prefix_only(responder):
    token = token_for(responder)

    row = ApiToken.objects.get(user=responder)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(f"bd_{row.prefix}_")
    assert token not in {row.digest, row.prefix, row.name}


def test_the_preferences_page_creates_a_token_and_shows_it_once(client, responder):
    client.force_login(responder)

    created = client.post(
        reverse("api-token-new"), {"name": "SIEM", "lifetime_days": "30", "read_only": "on"}
    )
    later = client.get(reverse("preferences"))

    row = ApiToken.objects.get(user=responder)
    shown = created.context["new_token"]
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    assert shown in created.content.decode()
    assert row.read_only and row.name == "SIEM"
    assert shown not in later.content.decode()
    assert f"bd_{row.prefix}_" in later.content.decode()
    assert client_with(shown).get(INCIDENTS).status_code == 200


def test_a_token_without_a_name_is_refused_with_the_forms_words(client, responder):
    client.force_login(responder)

    response = client.post(reverse("api-token-new"), {"name": "", "lifetime_days": "30"})

    assert response.status_code == 422
    assert "Name the token, so that you recognise it later." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_on_the_preferences_page_stops_the_token(client, responder):
    token = token_for(responder)
    client.force_login(responder)

    client.post(reverse("api-token-revoke"), {"token_id": ApiToken.objects.get().pk})

    assert client_with(token).get(INCIDENTS).status_code == 401


def test_nobody_revokes_another_persons_token(client, responder, outsider):
    token = token_for(responder)
    client.force_login(outsider)

    client.post(reverse("api-token-revoke"), {"token_id": ApiToken.objects.get().pk})

    assert client_with(token).get(INCIDENTS).status_code == 200


def test_an_expired_token_is_refused(responder):
    token = token_for(responder, lifetime_days=7)

    with time_machine.travel(timedelta(days=7, seconds=1)):
        response = client_with(token).get(INCIDENTS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_deactivated_users_token_stops_working(responder):
    token = token_for(responder)
    responder.is_active = False
    responder.save(update_fields=["is_active"])

    assert client_with(token).get(INCIDENTS).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer nonsense", "Bearer bd_0000_x y"])
def test_a_malformed_token_is_refused(header):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get(INCIDENTS).status_code == 401


def test_no_token_at_all_is_401_not_the_sign_in_page():
    from rest_framework.test import APIClient

    response = APIClient().get(INCIDENTS)

    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_read_only_token_reads_but_gets_403_on_a_write(incident, legal):
    client = api_as(legal, read_only=True)
    url = f"/api/v1/incidents/{incident.reference}/timeline/"

    read = client.get(url)
    write = client.post(url, {"text": "A note"}, format="json")

    assert read.status_code == 200
    assert write.status_code == 403
    assert "read-only" in write.json()["detail"]
    assert not incident.timeline.filter(kind="note_added").exists()


def test_a_signed_in_user_with_no_role_gets_403_from_the_api(client, no_role):
    client.force_login(no_role)

    assert client.get(INCIDENTS).status_code == 403


def test_each_token_has_its_own_rate_limit(responder, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    first, second = api_as(responder), api_as(responder)

    answers = [first.get(INCIDENTS).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert second.get(INCIDENTS).status_code == 200


def test_a_session_that_owes_a_second_factor_cannot_use_the_api(client, commander, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander"]
    client.force_login(commander)

    response = client.get(INCIDENTS)

    assert response.status_code == 401
    assert "second factor" in response.json()["detail"]


def test_a_session_in_a_role_without_the_requirement_uses_the_api(client, viewer, settings):
    settings.REQUIRE_2FA_ROLES = ["Commander"]
    client.force_login(viewer)

    assert client.get(INCIDENTS).status_code == 200


def test_a_write_by_session_needs_the_csrf_token(incident, responder):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(responder)

    response = client.post(
        f"/api/v1/incidents/{incident.reference}/timeline/", {"text": "A note"}, format="json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
