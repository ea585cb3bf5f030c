"""Visits (走访): what each grid worker has due, recording one, and the coverage figures.

A person is visited on time when the visit falls on or before the day it was due; a person
whose due day has passed with no visit is overdue (flagged on every list)."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit.service import record
from portal.care.models import CarePerson, CareVisit, VisitFrequency
from portal.care.service import AREA, audit_target, get_person, scope
from portal.errors import DomainError
from portal.files.models import StoredFile

MAX_PHOTO_BYTES = 8 * 1024 * 1024


def week_end(today: date) -> date:
    """The Sunday of this week: "due this week" runs to it."""
    return today + timedelta(days=6 - today.weekday())


def due_statement(user, today: date):
    """The people this grid worker is to visit by Sunday, the most overdue first."""
    return (select(CarePerson)
            .where(CarePerson.grid_worker_id == user.id,
                   CarePerson.next_visit_on <= week_end(today))
            .order_by(CarePerson.next_visit_on, CarePerson.id).limit(200))


def recent(session: Session, person: CarePerson, limit: int = 10) -> list[CareVisit]:
    return list(session.scalars(select(CareVisit).where(CareVisit.person_id == person.id)
                                .order_by(CareVisit.visited_on.desc(), CareVisit.id.desc())
                                .limit(limit)))


def record_visit(session: Session, actor, person: CarePerson, *, outcome: str,
                 needs_seen, note: str | None, referral_needed: bool, visited_on: date,
                 today: date, photo: StoredFile | None = None, refer_to: str | None = None,
                 referral_note: str | None = None) -> CareVisit:
    """The visit; with ``referral_needed``, the referral to ``refer_to`` too (its note, or
    the visit's when none is written), all or nothing."""
    if visited_on > today:
        raise DomainError(_l("The day of the visit cannot be in the future."), "visited_on")
    if visited_on < today - timedelta(days=31):
        raise DomainError(_l("Record a visit within a month of it."), "visited_on")
    visit = CareVisit(person_id=person.id, visitor_id=actor.id, visited_on=visited_on,
                      was_due_on=person.next_visit_on, outcome=outcome,
                      needs_seen=",".join(needs_seen or ()), note=note or None,
                      referral_needed=referral_needed,
                      photo_id=photo.id if photo is not None else None)
    if photo is not None:
        photo.attached = True
    session.add(visit)
    if person.last_visit_on is None or visited_on >= person.last_visit_on:
        person.last_visit_on = visited_on
        person.next_visit_on = visited_on + timedelta(
            days=VisitFrequency(person.frequency).days)
    record(session, actor, AREA, "visit_recorded", audit_target(person),
           "referral" if referral_needed else "")
    if referral_needed:
        from portal.care import referrals

        if not refer_to:
            raise DomainError(_l("Choose the colleague's role to refer it to."),
                              "referral_role")
        session.flush()
        referrals.refer(session, actor, to_role=refer_to, note=referral_note or note or "",
                        today=today, person=person, visit=visit)
    return visit


def may_view_photo(session: Session, user, stored: StoredFile) -> bool:
    """A visit's photo: whoever may open the person's file."""
    if user is None or not user.is_authenticated or not user.is_staff:
        return False
    person_id = session.scalar(select(CareVisit.person_id).where(CareVisit.photo_id == stored.id))
    return person_id is not None and get_person(session, user, person_id) is not None


def _on_time(today: date):
    return func.coalesce(func.sum(case((CarePerson.next_visit_on >= today, 1), else_=0)), 0)


def _share(label, total: int, on_time: int) -> dict:
    return {"label": label, "numerator": int(on_time or 0), "denominator": int(total or 0),
            "value": on_time / total if total else None}


def coverage(session: Session, today: date) -> dict:
    """Of the people on the register, the share not overdue today (their last visit came in
    time, or the first is not yet due): in all, per grid worker and per building. One
    aggregate per grouping, never rows; the register is a few hundred people a community."""
    total, on_time = session.execute(select(func.count(), _on_time(today))
                                     .select_from(CarePerson)).one()
    by_worker = [_share(name, count, good) for name, count, good in session.execute(
        select(User.name, func.count(), _on_time(today)).select_from(CarePerson)
        .outerjoin(User, User.id == CarePerson.grid_worker_id)
        .group_by(User.id, User.name).order_by(User.name))]
    by_building = [_share(building, count, good) for building, count, good in session.execute(
        select(CarePerson.building, func.count(), _on_time(today))
        .group_by(CarePerson.building).order_by(CarePerson.building))]
    return {"all": _share("", total, on_time), "by_worker": by_worker,
            "by_building": by_building}


def panel(session: Session, user, today: date) -> dict:
    """The staff-home panel: how many are overdue and due this week, in this user's view."""
    overdue, due = session.execute(select(
        func.coalesce(func.sum(case((CarePerson.next_visit_on < today, 1), else_=0)), 0),
        func.coalesce(func.sum(case((CarePerson.next_visit_on <= week_end(today), 1),
                                    else_=0)), 0)).where(scope(user))).one()
    return {"overdue": overdue, "due": due}
