"""Signing webhook requests, and checking a signature as a receiver should.

``X-BreachDesk-Signature: v1=<hex>`` is HMAC-SHA256, keyed with the
endpoint's secret, over ``"<timestamp>.<body>"``: the value of
``X-BreachDesk-Timestamp`` (Unix seconds), a full stop, and the raw request
body. Signing the timestamp with the body lets a receiver refuse a request
replayed later: it accepts only timestamps within ``REPLAY_WINDOW_SECONDS``
of its own clock. Each event has an id (``X-BreachDesk-Event-Id``), the same
on every retry, so a receiver can drop the duplicates at-least-once
delivery brings.
"""

import hashlib
import hmac

TIMESTAMP_HEADER = "X-BreachDesk-Timestamp"
SIGNATURE_HEADER = "X-BreachDesk-Signature"
EVENT_ID_HEADER = "X-BreachDesk-Event-Id"
EVENT_KIND_HEADER = "X-BreachDesk-Event"
SIGNATURE_VERSION = "v1"
REPLAY_WINDOW_SECONDS = 5 * 60


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    *, secret: str, timestamp: int, body: bytes, event_id: str, event_kind: str
) -> dict[str, str]:
    """The headers that go with ``body``: event id and kind, timestamp, signature."""
    return {
        EVENT_ID_HEADER: event_id,
        EVENT_KIND_HEADER: event_kind,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{SIGNATURE_VERSION}={signature(secret, timestamp, body)}",
    }


def verify(*, secret: str, timestamp: str, signature_header: str, body: bytes, now: float) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent.

    ``now`` is the receiver's clock in Unix seconds. A timestamp more than
    ``REPLAY_WINDOW_SECONDS`` away from it is refused, whatever the signature.
    """
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > REPLAY_WINDOW_SECONDS:
        return False
    expected = f"{SIGNATURE_VERSION}={signature(secret, sent_at, body)}"
    return any(
        hmac.compare_digest(expected, candidate.strip())
        for candidate in signature_header.split(",")
    )
