import uuid

from django.db import transaction
from django.utils import timezone

from breachdesk.models import Heartbeat, User
from breachdesk.validators import validate_time_zone


def heartbeat_record(*, name: str) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen_at": timezone.now()}
    )
    return heartbeat


@transaction.atomic(durable=True)
def user_set_time_zone(*, user: User, time_zone: str) -> None:
    validate_time_zone(time_zone)
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])


@transaction.atomic(durable=True)
def user_rotate_calendar_token(*, user: User) -> None:
    """A new secret for the user's calendar links: every old link stops working."""
    user.calendar_token = uuid.uuid4()
    user.save(update_fields=["calendar_token"])
