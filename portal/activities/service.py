"""Activities and sign-ups: the capacity rules, under one row lock. Never commits.

Every change to who holds a seat (signing up, cancelling, a new capacity, cancelling the
activity) first locks the activity row with ``lock_row``; counting the seats taken and
writing the result happen inside that lock, so two people can never take the last seat.
"""

from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.accounts.models import User
from portal.activities.models import (
    Activity,
    CalendarFeed,
    Category,
    Signup,
    SignupStatus,
    Status,
    new_feed_token,
)
from portal.clock import utcnow
from portal.db import lock_row
from portal.files.models import StoredFile
from portal.notifications.service import notify
from portal.satisfaction import Level

CONFIRMED = SignupStatus.CONFIRMED.value
WAITLISTED = SignupStatus.WAITLISTED.value
CANCELLED = SignupStatus.CANCELLED.value
ACTIVE = (CONFIRMED, WAITLISTED)


class ActivityError(Exception):
    """A rule said no; ``message`` is a lazy string to show the person."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(Exception):
    pass


class NotSignedUp(Exception):
    """Cancelling a place one doesn't hold (say, the second click of a double click)."""


# ---- reading ---------------------------------------------------------------------------------

def seats_taken_expression(activity_id):
    """Seats held by confirmed parties (each is the person plus their companions)."""
    return (select(func.coalesce(func.sum(1 + Signup.companions), 0))
            .where(Signup.activity_id == activity_id, Signup.status == CONFIRMED)
            .scalar_subquery())


def seats_taken(session: Session, activity_id: int) -> int:
    return session.scalar(select(seats_taken_expression(activity_id))) or 0


def waitlist_length(session: Session, activity_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Signup).where(
        Signup.activity_id == activity_id, Signup.status == WAITLISTED)) or 0


def upcoming_statement(now: datetime, category: str | None = None,
                       seats_left: bool = False) -> Select:
    """Published activities not yet over, soonest first, each with its seats taken."""
    taken = seats_taken_expression(Activity.id).label("taken")
    statement = (select(Activity, taken)
                 .where(Activity.status == Status.PUBLISHED.value, Activity.ends_at > now)
                 .order_by(Activity.starts_at, Activity.id))
    if category in Category._value2member_map_:
        statement = statement.where(Activity.category == category)
    if seats_left:
        statement = statement.where(Activity.capacity > seats_taken_expression(Activity.id))
    return statement


def get_visible(session: Session, activity_id: int) -> Activity | None:
    """An activity residents may see: anything but a draft."""
    return session.scalar(select(Activity).where(
        Activity.id == activity_id, Activity.status != Status.DRAFT.value))


def get_any(session: Session, activity_id: int) -> Activity | None:
    return session.get(Activity, activity_id)


def signup_of(session: Session, activity_id: int, user_id: int) -> Signup | None:
    return session.scalar(select(Signup).where(Signup.activity_id == activity_id,
                                               Signup.user_id == user_id))


def waitlist_position(session: Session, signup: Signup) -> int:
    return 1 + (session.scalar(select(func.count()).select_from(Signup).where(
        Signup.activity_id == signup.activity_id, Signup.status == WAITLISTED,
        Signup.seq < signup.seq)) or 0)


def my_signups_statement(user_id: int, now: datetime) -> Select:
    """The person's sign-ups: what is still to come first (soonest on top), then the past."""
    over = case((Activity.ends_at <= now, 1), else_=0)
    return (select(Signup).join(Signup.activity).options(joinedload(Signup.activity))
            .where(Signup.user_id == user_id, Signup.status.in_(ACTIVE),
                   Activity.status != Status.DRAFT.value)
            .order_by(over, case((Activity.ends_at > now, Activity.starts_at)),
                      Activity.starts_at.desc(), Signup.id))


def signups_statement(activity_id: int, status: str) -> Select:
    return (select(Signup, User).join(User, User.id == Signup.user_id)
            .where(Signup.activity_id == activity_id, Signup.status == status)
            .order_by(Signup.seq))


def staff_statement() -> Select:
    taken = seats_taken_expression(Activity.id).label("taken")
    waiting = (select(func.count()).where(Signup.activity_id == Activity.id,
                                          Signup.status == WAITLISTED)
               .scalar_subquery().label("waiting"))
    return select(Activity, taken, waiting).order_by(Activity.starts_at.desc(), Activity.id.desc())


def rating_counts(session: Session, activity_id: int) -> dict[int, int]:
    rows = session.execute(select(Signup.rating, func.count()).where(
        Signup.activity_id == activity_id, Signup.rating.is_not(None)).group_by(Signup.rating))
    return {rating: count for rating, count in rows}


# ---- the rules for seats, all under the activity's row lock ---------------------------------

def _locked(session: Session, activity_id: int) -> Activity:
    activity = lock_row(session, Activity, activity_id)
    if activity is None or activity.status == Status.DRAFT.value:
        raise NotFound()
    return activity


