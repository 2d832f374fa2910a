"""Logging filters: one line per outage, not a traceback per try."""

import logging
import time


class BeatOutageFilter(logging.Filter):
    """Celery beat's publishing errors as one line when an outage starts and one when it ends.

    Beat logs "Scheduler: Sending due task …" before each publication and, when
    the broker is away, "Message Error: …" with a stack and a traceback for
    every task on every tick (``celery.beat.Scheduler.apply_entry``). The first
    error of an outage passes as one line; the rest, and the attempts between
    them, are dropped until a publication goes through, which is announced.
    """

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self.down_since: float | None = None
        self.attempt_pending = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Message Error"):
            self.attempt_pending = False
            if self.down_since is not None:
                return False
            self.down_since = record.created
            error = message.removeprefix("Message Error: ").splitlines()[0]
            record.msg = "Broker unreachable: cannot publish scheduled tasks (%s); retrying."
            record.args = (error,)
            record.exc_info = record.exc_text = record.stack_info = None
            return True
        if message.startswith("Scheduler: Sending due task") and self.down_since is not None:
            if not self.attempt_pending:
                self.attempt_pending = True
                return False
            # The attempt before this one raised nothing: the broker took it.
            record.msg = "Broker reachable again after %d s. %s"
            record.args = (round(time.time() - self.down_since), message)
            self.down_since = None
            self.attempt_pending = False
        return True
