"""Safety check-ins (平安报): opening one for a warning, answering it, recording for someone,
closing it. Never commits.

Who may see whom is the care register's rule: a grid worker (FOLLOW_CHECKINS) reaches only the
people of their own grid, and another grid's person is None here (404 in the view); whoever
holds MANAGE_CHECKINS reaches every grid. A person's grid is their care file's grid worker, else
the grid worker responsible for most people in care in their building (the portal has no
buildings assigned to workers yet). The list, totals and board figures are in listing.py.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, exists, func, literal, select, true, update
from sqlalchemy.orm import Session, aliased

from portal.accounts.models import User
from portal.accounts.roles import Permission, Role
from portal.accounts.service import active_residents_statement
from portal.audit.service import record
from portal.care.models import CarePerson
from portal.checkins.models import (
    RANK_CARE_PENDING,
    RANK_HELP,
    RANK_PENDING,
    RANK_SAFE,
    Answer,
    Checkin,
    CheckinEntry,
    HelpKind,
)
from portal.db import upsert
from portal.errors import DomainError
from portal.notices.models import Alert, AlertLevel
from portal.notifications.service import notify_selected
from portal.registry import AuditAction

AREA = "checkins"
AUDIT_ACTIONS = tuple(AuditAction(AREA, key, label) for key, label in (
    ("checkin_opened", _l("Opened a safety check-in")),
    ("checkin_closed", _l("Closed a safety check-in")),
    ("checkin_recorded", _l("Recorded a check-in for someone")),
))
LEVELS = (AlertLevel.ORANGE.value, AlertLevel.RED.value)
MAX_PEOPLE = 50  # a household, or a few: more is a typo, not a family
NOTE_LENGTH = 200


class NotFound(DomainError):
    status = 404

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message or _l("We could not find that check-in."), field)


class Closed(DomainError):
    status = 409

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message or _l("This check-in has ended: nothing more can be "
                                       "recorded. If you still need help, call 110 or 119, "
                                       "or the community office."), field)


def sees_every_grid(user) -> bool:
    return user.can(Permission.MANAGE_CHECKINS)


def scope(user):
    return true() if sees_every_grid(user) else CheckinEntry.grid_worker_id == user.id


def _household(building, unit, room):
    return (func.coalesce(building, "") + "|" + func.coalesce(unit, "") + "|"
            + func.coalesce(room, ""))


# ---- opening and closing ------------------------------------------------------------------

def open_checkin_for(session: Session) -> Checkin | None:
    """The check-in open now, if any (at most one is open at a time)."""
    return session.scalars(select(Checkin).where(Checkin.closed_at.is_(None))
                           .order_by(Checkin.id.desc()).limit(1)).first()


def openable_alerts(session: Session, now: datetime) -> list[Alert]:
    """Orange and red warnings in force that have no check-in yet."""
    return list(session.scalars(
        select(Alert).where(Alert.withdrawn_at.is_(None), Alert.expires_at > now,
                            Alert.level.in_(LEVELS),
                            ~exists().where(Checkin.alert_id == Alert.id))
        .order_by(Alert.raised_at.desc()).limit(20)))


def check_can_open(session: Session, alert: Alert | None, now: datetime) -> None:
    """Why no check-in can be opened for this warning now, as a DomainError on ``alert_id``."""
    if alert is None:
        raise DomainError(_l("Choose a warning from the list."), "alert_id")
    if alert.level not in LEVELS:
        raise DomainError(_l("A safety check-in is for orange and red warnings."), "alert_id")
    if alert.withdrawn_at is not None or alert.expires_at <= now:
        raise DomainError(_l("That warning is no longer in force."), "alert_id")
    if session.scalar(select(Checkin.id).where(Checkin.alert_id == alert.id)) is not None:
        raise DomainError(_l("That warning already has a check-in."), "alert_id")
    if open_checkin_for(session) is not None:
        raise DomainError(_l("A check-in is already open. Close it before opening another."),
                          "alert_id")


def open_checkin(session: Session, alert: Alert, now: datetime, *, actor, link) -> Checkin:
    """Open a check-in for an orange or red warning: everyone to be heard from gets an entry
    (a few INSERT ... SELECT, whatever the number of residents) and every resident a message
    through the outbox. ``link(checkin)`` is the residents' page for it."""
    check_can_open(session, alert, now)
    checkin = Checkin(alert_id=alert.id, title=alert.text, opened_at=now, opened_by_id=actor.id)
    session.add(checkin)
    session.flush()
    take_roll(session, checkin.id)
    notify_selected(session, active_residents_statement(),
                    _l("Safety check-in from the community office: %(text)s Please tell us "
                       "whether you are safe."), link=link(checkin), text=alert.text)
    record(session, actor, AREA, "checkin_opened", _target(checkin), alert.level)
    return checkin


