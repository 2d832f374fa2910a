"""Counting hours, calendar days, business days and months the way the rules mean them."""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

HOLIDAYS_VERSION = holidays.__version__
END_OF_DAY = time(23, 59, 59)


@cache
def tz(zone: str) -> ZoneInfo:
    """The zone, loaded once: ZoneInfo's own cache keeps only the last few, and a run of
    the rule table visits dozens."""
    return ZoneInfo(zone)


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(tz(zone)).date()


def end_of(day: date, zone: str, cutoff: time = END_OF_DAY) -> datetime:
    """The last moment of ``day`` in ``zone`` (or its cut-off time), as a UTC instant."""
    return datetime.combine(day, cutoff, tzinfo=tz(zone)).astimezone(UTC)


def plus_calendar_days(start: datetime, days: int, zone: str) -> date:
    """The last day: the start's date in ``zone``, plus ``days``."""
    return local_date(start, zone) + timedelta(days=days)


@cache
def _calendar(country: str, subdiv: str | None):
    return holidays.country_holidays(country, subdiv=subdiv)


def plus_business_days(start: datetime, days: int, zone: str, country: str, subdiv=None) -> date:
    """The ``days``-th working day after the start's date in ``zone``.

    The start day itself never counts, so a trigger on a Saturday makes the
    next Monday day 1 (as SEC Form 8-K General Instruction B.1 reads).
    """
    return _calendar(country, subdiv).get_nth_working_day(local_date(start, zone), days)


def is_year_end_closure(day: date) -> bool:
    """29 December to 3 January: Japanese administrative offices are closed
    (Act on Holidays of Administrative Organs, Art. 1(1)(iii))."""
    return (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)


def next_open_day(day: date, country: str, subdiv=None, year_end_closure=False) -> date:
    """``day`` itself if the authority is open, else the next day it is: weekends and
    the ``holidays`` library's public holidays are closed, and with ``year_end_closure``
    29 Dec–3 Jan too (Japan's PPC, per the PPC General Guidelines 3-5-3-4)."""
    calendar = _calendar(country, subdiv)
    while not calendar.is_working_day(day) or (year_end_closure and is_year_end_closure(day)):
        day += timedelta(days=1)
    return day


def plus_months(start: datetime, months: int, zone: str) -> datetime:
    """Calendar months in the authority's local calendar, as a UTC instant.

    The months are added to the local date and time (Reg. 1182/71 Art. 3(2)(c)),
    clamped to the month's end (31 Jan + 1 month = 28 or 29 Feb), then converted
    back: a filing at 00:30 in Brussels on 1 March is due at 00:30 there on 1 April,
    whatever the UTC date and the DST change in between.
    """
    local = start.astimezone(tz(zone))
    return (
        (local.replace(tzinfo=None) + relativedelta(months=months))
        .replace(tzinfo=tz(zone))
        .astimezone(UTC)
    )


def end_of_calendar_year_plus_days(start: datetime, days: int, zone: str) -> date:
    """``days`` after the end of the calendar year in which ``start`` falls in ``zone``."""
    return date(local_date(start, zone).year, 12, 31) + timedelta(days=days)
