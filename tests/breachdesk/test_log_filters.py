"""Celery beat logs an outage of the broker once, not a traceback per task per tick."""

import logging

import pytest

from breachdesk.log_filters import BeatOutageFilter

BEAT = logging.getLogger("celery.beat")


def _tick(tasks=("sweep-deadlines", "sweep-notifications"), *, broker_up):
    for name in tasks:
        BEAT.info("Scheduler: Sending due task %s (%s)", name, f"incidents.tasks.{name}")
        if not broker_up:
            try:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            except ConnectionError as exc:
                BEAT.error("Message Error: %s\n%s", exc, ["  File stack"], exc_info=True)


@pytest.fixture
def beat_log(caplog):
    """Beat's log as configured in settings, starting with the broker up."""
    (outage,) = [f for f in BEAT.filters if isinstance(f, BeatOutageFilter)]
    outage.down_since, outage.attempt_pending = None, False
    caplog.set_level(logging.INFO, logger="celery.beat")
    yield caplog
    outage.down_since, outage.attempt_pending = None, False


def test_an_outage_over_many_ticks_is_one_line_without_a_traceback(beat_log):
    for _ in range(5):
        _tick(broker_up=False)

    errors = [r for r in beat_log.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is None
    assert "Connection refused" in errors[0].getMessage()
    assert "\n" not in errors[0].getMessage()


def test_the_end_of_an_outage_is_announced_once(beat_log):
    _tick(broker_up=False)
    _tick(broker_up=False)

    _tick(broker_up=True)
    _tick(broker_up=True)

    back = [r for r in beat_log.records if "reachable again" in r.getMessage()]
    assert len(back) == 1


def test_a_second_outage_is_logged_again(beat_log):
    _tick(broker_up=False)
    _tick(broker_up=True)
    _tick(broker_up=True)

    _tick(broker_up=False)

    assert len([r for r in beat_log.records if r.levelno >= logging.ERROR]) == 2


def test_normal_ticks_log_as_before(beat_log):
    _tick(broker_up=True)

    assert [r.getMessage()[:27] for r in beat_log.records] == [
        "Scheduler: Sending due task",
        "Scheduler: Sending due task",
    ]
