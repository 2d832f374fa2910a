import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

UNKNOWN_TIME_ZONE = _(
    "“%(value)s” is not a time zone we know. Pick one from the list, such as Europe/Berlin."
)


@cache
def available_time_zones() -> tuple[str, ...]:
    """IANA zone names, sorted, without the legacy aliases (``US/Pacific``…)."""
    regional = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
    )
    return (*regional, "UTC")


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(UNKNOWN_TIME_ZONE, code="unknown_time_zone", params={"value": value})
