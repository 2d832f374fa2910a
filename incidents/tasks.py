"""Celery tasks: interfaces that take ids and call one service."""

from celery import Task, shared_task


class NotificationSendTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """After the last retry: the row is marked failed and the failure goes on the timeline."""
        from incidents.services.delivery import notification_mark_failed

        notification_mark_failed(notification_id=kwargs["notification_id"], error=str(exc))


# Permanent refusals (5xx) are settled inside the service; what escapes it is
# transient (the mail server said "later", the network or database hiccuped),
# so it is retried: 5 s, 10 s, 20 s … capped at 10 minutes, six times. No
# jitter: Celery's full jitter can retry a 451 at once ("Retry in 0s").
@shared_task(
    base=NotificationSendTask,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=False,
    max_retries=6,
)
def notification_send_task(*, notification_id: int) -> str:
    from incidents.services.delivery import notification_send

    return notification_send(notification_id=notification_id)


# The mail server's answer, carried by the broker while the database is away:
# retried every minute (at most) until the database takes it, for a day.
@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=False,
    max_retries=24 * 60,
)
def notification_record_outcome_task(
    *, notification_id: int, attempt: int, outcome: str, error: str = ""
) -> bool:
    from incidents.services.delivery import notification_record_outcome

    return notification_record_outcome(
        notification_id=notification_id, attempt=attempt, outcome=outcome, error=error
    )


@shared_task(expires=50)
def notifications_sweep_task() -> None:
    from incidents.services.delivery import notifications_sweep

    notifications_sweep()


@shared_task(expires=50)
def questionnaires_sweep_task() -> None:
    from incidents.services.questionnaires import questionnaires_sweep

    questionnaires_sweep()


@shared_task(expires=50)
def deadlines_sweep_task() -> None:
    """Reminders and escalations, then partner notices left unacknowledged too long."""
    from incidents.services.reminders import deadlines_sweep, notifications_unacknowledged_sweep

    deadlines_sweep()
    notifications_unacknowledged_sweep()


# One layout at a time per report: the claim inside the service makes a
# redelivered task a no-op. The time limit is the "at most 60 s" with
# room for a busy machine; a build past it is stopped and marked failed.
@shared_task(soft_time_limit=120, acks_late=True)
def timeline_report_build_task(*, report_id: int) -> str:
    from incidents.services.exports import timeline_report_build

    return timeline_report_build(report_id=report_id)
