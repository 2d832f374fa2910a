"""Tests run at one fixed instant unless they share a clock with another process."""

import time

from django.utils import timezone

from tests.conftest import FROZEN_NOW


def test_now_is_the_frozen_instant():
    assert timezone.now() == FROZEN_NOW


def test_time_stands_still_within_a_test():
    before = time.time()
    time.sleep(0.01)

    assert time.time() == before


def test_a_test_can_move_time_itself(time_machine):
    time_machine.move_to(FROZEN_NOW.replace(month=6))

    assert timezone.now().month == 6
