"""Each pytest-xdist process gets its own Redis database as its broker."""

import os

import pytest
from django.conf import settings

from breachdesk.celery import app as celery_app
from tests.conftest import broker_url_for_process


def test_the_first_process_keeps_the_configured_database():
    assert broker_url_for_process("redis://127.0.0.1:6379/1", 0) == "redis://127.0.0.1:6379/1"


def test_each_further_process_takes_the_next_database():
    assert broker_url_for_process("redis://127.0.0.1:6379/1", 1) == "redis://127.0.0.1:6379/2"


def test_a_url_without_a_database_counts_from_zero():
    assert broker_url_for_process("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"


def test_running_out_of_databases_is_a_usage_error_naming_the_limit():
    with pytest.raises(pytest.UsageError, match="below 14"):
        broker_url_for_process("redis://127.0.0.1:6379/14", 2)


@pytest.mark.services("redis")
def test_this_process_publishes_to_its_own_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        pytest.skip("runs under pytest-xdist, where processes share one Redis")
    expected = broker_url_for_process(
        os.environ["REDIS_URL"].strip(), int(worker.removeprefix("gw"))
    )

    assert celery_app.conf.broker_url == settings.REDIS_URL == expected
