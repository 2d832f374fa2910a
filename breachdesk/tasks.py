from celery import shared_task


@shared_task
def heartbeat_record_task(*, name: str = "beat") -> None:
    from breachdesk.services import heartbeat_record

    heartbeat_record(name=name)


@shared_task
def housekeeping_purge_task() -> int:
    from breachdesk.services import housekeeping_purge

    return housekeeping_purge()
