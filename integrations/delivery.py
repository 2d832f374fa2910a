"""Delivering webhook events: claim a due row, POST it once, record the answer, retry later.

The ``WebhookDelivery`` row is the truth, as a notice's row is for email. A
worker posts only a row it has claimed (pending → sending in one UPDATE,
counting the attempt), so a duplicated task finds nothing to do. Delivery is
at least once: a failed attempt (no answer in time, a refused connection, any
status but 2xx, including a redirect, which is never followed) waits
``BACKOFF`` and is published again by the outbox sweep, up to
``MAX_ATTEMPTS``; a try a dead worker left half-done is simply tried again,
and receivers drop the duplicate by the event id. Each try checks the URL's
addresses again and connects to the address it checked.
"""

import json
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import urllib3
from celery import current_app
from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from integrations.addresses import AddressRefused, check_url
from integrations.chat import render
from integrations.models import WebhookDelivery
from integrations.signing import signed_headers

logger = logging.getLogger(__name__)

SEND_TASK = "integrations.tasks.webhook_deliver_task"

# A receiver gets this long to accept the connection, and this long between
# bytes of its answer: a slow receiver costs a worker seconds, never a page.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
# Enough of an answer to show in the delivery log.
RESPONSE_EXCERPT_BYTES = 500
# Waits after the 1st, 2nd … failed attempt; the sweep (every SWEEP_SECONDS)
# publishes the row once its wait is over. About 4.5 hours in all.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A published row not claimed after this was lost by the broker: publish again.
LOST_GRACE = timedelta(minutes=2)
# One try holds ``sending`` for at most the timeouts above and the recording
# of its answer; a row still there after this belonged to a worker that died.
SENDING_TIMEOUT = timedelta(minutes=2)
SWEEP_BATCH_SIZE = 100
PUBLISH_CONNECTION = {
    "connect_timeout": 1,
    "transport_options": {"max_retries": 0, "socket_connect_timeout": 1},
}
BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError)
USER_AGENT = "BreachDesk-Webhooks/1"

ENDPOINT_OFF = "Not sent: the endpoint was switched off."
NOW_RESTRICTED = "Not sent: the incident became restricted, and this endpoint is global."
DIED = "The worker stopped during attempt {attempt}; tried again."


def publish_deliveries(delivery_ids: Sequence[int]) -> list[int]:
    """Hand delivery tasks to the broker in one brief try; returns the ids it took.

    A broker outage costs the caller at most a second, and the outbox sweep
    publishes what was not taken.
    """
    # Marked before publishing: a worker may take the task, fail, and clear
    # the mark for its retry before this call returns.
    stamp = timezone.now()
    WebhookDelivery.objects.filter(
        pk__in=delivery_ids, status=WebhookDelivery.Status.PENDING
    ).update(published_at=stamp)
    published: list[int] = []
    try:
        with current_app.connection_for_write(**PUBLISH_CONNECTION) as broker:
            for delivery_id in delivery_ids:
                current_app.tasks[SEND_TASK].apply_async(
                    kwargs={"delivery_id": delivery_id}, retry=False, connection=broker
                )
                published.append(delivery_id)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Broker unreachable (%s); %d webhook deliveries wait for the sweep.",
            exc,
            len(delivery_ids) - len(published),
        )
        WebhookDelivery.objects.filter(
            pk__in=[pk for pk in delivery_ids if pk not in published], published_at=stamp
        ).update(published_at=None)
    return published


