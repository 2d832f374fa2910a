from celery import shared_task


@shared_task
def heartbeat_record_task(*, name: str = "beat") -> None:
    from breachdesk.services import heartbeat_record

    heartbeat_record(name=name)
