from datetime import timedelta

import pytest

from breachdesk.templatetags.breachdesk import duration


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(seconds=45), "45 s"),
        (timedelta(minutes=15), "15 m"),
        (timedelta(hours=41, minutes=12, seconds=59), "41 h 12 m"),
        (timedelta(days=3, hours=4, minutes=30), "3 d 4 h"),
        (timedelta(hours=71, minutes=59), "71 h 59 m"),
        (timedelta(hours=-3), "3 h 0 m"),
    ],
)
def test_duration_reads_like_a_countdown(span, text):
    assert duration(span) == text


def test_duration_of_nothing_is_empty():
    assert duration(None) == ""
