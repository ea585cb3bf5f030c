"""Follow-up of bad ratings (差评回访): every 不满意 or 非常不满意 opens an item for the deputy
director, due within a number of working days; overdue ones are reported to the director."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, lazyload

from portal.accounts.models import User
from portal.accounts.oversight import deputies_for
from portal.accounts.roles import Role
from portal.clock import day_end, local_day
from portal.errors import DomainError
from portal.figures.models import RatingFollowUp
from portal.notifications.service import notify

CONFIG_DEFAULTS = {"FIGURES_FOLLOW_UP_WORKING_DAYS": 5}
METHODS = {"call": _l("Phone call"), "visit": _l("Home visit")}
OVERDUE_MESSAGE = _l("The follow-up of a bad rating on request %(ref)s is past its date.")
NEW_MESSAGE = _l("Request %(ref)s was rated unhappy. Please follow it up with the resident.")


def _first_active(session: Session, role: Role) -> User | None:
    return session.scalar(select(User).where(User.role == role.value, User.active.is_(True))
                          .order_by(User.id).limit(1))


def open_for(session: Session, request, event, now: datetime) -> RatingFollowUp:
    """Called by the requests service when a rating of 2 or 1 is given. It goes to the
    (first) deputy who oversees the request's team, else the first deputy, else the director."""
    from portal.aid.service import add_working_days

    session.flush()  # the rating's event needs its id
    days = int(current_app.config.get("FIGURES_FOLLOW_UP_WORKING_DAYS", 5))
    overseeing = deputies_for(session, request.role)
    deputy = (session.get(User, overseeing[0]) if overseeing
              else _first_active(session, Role.DIRECTOR))
    due_on = add_working_days(session, local_day(now), days)
    item = RatingFollowUp(request_id=request.id, event_id=event.id, rating=request.rating,
                          rated_at=now, due_on=due_on, due_at=day_end(due_on),
                          assignee_id=deputy.id if deputy else None)
    session.add(item)
    if deputy:
        notify(session, deputy.id, NEW_MESSAGE, link=f"/staff/requests/{request.ref}",
               ref=request.ref)
    return item


def get(session: Session, item_id: int) -> RatingFollowUp | None:
    return session.get(RatingFollowUp, item_id)


def record(session: Session, item: RatingFollowUp, staff: User, *, method: str, outcome: str,
           fix_plan: str, fix_by: date | None, view_changed: bool, now: datetime) -> None:
    if item.done_at is not None:
        raise DomainError(_l("This follow-up has already been recorded."))
    if method not in METHODS:
        raise DomainError(_l("Say whether you called or visited."), field="method")
    if not outcome.strip():
        raise DomainError(_l("Write down what the resident said."), field="outcome")
    if fix_by is not None and fix_by < local_day(item.rated_at):
        raise DomainError(_l("The date to fix it by can't be before the rating."),
                          field="fix_by")
    item.method, item.outcome, item.fix_plan = method, outcome.strip(), fix_plan.strip() or None
    item.fix_by, item.view_changed = fix_by, view_changed
    item.done_at, item.done_by_id = now, staff.id
    from portal.audit.service import record as audit

    audit(session, staff, "figures", "follow_up", item.request.ref, METHODS[method])


def on_time_figure(session: Session, start: datetime, end: datetime, now: datetime) -> dict:
    """Bad ratings given in the period and followed up by their date ÷ those followed up or
    past their date; and how many are still open. One statement."""
    f = RatingFollowUp
    row = session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((and_(f.done_at.is_not(None), f.done_at < f.due_at), 1),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((or_(f.done_at.is_not(None), f.due_at <= now), 1),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((f.done_at.is_(None), 1), else_=0)), 0),
    ).where(f.rated_at >= start, f.rated_at < end)).one()
    total, on_time, due, still_open = (int(value or 0) for value in row)
    return {"numerator": on_time, "denominator": due, "open": still_open, "total": total,
            "value": on_time / due if due else None}


def open_items(session: Session, limit: int = 20) -> list[RatingFollowUp]:
    return list(session.scalars(select(RatingFollowUp).where(RatingFollowUp.done_at.is_(None))
                                .order_by(RatingFollowUp.due_on, RatingFollowUp.id)
                                .limit(limit)))


def notify_overdue(session: Session, now: datetime) -> int:
    """Tell the director about each open follow-up past its date, once. Returns how many."""
    items = list(session.scalars(
        select(RatingFollowUp).options(lazyload("*"))  # no outer join under FOR UPDATE
        .where(RatingFollowUp.done_at.is_(None),
                                     RatingFollowUp.due_at <= now,
                                     RatingFollowUp.overdue_notified_at.is_(None))
        .with_for_update(skip_locked=True)))
    directors = list(session.scalars(select(User.id).where(User.role == Role.DIRECTOR.value,
                                                           User.active.is_(True))))
    for item in items:
        if directors:
            notify(session, directors, OVERDUE_MESSAGE, link="/staff/figures#follow-ups",
                   ref=item.request.ref)
        item.overdue_notified_at = now
    return len(items)
