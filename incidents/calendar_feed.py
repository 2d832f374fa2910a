"""Deadlines as an iCalendar feed, for the calendar apps responders already live in.

Calendar servers outside our control read and keep these feeds, so an event
carries the reference, the duty and the due time, and a link; never the
incident's title, summary or any other fact (DESIGN.md, outbound channels).
"""

from datetime import timedelta

from django.conf import settings
from icalendar import Alarm, Calendar, Event


def calendar_feed(deadlines, *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//BreachDesk//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"BreachDesk: {name}")
    for deadline in deadlines:
        incident = deadline.incident
        event = Event()
        event.add("uid", f"deadline-{deadline.pk}@breachdesk")
        event.add("dtstamp", deadline.computed_at)
        event.add("dtstart", deadline.due_at)
        event.add("dtend", deadline.due_at + timedelta(minutes=15))
        state = deadline.get_status_display()
        event.add(
            "summary",
            f"[{incident.reference}] {deadline.citation} → {deadline.recipient} ({state})",
        )
        event.add(
            "description",
            f"{deadline.standard}. Details in BreachDesk: "
            f"{settings.SITE_URL}{incident.get_absolute_url()}",
        )
        event.add("url", f"{settings.SITE_URL}{incident.get_absolute_url()}")
        if deadline.is_open:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{deadline.citation} due")
            alarm.add("trigger", timedelta(hours=-4))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