def take_roll(session: Session, checkin_id: int) -> None:
    """An entry for every active resident and every person in care without an account."""
    care = aliased(CarePerson)
    first_care = (select(care.id).where(care.user_id == User.id).order_by(care.id).limit(1)
                  .correlate(User).scalar_subquery())
    care_worker = (select(care.grid_worker_id).where(care.user_id == User.id)
                   .order_by(care.id).limit(1).correlate(User).scalar_subquery())
    residents = select(
        literal(checkin_id), User.id, func.coalesce(User.building, ""), User.unit, User.room,
        _household(User.building, User.unit, User.room), care_worker,
        first_care.is_not(None),
        case((first_care.is_not(None), RANK_CARE_PENDING), else_=RANK_PENDING),
        literal(Answer.PENDING.value),
    ).where(User.id.in_(active_residents_statement()))
    columns = ["checkin_id", "user_id", "building", "unit", "room", "household",
               "grid_worker_id", "in_care", "rank", "status"]
    session.execute(CheckinEntry.__table__.insert().from_select(columns, residents))
    without_account = select(
        literal(checkin_id), CarePerson.id, CarePerson.building, CarePerson.unit,
        CarePerson.room, _household(CarePerson.building, CarePerson.unit, CarePerson.room),
        CarePerson.grid_worker_id, true(), literal(RANK_CARE_PENDING),
        literal(Answer.PENDING.value),
    ).where(CarePerson.user_id.is_(None))
    session.execute(CheckinEntry.__table__.insert().from_select(
        ["checkin_id", "care_person_id", *columns[2:]], without_account))
    for worker_id, buildings in building_workers(session).items():
        session.execute(update(CheckinEntry).where(
            CheckinEntry.checkin_id == checkin_id, CheckinEntry.grid_worker_id.is_(None),
            CheckinEntry.building.in_(buildings)).values(grid_worker_id=worker_id))


def building_workers(session: Session) -> dict[int, list[str]]:
    """Each grid worker's buildings: the building goes to whoever is responsible for most of
    its people in care (the lowest id on a tie)."""
    counts = session.execute(
        select(CarePerson.building, CarePerson.grid_worker_id, func.count())
        .where(CarePerson.grid_worker_id.is_not(None))
        .group_by(CarePerson.building, CarePerson.grid_worker_id))
    best: dict[str, tuple[int, int]] = {}
    for building, worker_id, count in counts:
        if building not in best or (-count, worker_id) < (-best[building][1], best[building][0]):
            best[building] = (worker_id, count)
    by_worker: dict[int, list[str]] = {}
    for building, (worker_id, _count) in best.items():
        by_worker.setdefault(worker_id, []).append(building)
    return by_worker


def close_checkin(checkin: Checkin, now: datetime, *, session: Session, actor) -> None:
    if checkin.closed_at is None:
        checkin.closed_at, checkin.closed_by_id = now, actor.id
        record(session, actor, AREA, "checkin_closed", _target(checkin))


def get_checkin(session: Session, checkin_id: int) -> Checkin | None:
    return session.get(Checkin, checkin_id)


def checkins_statement() -> Select:
    return select(Checkin).order_by(Checkin.opened_at.desc(), Checkin.id.desc())


def for_alerts(session: Session, alert_ids: list[int]) -> dict[int, Checkin]:
    if not alert_ids:
        return {}
    return {checkin.alert_id: checkin for checkin in session.scalars(
        select(Checkin).where(Checkin.alert_id.in_(alert_ids)))}


