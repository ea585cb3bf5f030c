"""The activity reminder: the day before, everyone with a seat is reminded once."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.activities.models import Activity, Signup, SignupStatus, Status
from portal.notifications.service import in_each_language, notify
from portal.web.i18n import format_moment

AHEAD = timedelta(hours=24)
REMINDER = _l("Reminder: %(title)s starts at %(time)s, at %(place)s.")


def remind_signed_up(session: Session, since: datetime | None, now: datetime) -> str:
    """Activities that come within a day of starting between the last run and this one: each
    such start enters the window exactly once, so each seat holder is reminded once."""
    since = since or now - timedelta(hours=1)
    activities = session.scalars(select(Activity).where(
        Activity.status == Status.PUBLISHED.value,
        Activity.starts_at > since + AHEAD, Activity.starts_at <= now + AHEAD)).all()
    reminded = 0
    for activity in activities:
        user_ids = list(session.scalars(select(Signup.user_id).where(
            Signup.activity_id == activity.id, Signup.status == SignupStatus.CONFIRMED.value)))
        notify(session, user_ids, REMINDER, link=f"/activities/{activity.id}",
               title=activity.title, place=activity.place,
               time=in_each_language(lambda starts=activity.starts_at: format_moment(starts)))
        reminded += len(user_ids)
    return f"{len(activities)} activity(ies), {reminded} reminder(s)"
