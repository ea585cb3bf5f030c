"""Who holds a seat: sign-up, cancelling, the waitlist and promotion, all under one row lock.
Never commits.

Every change to who holds a seat (signing up, cancelling, a new capacity, cancelling the
activity) first locks the activity row with ``lock_row``; counting the seats taken and
writing the result happen inside that lock, so two people can never take the last seat.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.activities.models import Activity, Signup, Status
from portal.activities.service.reading import (
    ACTIVE,
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    get_visible,
    seats_taken,
    seats_taken_expression,
    signup_of,
)
from portal.clock import utcnow
from portal.db import lock_row
from portal.errors import DomainError
from portal.notifications.service import notify
from portal.satisfaction import Level


class NotFound(DomainError):
    """No such activity, sign-up or rating for this person: the view answers 404."""

    status = 404

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message or _l("We could not find that activity."), field)


class NotSignedUp(DomainError):
    """Cancelling a place one doesn't hold (say, the second click of a double click)."""

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message or _l("You have no sign-up here to cancel."), field)


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
        raise DomainError(problem)
    existing = signup_of(session, activity.id, user_id)
    if existing is not None and existing.status in ACTIVE:
        return existing, False
    if not 0 <= companions <= activity.max_companions:
        raise DomainError(_l("You can bring at most %(count)s companions.",
                             count=activity.max_companions), field="companions")
    if 1 + companions > activity.capacity:
        raise DomainError(_l("Your group is larger than the whole activity."),
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
        raise DomainError(_l("The activity has already started, so it can't be cancelled "
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
