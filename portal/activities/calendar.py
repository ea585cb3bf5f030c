"""iCalendar files: one activity, or a resident's personal feed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from portal.activities.models import Activity, Status
from portal.clock import utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Linli//Activities//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    return calendar


def _event(activity: Activity, url: str, host: str) -> Event:
    event = Event()
    event.add("uid", f"activity-{activity.id}@{host}")
    event.add("dtstamp", utcnow())
    # Local wall-clock times with their zone, so calendars show the time on the poster.
    event.add("dtstart", activity.starts_at.astimezone(SHANGHAI))
    event.add("dtend", activity.ends_at.astimezone(SHANGHAI))
    event.add("summary", activity.title)
    event.add("location", activity.place)
    event.add("description", activity.description or "")
    event.add("url", url)
    event.add("last-modified", activity.updated_at)
    cancelled = activity.status == Status.CANCELLED.value
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def activities_ics(name: str, activities, url_for_activity, host: str) -> bytes:
    calendar = _calendar(name)
    for activity in activities:
        calendar.add_component(_event(activity, url_for_activity(activity), host))
    calendar.add_missing_timezones()
    return calendar.to_ical()
