from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from breachdesk.celery import app as celery_app


@pytest.fixture
def broker_url():
    """Point the broker somewhere for one test, then restore it."""
    original = celery_app.conf.broker_url

    def point_at(url):
        celery_app.conf.broker_url = url

    yield point_at
    celery_app.conf.broker_url = original


@pytest.mark.django_db
def test_healthz_answers_ok_without_signing_in(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_names_an_unreachable_broker_with_503(client, broker_url):
    broker_url("redis://127.0.0.1:1/0")

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unavailable"}


@pytest.mark.django_db
def test_healthz_names_a_failing_database_with_503(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("server closed the connection"),
    ):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "broker": "ok"}


@pytest.mark.services("redis")
@pytest.mark.django_db
def test_healthz_reaches_the_real_redis_broker(client):
    assert celery_app.conf.broker_url.startswith("redis://")

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
