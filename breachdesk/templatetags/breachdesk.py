from datetime import timedelta

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
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


# Due within this long reads as "soon" (amber); past due reads as overdue (red).
DUE_SOON = timedelta(hours=24)


@register.simple_tag
def countdown(due, now):
    """A due time as "41 h 12 m left" / "overdue by 3 h 5 m", with the exact time on hover.

    Colour is never the only signal: the words say it, and the badge adds an icon.
    The icons are in DejaVu Sans (no emoji font needed): ⚠ overdue, ◷ due soon.
    static/js/countdown.js ticks the same text in the browser.
    """
    if due is None:
        return ""
    remaining = due - now
    local = localtime(due)
    exact = date_format(local, "DATETIME_FORMAT")
    zone = local.tzname()
    if remaining.total_seconds() < 0:
        css, icon = "badge-overdue", "⚠"
        text = _("overdue by %(span)s") % {"span": duration(remaining)}
    elif remaining <= DUE_SOON:
        css, icon = "badge-due-soon", "◷"
        text = _("%(span)s left") % {"span": duration(remaining)}
    else:
        css, icon = "badge-neutral", ""
        text = _("%(span)s left") % {"span": duration(remaining)}
    # The icon is decoration beside the words: hidden from screen readers.
    icon_html = format_html('<span aria-hidden="true">{}</span> ', icon) if icon else ""
    return format_html(
        '<time class="badge {}" datetime="{}" data-countdown title="{} {}">{}{}</time>'
        '<span class="print-only"> ({} {})</span>',
        css,
        due.isoformat(),
        exact,
        zone,
        icon_html,
        text,
        exact,
        zone,
    )


@register.filter
def local_moment(value):
    """An absolute time in the user's zone, with the zone named."""
    if value is None:
        return ""
    local = localtime(value)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"