def _new_code(session: Session, activity_id: int) -> str:
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        clash = session.scalar(select(Signup.id).where(Signup.activity_id == activity_id,
                                                       Signup.checkin_code == code))
        if clash is None:
            return code


def signup_problem(activity: Activity, now: datetime):
    """Why sign-up is not possible right now, or None."""
    if activity.status == Status.CANCELLED.value:
        return _l("This activity has been cancelled.")
    if now < activity.signup_opens_at:
        return _l("Sign-up has not opened yet.")
    if now >= activity.signup_closes_at or now >= activity.starts_at:
        return _l("Sign-up has closed.")
    return None


def sign_up(session: Session, activity_id: int, user_id: int, companions: int,
            now: datetime) -> tuple[Signup, bool]:
    """Take seats for the person and their companions, or a waitlist place.

    Returns (signup, created). A second sign-up returns the existing one unchanged.
    """
    activity = _locked(session, activity_id)
    problem = signup_problem(activity, now)
    if problem:
        raise ActivityError(problem)
    existing = signup_of(session, activity.id, user_id)
    if existing is not None and existing.status in ACTIVE:
        return existing, False
    if not 0 <= companions <= activity.max_companions:
        raise ActivityError(_l("You can bring at most %(count)s companions.",
                               count=activity.max_companions), field="companions")
    if 1 + companions > activity.capacity:
        raise ActivityError(_l("Your group is larger than the whole activity."),
                            field="companions")
    taken, last_seq = session.execute(select(
        seats_taken_expression(activity.id),
        select(func.max(Signup.seq)).where(Signup.activity_id == activity.id).scalar_subquery(),
    )).one()
    status = CONFIRMED if 1 + companions <= activity.capacity - taken else WAITLISTED
    signup = existing or Signup(activity_id=activity.id, user_id=user_id)
    signup.companions = companions
    signup.status = status
    signup.seq = (last_seq or 0) + 1
    signup.checkin_code = _new_code(session, activity.id)
    signup.created_at = now
    signup.confirmed_at = now if status == CONFIRMED else None
    signup.cancelled_at = None
    session.add(signup)
    session.flush()
    return signup, True


def cancel_signup(session: Session, activity_id: int, user_id: int,
                  now: datetime) -> list[Signup]:
    """The person gives up their seat or waitlist place; returns the people promoted."""
    activity = _locked(session, activity_id)
    signup = signup_of(session, activity.id, user_id)
    if signup is None or signup.status not in ACTIVE:
        raise NotSignedUp()
    if now >= activity.starts_at:
        raise ActivityError(_l("The activity has already started, so it can't be cancelled "
                               "here. Please tell the community office."))
    was_confirmed = signup.status == CONFIRMED
    signup.status = CANCELLED
    signup.cancelled_at = utcnow()  # taken inside the lock: the order cancellations happened in
    session.flush()
    return promote(session, activity, now) if was_confirmed else []


def promote(session: Session, activity: Activity, now: datetime) -> list[Signup]:
    """Fill free seats from the waitlist in arrival order, skipping parties that don't fit.

    The caller holds the activity's lock.
    """
    if activity.status != Status.PUBLISHED.value or now >= activity.starts_at:
        return []
    free = activity.capacity - seats_taken(session, activity.id)
    promoted = []
    if free > 0:
        waiting = session.scalars(select(Signup).where(
            Signup.activity_id == activity.id, Signup.status == WAITLISTED).order_by(Signup.seq))
        for signup in waiting:
            if signup.seats <= free:
                signup.status = CONFIRMED
                signup.confirmed_at = now
                free -= signup.seats
                promoted.append(signup)
                if free == 0:
                    break
    if promoted:
        session.flush()
        notify(session, [signup.user_id for signup in promoted],
               _l("A place has opened up: you now have a seat at “%(title)s”."),
               link=f"/activities/{activity.id}", title=activity.title)
    return promoted


# ---- staff -----------------------------------------------------------------------------------

EDITABLE = ("title", "description", "category", "audience", "place", "starts_at", "ends_at",
            "capacity", "max_companions", "signup_opens_at", "signup_closes_at", "status")


def find_by_form_key(session: Session, form_key: str | None) -> Activity | None:
    if not form_key:
        return None
    return session.scalar(select(Activity).where(Activity.form_key == form_key))


def create_activity(session: Session, fields: dict, created_by_id: int,
                    cover: StoredFile | None = None, form_key: str | None = None) -> Activity:
    """A new activity; the same form sent twice (same ``form_key``) gives the first one."""
    existing = find_by_form_key(session, form_key)
    if existing is not None:
        return existing
    activity = Activity(created_by_id=created_by_id, form_key=form_key or None,
                        **{key: fields[key] for key in EDITABLE})
    _attach_cover(activity, cover)
    session.add(activity)
    session.flush()
    return activity


