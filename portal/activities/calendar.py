"""Calendars: a resident's personal feed address, and iCalendar files of one activity or of
the feed. Never commits."""

from __future__ import annotations

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.activities.models import (
    ACTIVE,
    Activity,
    CalendarFeed,
    Signup,
    Status,
    new_feed_token,
)
from portal.clock import local, utcnow


def find_feed(session: Session, user_id: int) -> CalendarFeed | None:
    return session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))


def reset_feed(session: Session, user_id: int) -> CalendarFeed:
    """Give the person a calendar address, replacing any old one (which stops working)."""
    feed = find_feed(session, user_id)
    if feed is None:
        feed = CalendarFeed(user_id=user_id)
        session.add(feed)
    else:
        feed.token = new_feed_token()
    session.flush()
    return feed


def feed_activities(session: Session, token: str) -> list[tuple[Activity, Signup]] | None:
    user_id = session.scalar(select(CalendarFeed.user_id).where(CalendarFeed.token == token))
    if user_id is None:
        return None
    rows = session.execute(
        select(Activity, Signup).join(Signup, Signup.activity_id == Activity.id)
        .where(Signup.user_id == user_id, Signup.status.in_(ACTIVE),
               Activity.status != Status.DRAFT.value)
        .order_by(Activity.starts_at).limit(500))
    return list(rows)



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
    event.add("dtstart", local(activity.starts_at))
    event.add("dtend", local(activity.ends_at))
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