def _target(checkin: Checkin) -> str:
    return f"#{checkin.id} {checkin.title}"


# ---- answering ----------------------------------------------------------------------------

def clean_answer(status: str, kind: str | None, people, note: str | None) -> dict:
    """The answer's stored values, or a DomainError on the field that is wrong."""
    if status not in (Answer.SAFE.value, Answer.HELP.value):
        raise DomainError(_l("Choose “I am safe” or “I need help”."), "answer")
    if status == Answer.SAFE.value:
        return {"status": status, "rank": RANK_SAFE, "kind": None, "people": None,
                "note": None}
    if kind not in {member.value for member in HelpKind}:
        raise DomainError(_l("Choose what kind of help you need."), "kind")
    if people is None or not 1 <= people <= MAX_PEOPLE:
        raise DomainError(_l("Say how many people need help: a number from 1 to %(most)d.",
                             most=MAX_PEOPLE), "people")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_LENGTH:
        raise DomainError(_l("Use at most %(max)d characters.", max=NOTE_LENGTH), "note")
    return {"status": status, "rank": RANK_HELP, "kind": kind, "people": people, "note": note}


def entry_of(session: Session, checkin_id: int, user_id: int) -> CheckinEntry | None:
    return session.scalar(select(CheckinEntry).where(CheckinEntry.checkin_id == checkin_id,
                                                     CheckinEntry.user_id == user_id))


def answer(session: Session, checkin: Checkin | None, user: User, now: datetime, *,
           status: str, kind: str | None = None, people=None, note: str | None = None) -> None:
    """A resident's own answer: one INSERT ... ON CONFLICT DO UPDATE on (check-in, person),
    so a second answer replaces the first and two at once still leave one entry."""
    if checkin is None:
        raise NotFound()
    if user.role != Role.RESIDENT.value:
        raise DomainError(_l("Only residents answer a check-in. Staff record answers for "
                             "residents from the live list."))
    if not checkin.is_open:
        raise Closed()
    values = clean_answer(status, kind, people, note)
    insert = upsert(session, CheckinEntry)
    worker = (select(CheckinEntry.grid_worker_id).where(
        CheckinEntry.checkin_id == checkin.id, CheckinEntry.building == (user.building or ""),
        CheckinEntry.grid_worker_id.is_not(None)).limit(1).scalar_subquery())
    statement = insert.values(
        checkin_id=checkin.id, user_id=user.id, building=user.building or "", unit=user.unit,
        room=user.room, household=f"{user.building or ''}|{user.unit or ''}|{user.room or ''}",
        grid_worker_id=worker, in_care=False, answered_at=now, recorded_by_id=None, **values)
    changed = {name: statement.excluded[name] for name in (*values, "answered_at",
                                                           "recorded_by_id")}
    session.execute(statement.on_conflict_do_update(
        index_elements=["checkin_id", "user_id"], set_=changed))


def get_entry(session: Session, user, checkin_id: int, entry_id: int) -> CheckinEntry | None:
    """The entry, or None when it is not in this user's grid (the view answers 404)."""
    return session.scalar(select(CheckinEntry).where(
        CheckinEntry.id == entry_id, CheckinEntry.checkin_id == checkin_id, scope(user)))


def record_for(session: Session, checkin: Checkin, entry: CheckinEntry, now: datetime, *,
               actor, status: str, kind: str | None = None, people=None,
               note: str | None = None) -> None:
    """A staff member records the answer of someone they phoned or visited."""
    if not checkin.is_open:
        raise Closed()
    values = clean_answer(status, kind, people, note)
    session.execute(update(CheckinEntry).where(CheckinEntry.id == entry.id).values(
        answered_at=now, recorded_by_id=actor.id, **values))
    session.expire(entry)
    record(session, actor, AREA, "checkin_recorded", f"#{checkin.id} {entry.name}",
           Answer(status).value)


def opened_list(session: Session, actor, checkin: Checkin, detail: str = "") -> None:
    record(session, actor, AREA, "view", _target(checkin), detail)

