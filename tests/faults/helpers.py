"""What the fault tests share: waiting on another process, and reading notices' states."""

import time

from incidents.models import Notification

HELIX_CONTACTS = [f"contact{n}@helix.example" for n in range(1, 6)]


def wait_for(condition, timeout: float, message: str) -> None:
    """Poll ``condition`` every 0.2 s for ``timeout`` seconds; fail naming ``message``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.2)


def statuses(notices) -> set[str]:
    """The set of the notices' current statuses, read afresh from the database."""
    return set(
        Notification.objects.filter(pk__in=[n.pk for n in notices]).values_list("status", flat=True)
    )
