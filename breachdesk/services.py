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
