"""Staff work on activities: publishing and editing, attendance, the sign-up export.
Never commits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.activities.models import Activity, Signup, SignupStatus, Status
from portal.activities.service.reading import ACTIVE, CONFIRMED, seats_taken
from portal.activities.service.seats import NotFound, promote
from portal.audit.service import record
from portal.db import lock_row
from portal.errors import DomainError
from portal.files.models import StoredFile
from portal.notifications.service import notify
from portal.registry import AuditAction

EDITABLE = ("title", "description", "category", "audience", "place", "starts_at", "ends_at",
            "capacity", "max_companions", "signup_opens_at", "signup_closes_at", "status")
AREA = "activities"
AUDIT_ACTIONS = tuple(AuditAction(AREA, key, label) for key, label in (
    ("activity_drafted", _l("Drafted an activity")),
    ("activity_published", _l("Published an activity")),
    ("activity_edited", _l("Edited an activity")),
    ("activity_cancelled", _l("Cancelled an activity")),
    ("attendance_marked", _l("Marked someone present")),
    ("attendance_unmarked", _l("Marked someone absent")),
    ("checked_in", _l("Checked someone in by code")),
))


def audit(session: Session, actor, action: str, activity: Activity, detail: str = "") -> None:
    record(session, actor, AREA, action, f"#{activity.id} {activity.title}", detail)


def find_by_form_key(session: Session, form_key: str | None) -> Activity | None:
    if not form_key:
        return None
    return session.scalar(select(Activity).where(Activity.form_key == form_key))


def create_activity(session: Session, fields: dict, created_by_id: int,
                    cover: StoredFile | None = None, form_key: str | None = None,
                    actor=None) -> Activity:
    """A new activity; the same form sent twice (same ``form_key``) gives the first one."""
    existing = find_by_form_key(session, form_key)
    if existing is not None:
        return existing
    activity = Activity(created_by_id=created_by_id, form_key=form_key or None,
                        **{key: fields[key] for key in EDITABLE})
    _attach_cover(activity, cover)
    session.add(activity)
    session.flush()
    audit(session, actor, "activity_published" if activity.status == Status.PUBLISHED.value
          else "activity_drafted", activity)
    return activity


def update_activity(session: Session, activity_id: int, fields: dict, now: datetime,
                    cover: StoredFile | None = None, remove_cover: bool = False, *,
                    actor) -> Activity:
    """Save staff edits under the lock: capacity never drops below the seats taken, a larger
    capacity fills from the waitlist, and cancelling tells everyone signed up or waiting."""
    activity = lock_row(session, Activity, activity_id)
    if activity is None:
        raise NotFound()
    taken = seats_taken(session, activity.id)
    if fields["capacity"] < taken:
        raise DomainError(_l("%(taken)s seats are already taken, so the capacity can't be "
                             "lower than that.", taken=taken), field="capacity")
    was = activity.status
    for key in EDITABLE:
        setattr(activity, key, fields[key])
    if remove_cover:
        activity.cover = None
    _attach_cover(activity, cover)
    session.flush()
    audit(session, actor, _change(was, activity.status), activity)
    if was != Status.CANCELLED.value and activity.status == Status.CANCELLED.value:
        _tell_everyone_cancelled(session, activity)
    else:
        promote(session, activity, now)
    return activity


def _change(was: str, now: str) -> str:
    if was != now and now in (Status.PUBLISHED.value, Status.CANCELLED.value):
        return f"activity_{now}"
    return "activity_edited"


def _attach_cover(activity: Activity, cover: StoredFile | None) -> None:
    if cover is not None:
        cover.attached = True
        activity.cover = cover


def _tell_everyone_cancelled(session: Session, activity: Activity) -> None:
    people = session.scalars(select(Signup.user_id).where(
        Signup.activity_id == activity.id, Signup.status.in_(ACTIVE)))
    notify(session, list(people), _l("“%(title)s” has been cancelled. We are sorry."),
           link=f"/activities/{activity.id}", title=activity.title)


def set_attendance(session: Session, activity: Activity, signup_id: int, attended: bool,
                   now: datetime, actor) -> Signup:
    signup = session.scalar(select(Signup).where(
        Signup.id == signup_id, Signup.activity_id == activity.id, Signup.status == CONFIRMED))
    if signup is None:
        raise NotFound()
    signup.attended_at = (signup.attended_at or now) if attended else None
    audit(session, actor, "attendance_marked" if attended else "attendance_unmarked", activity,
          f"sign-up #{signup.id}")
    return signup


def check_in_by_code(session: Session, activity: Activity, code: str, now: datetime,
                     actor) -> Signup:
    signup = session.scalar(select(Signup).where(
        Signup.activity_id == activity.id, Signup.checkin_code == code))
    if signup is None or signup.status != CONFIRMED:
        raise DomainError(_l("No confirmed sign-up has that code. Check the digits."),
                          field="code")
    signup.attended_at = signup.attended_at or now
    audit(session, actor, "checked_in", activity, f"sign-up #{signup.id}")
    return signup


EXPORT_HEADERS = (
    lazy_pgettext("sign-up export column", "Order"),
    lazy_pgettext("sign-up export column", "Status"),
    lazy_pgettext("sign-up export column", "Name"),
    lazy_pgettext("sign-up export column", "Phone"),
    lazy_pgettext("sign-up export column", "Address"),
    lazy_pgettext("sign-up export column", "Companions"),
    lazy_pgettext("sign-up export column", "Seats"),
    lazy_pgettext("sign-up export column", "Signed up"),
    lazy_pgettext("sign-up export column", "Attended"),
)


def export_rows(session: Session, activity_id: int) -> Iterator[list]:
    """Everyone holding a seat or waiting, in EXPORT_HEADERS' order: confirmed first, each
    in arrival order; the status as a label."""
    rows = session.execute(
        select(Signup, User).join(User, User.id == Signup.user_id)
        .where(Signup.activity_id == activity_id, Signup.status.in_(ACTIVE))
        .order_by(Signup.status, Signup.seq).execution_options(yield_per=500))
    for signup, user in rows:
        yield [signup.seq, SignupStatus(signup.status).label, user.name, user.phone,
               user.address, signup.companions, signup.seats, signup.created_at,
               signup.attended_at]