def _claim(delivery_id: int, now: datetime) -> bool:
    """pending → sending in one UPDATE, counting the attempt: exactly one caller wins."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).update(
            status=WebhookDelivery.Status.SENDING,
            attempts=models.F("attempts") + 1,
            claimed_at=now,
        )
    )


def request_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes posted (and signed) for this delivery's endpoint format."""
    rendered = render(delivery.endpoint.format, delivery.payload)
    return json.dumps(rendered, separators=(",", ":"), ensure_ascii=False).encode()


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One POST; returns (status code or None, error text or "")."""
    endpoint = delivery.endpoint
    try:
        target = check_url(endpoint.url)
    except AddressRefused as exc:
        return None, str(exc)
    body = request_body(delivery)
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signed_headers(
            secret=endpoint.secret,
            timestamp=int(timezone.now().timestamp()),
            body=body,
            event_id=str(delivery.event_id),
            event_kind=delivery.event_kind,
        ),
    }
    # Connect to the address that was checked, while TLS still checks the
    # certificate against the host name: DNS cannot swap the address between
    # the check and the connection.
    options = {
        "host": target.address,
        "port": target.port,
        "timeout": urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
        "retries": False,
        "maxsize": 1,
    }
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            **options,
            server_hostname=target.host,
            assert_hostname=target.host,
            ssl_context=ssl.create_default_context(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(**options)
    try:
        with pool:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            excerpt = response.read(RESPONSE_EXCERPT_BYTES).decode(errors="replace")
            response.release_conn()
    except urllib3.exceptions.TimeoutError:
        return (
            None,
            f"No answer within {CONNECT_TIMEOUT:g} s (connect) / {READ_TIMEOUT:g} s (read).",
        )
    except urllib3.exceptions.HTTPError as exc:
        return None, f"Could not reach the endpoint: {exc}"
    status = response.status
    if 200 <= status < 300:
        return status, ""
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        return status, f"Answered {status} (redirects are not followed) to {location}".strip()
    return status, f"Answered {status}: {excerpt}".strip()


def webhook_deliver(*, delivery_id: int) -> str:
    """Post one due delivery; returns "delivered", "retrying", "failed" or "skipped".

    Never raises for the receiver's sake: whatever it does is recorded on the
    row, with the next try's time while attempts remain.
    """
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint", "incident").get(pk=delivery_id)
    if not delivery.endpoint.active:
        return _settle(delivery, status_code=None, error=ENDPOINT_OFF, final=True)
    if delivery.endpoint.is_global and delivery.incident.restricted:
        return _settle(delivery, status_code=None, error=NOW_RESTRICTED, final=True)
    try:
        status_code, error = _post(delivery)
    except Exception as exc:  # recorded on the row; the next try may do better
        logger.exception("Webhook delivery %s failed unexpectedly", delivery_id)
        status_code, error = None, f"{type(exc).__name__}: {exc}"
    return _settle(delivery, status_code=status_code, error=error)


def _settle(
    delivery: WebhookDelivery, *, status_code: int | None, error: str, final: bool = False
) -> str:
    now = timezone.now()
    attempt = WebhookDelivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, status=WebhookDelivery.Status.SENDING
    )
    if not error:
        attempt.update(
            status=WebhookDelivery.Status.DELIVERED,
            delivered_at=now,
            next_attempt_at=None,
            last_status_code=status_code,
            last_error="",
        )
        return "delivered"
    if final or delivery.attempts >= MAX_ATTEMPTS:
        attempt.update(
            status=WebhookDelivery.Status.FAILED,
            next_attempt_at=None,
            last_status_code=status_code,
            last_error=error[:2000],
        )
        return "failed"
    attempt.update(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at=now + BACKOFF[delivery.attempts - 1],
        published_at=None,
        last_status_code=status_code,
        last_error=error[:2000],
    )
    return "retrying"


@transaction.atomic(durable=True)
def webhook_deliveries_retry(*, delivery_ids: Sequence[int]) -> int:
    """An administrator's "try again now" for failed deliveries; returns how many.

    Each gets one more attempt (more if the attempts it used were fewer than
    ``MAX_ATTEMPTS``), published after commit.
    """
    now = timezone.now()
    failed = list(
        WebhookDelivery.objects.filter(
            pk__in=delivery_ids, status=WebhookDelivery.Status.FAILED
        ).values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk__in=failed).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=now, published_at=None
    )
    transaction.on_commit(lambda: publish_deliveries(failed))
    return len(failed)


@dataclass
class SweepReport:
    published: int = 0
    restarted: int = 0


def webhooks_sweep(*, now: datetime | None = None) -> SweepReport:
    """Publish every delivery whose next try is due, and retry what a dead worker left.

    A pending row is due once its ``next_attempt_at`` has passed and it is not
    published (or was published ``LOST_GRACE`` ago and never claimed: the
    broker lost it). Takes batches, oldest due first, until none is left.
    """
    now = now or timezone.now()
    report = SweepReport()
    for delivery_id, attempts in WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).values_list("pk", "attempts"):
        report.restarted += WebhookDelivery.objects.filter(
            pk=delivery_id, attempts=attempts, status=WebhookDelivery.Status.SENDING
        ).update(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at=now,
            published_at=None,
            last_error=DIED.format(attempt=attempts),
        )
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).filter(models.Q(published_at__isnull=True) | models.Q(published_at__lt=now - LOST_GRACE))
    handled: set[int] = set()
    while batch := list(
        due.exclude(pk__in=handled)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    ):
        handled.update(batch)
        published = publish_deliveries(batch)
        report.published += len(published)
        if len(published) < len(batch):
            break
    return report
