"""Reading activities and sign-ups: listings, seats taken, the staff home. Never commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.accounts.models import User
from portal.activities.models import ACTIVE, Activity, Category, Signup, SignupStatus, Status
from portal.files.models import StoredFile

CONFIRMED = SignupStatus.CONFIRMED.value
WAITLISTED = SignupStatus.WAITLISTED.value
CANCELLED = SignupStatus.CANCELLED.value
STAFF_HOME_DAYS = 7


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


def staff_overview(session: Session, now: datetime) -> dict:
    """The /staff/ block: activities in the next days, people waiting there, drafts."""
    window = and_(Activity.status == Status.PUBLISHED.value, Activity.starts_at > now,
                  Activity.starts_at <= now + timedelta(days=STAFF_HOME_DAYS))
    counts = {  # one statement for the three (the staff home's statements stay few)
        "upcoming": select(func.count(Activity.id)).where(window),
        "waiting": select(func.count(Signup.id)).join(Activity, Activity.id == Signup.activity_id)
        .where(window, Signup.status == WAITLISTED),
        "drafts": select(func.count(Activity.id)).where(Activity.status == Status.DRAFT.value),
    }
    row = session.execute(select(*[count.scalar_subquery().label(key)
                                   for key, count in counts.items()])).one()
    return {key: value or 0 for key, value in row._mapping.items()}


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
