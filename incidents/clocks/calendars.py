"""Counting hours, calendar days, business days and months the way the rules mean them."""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

HOLIDAYS_VERSION = holidays.__version__
END_OF_DAY = time(23, 59, 59)


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def end_of(day: date, zone: str, cutoff: time = END_OF_DAY) -> datetime:
    """The last moment of ``day`` in ``zone`` (or its cut-off time), as a UTC instant."""
    return datetime.combine(day, cutoff, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def plus_calendar_days(start: datetime, days: int, zone: str) -> date:
    """The last day: the start's date where the recipient is, plus ``days``."""
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


def plus_months(start: datetime, months: int) -> datetime:
    """Calendar months, clamped to month end: 31 Jan + 1 month = 28 (or 29) Feb."""
    return start + relativedelta(months=months)


def end_of_calendar_year_plus_days(start: datetime, days: int, zone: str) -> date:
    """``days`` after the end of the calendar year in which ``start`` falls."""
    return date(local_date(start, zone).year, 12, 31) + timedelta(days=days)