def update_activity(session: Session, activity_id: int, fields: dict, now: datetime,
                    cover: StoredFile | None = None, remove_cover: bool = False) -> Activity:
    """Save staff edits under the lock: capacity never drops below the seats taken, a larger
    capacity fills from the waitlist, and cancelling tells everyone signed up or waiting."""
    activity = lock_row(session, Activity, activity_id)
    if activity is None:
        raise NotFound()
    taken = seats_taken(session, activity.id)
    if fields["capacity"] < taken:
        raise ActivityError(_l("%(taken)s seats are already taken, so the capacity can't be "
                               "lower than that.", taken=taken), field="capacity")
    was = activity.status
    for key in EDITABLE:
        setattr(activity, key, fields[key])
    if remove_cover:
        activity.cover = None
    _attach_cover(activity, cover)
    session.flush()
    if was != Status.CANCELLED.value and activity.status == Status.CANCELLED.value:
        _tell_everyone_cancelled(session, activity)
    else:
        promote(session, activity, now)
    return activity


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
                   now: datetime) -> Signup:
    signup = session.scalar(select(Signup).where(
        Signup.id == signup_id, Signup.activity_id == activity.id, Signup.status == CONFIRMED))
    if signup is None:
        raise NotFound()
    signup.attended_at = (signup.attended_at or now) if attended else None
    return signup


def check_in_by_code(session: Session, activity: Activity, code: str, now: datetime) -> Signup:
    signup = session.scalar(select(Signup).where(
        Signup.activity_id == activity.id, Signup.checkin_code == code))
    if signup is None or signup.status != CONFIRMED:
        raise ActivityError(_l("No confirmed sign-up has that code. Check the digits."),
                            field="code")
    signup.attended_at = signup.attended_at or now
    return signup


CSV_HEADER = (_l("Order"), _l("Status"), _l("Name"), _l("Phone"), _l("Address"),
              _l("Companions"), _l("Seats"), _l("Signed up"), _l("Attended"))


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(session: Session, activity: Activity, status_labels: dict, when) -> str:
    """The sign-up list for a spreadsheet. ``when`` formats a datetime for people."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(label) for label in CSV_HEADER])
    rows = session.execute(
        select(Signup, User).join(User, User.id == Signup.user_id)
        .where(Signup.activity_id == activity.id, Signup.status.in_(ACTIVE))
        .order_by(Signup.status, Signup.seq))
    for signup, user in rows:
        writer.writerow([_cell(value) for value in (
            signup.seq, status_labels[signup.status], user.name, user.phone, user.address,
            signup.companions, signup.seats, when(signup.created_at),
            when(signup.attended_at) if signup.attended_at else "")])
    return "\ufeff" + out.getvalue()  # the BOM lets spreadsheet programs read Chinese


# ---- after the activity ----------------------------------------------------------------------

def may_rate(activity: Activity, signup: Signup | None, now: datetime) -> bool:
    return (signup is not None and signup.status == CONFIRMED and signup.attended_at is not None
            and now >= activity.ends_at)


def rate(session: Session, activity_id: int, user_id: int, level: int, now: datetime) -> Signup:
    activity = get_visible(session, activity_id)
    signup = signup_of(session, activity_id, user_id) if activity else None
    if activity is None or not may_rate(activity, signup, now):
        raise NotFound()
    signup.rating = Level(level).value
    signup.rated_at = now
    return signup


# ---- calendars -------------------------------------------------------------------------------

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


# ---- the staff home ------------------------------------------------------------------------

STAFF_HOME_DAYS = 7


def staff_overview(session: Session, now: datetime) -> dict:
    window = and_(Activity.status == Status.PUBLISHED.value, Activity.starts_at > now,
                  Activity.starts_at <= now + timedelta(days=STAFF_HOME_DAYS))
    upcoming = session.scalar(select(func.count(Activity.id)).where(window)) or 0
    waiting = session.scalar(
        select(func.count(Signup.id)).join(Activity, Activity.id == Signup.activity_id)
        .where(window, Signup.status == WAITLISTED)) or 0
    drafts = session.scalar(select(func.count(Activity.id)).where(
        Activity.status == Status.DRAFT.value)) or 0
    return {"upcoming": upcoming, "waiting": waiting, "drafts": drafts}


def cover_visible_to_anyone(session: Session, stored: StoredFile) -> bool:
    return session.scalar(select(Activity.id).where(
        Activity.cover_id == stored.id,
        or_(Activity.status == Status.PUBLISHED.value,
            Activity.status == Status.CANCELLED.value)).limit(1)) is not None


def attendees_statement(activity_id: int) -> Select:
    """Who attended an activity: the audience of a survey about it."""
    return select(Signup.user_id).where(Signup.activity_id == int(activity_id),
                                        Signup.attended_at.is_not(None))


def activities_with_attendance(session: Session) -> list[tuple[str, str]]:
    """Past activities someone attended, newest first, as (id, title) choices."""
    rows = session.execute(
        select(Activity.id, Activity.title)
        .where(select(Signup.id).where(Signup.activity_id == Activity.id,
                                       Signup.attended_at.is_not(None)).exists())
        .order_by(Activity.starts_at.desc()).limit(200))
    return [(str(activity_id), title) for activity_id, title in rows]
