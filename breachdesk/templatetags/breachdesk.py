from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A span as responders read it at a glance: "41 h 12 m", "3 d 4 h", "45 s".

    Hours run up to 72 because the statutory clocks are stated in hours
    ("72 hours"); longer spans switch to days.
    """
    if value is None:
        return ""
    seconds = int(abs(value.total_seconds()))
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    if hours >= 72:
        days, hours = divmod(hours, 24)
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d m") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d m") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": seconds}
