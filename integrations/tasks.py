"""Celery tasks: interfaces that take ids and call one service."""

from celery import shared_task


# Retries are the outbox's (the row's next_attempt_at, published by the
# sweep), not Celery's: the row says when and why, and nothing waits in the
# broker. The time limit is a backstop over the request's own timeouts.
@shared_task(soft_time_limit=60, time_limit=90)
def webhook_deliver_task(*, delivery_id: int) -> str:
    from integrations.delivery import webhook_deliver

    return webhook_deliver(delivery_id=delivery_id)


@shared_task(expires=50)
def webhooks_sweep_task() -> None:
    from integrations.delivery import webhooks_sweep

    webhooks_sweep()
