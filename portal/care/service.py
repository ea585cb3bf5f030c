"""The care register: who is on it, who may see whom, and the dated history of each file.

The rule of who sees what (PIPL Art. 28-29): a grid worker (VISIT_CARE) sees only the people
whose responsible grid worker they are, and only what a visit needs; whoever keeps the register
(MANAGE_CARE: civil affairs, deputy director, director) sees everyone and every field. Every
opening and every change is a line in the shared audit log.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, true
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Permission, Role
from portal.audit.service import record
from portal.care.models import CareChange, CarePerson, VisitFrequency
from portal.errors import DomainError
from portal.registry import AuditAction

AREA = "care"
AUDIT_ACTIONS = tuple(AuditAction(AREA, key, label) for key, label in (
    ("person_added", _l("Added a person to the care register")),
    ("person_edited", _l("Changed a care file")),
    ("visit_recorded", _l("Recorded a care visit")),
    ("register_imported", _l("Imported the care register")),
    ("export", _l("Downloaded the care register")),
))

# Every field a form may set, and the ones a visit needs (what a grid worker is shown).
FIELDS = ("name", "phone", "building", "unit", "room", "categories", "needs", "grid_worker_id",
          "frequency", "risk", "legal_basis", "consent_on", "health", "id_number", "contacts",
          "notes")
SENSITIVE = frozenset({"health", "id_number", "notes"})


def sees_everyone(user) -> bool:
    return user.can(Permission.MANAGE_CARE)


def scope(user):
    return true() if sees_everyone(user) else CarePerson.grid_worker_id == user.id


def natural_key(name: str, phone: str | None, building: str, unit: str | None,
                room: str | None) -> str:
    """The same person twice is the same key: by phone when known, else by name and home."""
    if phone:
        return f"phone:{phone}"
    return f"home:{name.strip()}|{building}|{unit or ''}|{room or ''}"[:120]


def register_statement(user, *, worker_id: int | None = None,
                       overdue_on: date | None = None) -> Select:
    """The people this user may see, the most overdue first."""
    statement = select(CarePerson).where(scope(user))
    if worker_id:
        statement = statement.where(CarePerson.grid_worker_id == worker_id)
    if overdue_on:
        statement = statement.where(CarePerson.next_visit_on < overdue_on)
    return statement.order_by(CarePerson.next_visit_on, CarePerson.id)


def get_person(session: Session, user, person_id: int) -> CarePerson | None:
    """The person, or None when they are not in this user's grid (the view answers 404)."""
    return session.scalars(select(CarePerson).where(CarePerson.id == person_id, scope(user))
                           ).first()


def opened(session: Session, user, person: CarePerson) -> None:
    record(session, user, AREA, "view", audit_target(person))


def audit_target(person: CarePerson) -> str:
    return f"#{person.id} {person.name}"


def grid_workers(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(
        User.role == Role.GRID_WORKER.value, User.active.is_(True)).order_by(User.name)))


def _check(session: Session, values: dict, person: CarePerson | None) -> None:
    worker_id = values.get("grid_worker_id")
    if worker_id:
        worker = session.get(User, worker_id)
        if worker is None or not worker.can(Permission.VISIT_CARE):
            raise DomainError(_l("Choose a grid worker from the list."), "grid_worker_id")
    key = natural_key(values["name"], values.get("phone"), values["building"],
                      values.get("unit"), values.get("room"))
    clash = session.scalars(select(CarePerson.id).where(CarePerson.natural_key == key)).first()
    if clash is not None and (person is None or clash != person.id):
        raise DomainError(_l("This person is already on the register."),
                          "phone" if values.get("phone") else "name")
    values["natural_key"] = key


def _linked_user(session: Session, phone: str | None) -> int | None:
    """Their portal account, when they have one under this phone number."""
    if not phone:
        return None
    return session.scalars(select(User.id).where(User.phone == phone,
                                                 User.role == Role.RESIDENT.value)).first()


def _clean(values: dict) -> dict:
    cleaned = {name: values.get(name) for name in FIELDS}
    for name in ("categories", "needs"):
        cleaned[name] = ",".join(values.get(name) or ())
    for name in ("phone", "unit", "room", "health", "id_number", "contacts", "notes"):
        cleaned[name] = cleaned[name] or None
    cleaned["grid_worker_id"] = cleaned["grid_worker_id"] or None
    return cleaned


def add_person(session: Session, actor, values: dict, today: date) -> CarePerson:
    """A new file. The legal basis and the day it was given are required (PIPL Art. 29)."""
    values = _clean(values)
    if not values.get("legal_basis") or not values.get("consent_on"):
        raise DomainError(_l("Record the person's consent, or the legal basis, first."),
                          "legal_basis")
    _check(session, values, None)
    person = CarePerson(**values, user_id=_linked_user(session, values["phone"]),
                        next_visit_on=today)
    session.add(person)
    session.flush()
    session.add(CareChange(person_id=person.id, actor_id=actor.id, fields="*"))
    record(session, actor, AREA, "person_added", audit_target(person))
    return person


def update_person(session: Session, actor, person: CarePerson, values: dict,
                  version: int) -> list[str]:
    """Change a file; the history names the fields changed (sensitive ones by name only)."""
    if version != person.version:
        raise DomainError(_l("Someone else changed this file meanwhile. Check it and save "
                             "again."))
    values = _clean(values)
    _check(session, values, person)
    changed = [name for name in (*FIELDS, "natural_key")
               if getattr(person, name) != values[name]]
    if not changed:
        return []
    for name in changed:
        setattr(person, name, values[name])
    if "frequency" in changed and person.last_visit_on:
        person.next_visit_on = person.last_visit_on + timedelta(
            days=VisitFrequency(person.frequency).days)
    person.user_id = _linked_user(session, person.phone)
    person.version += 1
    shown = [name for name in changed if name != "natural_key"]
    session.add(CareChange(person_id=person.id, actor_id=actor.id, fields=",".join(shown)))
    record(session, actor, AREA, "person_edited", audit_target(person), ", ".join(shown))
    return shown


def history(session: Session, person: CarePerson) -> list[tuple[CareChange, User | None]]:
    return list(session.execute(
        select(CareChange, User).outerjoin(User, User.id == CareChange.actor_id)
        .where(CareChange.person_id == person.id)
        .order_by(CareChange.at.desc(), CareChange.id.desc()).limit(50)))


def names_of(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {row.id: row.name for row in rows}
