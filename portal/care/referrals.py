"""Referrals between roles (转介, 跨岗联动): a worker hands a case (a person in care, or a
request) to another role with a note and a deadline in working days; the receiving role takes
it and records the outcome, which goes back to whoever referred it.

Who sees a referral: whoever keeps the register (MANAGE_CARE: civil affairs, the deputy
director, the director) sees all; anyone else with REFER_CASES sees those they sent, those sent
to their own role, and those about the people of their own grid. Anyone else's is None here
(the view answers 404). The note and the outcome may hold sensitive facts: both are stored
encrypted, and every opening and change is a line in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, true, update
from sqlalchemy.orm import Session, aliased, joinedload

from portal.accounts.models import User
from portal.accounts.roles import Permission, Role
from portal.audit.service import record
from portal.care.models import CarePerson, CareReferral, ReferralStatus
from portal.care.service import AREA
from portal.errors import DomainError
from portal.notifications.service import in_each_language, notify
from portal.registry import AuditAction
from portal.web.i18n import format_deadline

CONFIG_DEFAULTS = {"REFERRAL_DUE_WORKDAYS": 3}
# The roles a case can be handed to: aid, disputes and safety, activities, oversight.
TO_ROLES = (Role.CIVIL_AFFAIRS, Role.GOVERNANCE, Role.CULTURE, Role.DEPUTY_DIRECTOR)
UNFINISHED = ("open", "accepted")
ENDINGS = ("done", "declined")
NOTE_LENGTH = 1000
OVERDUE_BATCH = 200

AUDIT_ACTIONS = tuple(AuditAction(AREA, key, label) for key, label in (
    ("referral_made", _l("Referred a case to another role")),
    ("referral_accepted", _l("Took a referral")),
    ("referral_closed", _l("Recorded the outcome of a referral")),
    ("aid_on_behalf", _l("Started an aid application on a family's behalf")),
))

REFERRED = _l("%(name)s referred a case to you (%(about)s). Please deal with it by %(due)s.")
CAME_BACK = _l("Your referral to %(role)s (%(about)s) came back: %(status)s.")
OVERDUE = _l("The referral to %(role)s (%(about)s) is past its deadline, %(due)s.")


def sees_all(user) -> bool:
    return user.can(Permission.MANAGE_CARE)


def scope(user):
    if sees_all(user):
        return true()
    own_grid = select(CarePerson.id).where(CarePerson.grid_worker_id == user.id)
    return or_(CareReferral.referrer_id == user.id, CareReferral.to_role == user.role,
               CareReferral.person_id.in_(own_grid))


def may_handle(user, referral: CareReferral) -> bool:
    """Only the role it was sent to takes it and says how it ended."""
    return user.role == referral.to_role


def role_choices(user) -> list:
    return Role.choices(members=[role for role in TO_ROLES if role.value != user.role])


def due_workdays() -> int:
    return int(current_app.config.get("REFERRAL_DUE_WORKDAYS", 3))


def _link(referral: CareReferral) -> str:
    return f"/staff/care/referrals/{referral.id}"


def about(referral: CareReferral, person=None, request_ref: str | None = None) -> str:
    """What it is about, in the words staff notices use: never the note."""
    if request_ref:
        return request_ref
    if person is not None:
        return f"{person.name} · {person.building}"
    return f"#{referral.id}"


def _audit(session, actor, action, referral, about_text, detail="") -> None:
    record(session, actor, AREA, action, f"#{referral.id} {about_text}", detail)


def _role_label(role: str):
    return in_each_language(lambda: Role(role).label)


def _staff_of(session: Session, role: str) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == role,
                                                      User.active.is_(True))))


def refer(session: Session, actor, *, to_role: str, note: str, today: date,
          person: CarePerson | None = None, request=None, visit=None) -> CareReferral:
    """Hand a case to another role, due in REFERRAL_DUE_WORKDAYS working days."""
    from portal.aid.service import add_working_days

    if to_role not in {choice.value for choice in role_choices(actor)}:
        raise DomainError(_l("Choose the colleague's role to refer it to."), "to_role")
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Write what your colleague should know."), "note")
    if len(note) > NOTE_LENGTH:
        raise DomainError(_l("Use at most %(max)d characters.", max=NOTE_LENGTH), "note")
    if (person is None) == (request is None):
        raise DomainError(_l("A referral is about one person or one request."))
    referral = CareReferral(
        person_id=person.id if person else None, request_id=request.id if request else None,
        visit_id=visit.id if visit is not None else None, to_role=to_role,
        referrer_id=actor.id, note=note, status="open",
        due_on=add_working_days(session, today, due_workdays()))
    session.add(referral)
    session.flush()
    text = about(referral, person, request.ref if request is not None else None)
    _audit(session, actor, "referral_made", referral, text, to_role)
    notify(session, [uid for uid in _staff_of(session, to_role) if uid != actor.id], REFERRED,
           link=_link(referral), name=actor.name, about=text,
           due=in_each_language(lambda: format_deadline(referral.due_on)))
    if request is not None:
        from portal.service_requests.service import referral_event

        referral_event(session, request, actor, "referral", to_role)
    return referral


def _move(session: Session, referral: CareReferral, allowed: tuple[str, ...], to: str,
          **values) -> None:
    """Change the status only if it still is one of ``allowed`` (two people at once)."""
    if referral.status not in allowed:
        raise DomainError(_l("This referral is already “%(status)s”.",
                             status=referral.status_enum.label))
    result = session.execute(
        update(CareReferral)
        .where(CareReferral.id == referral.id, CareReferral.status.in_(allowed))
        .values(status=to).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DomainError(_l("Someone else changed this referral just now. Please reload."))
    referral.status = to
    for name, value in values.items():
        setattr(referral, name, value)


def accept(session: Session, actor, referral: CareReferral, now: datetime,
           about_text: str, check_role: bool = True) -> None:
    if check_role and not may_handle(actor, referral):
        raise DomainError(_l("Only the role it was referred to can take it."))
    _move(session, referral, ("open",), "accepted", accepted_at=now, handler_id=actor.id)
    _audit(session, actor, "referral_accepted", referral, about_text)


def close(session: Session, actor, referral: CareReferral, *, status: str, outcome: str,
          now: datetime, about_text: str, request=None, check_role: bool = True) -> None:
    """Done or declined, with what was done: the referrer is told, and reads it there."""
    if check_role and not may_handle(actor, referral):
        raise DomainError(_l("Only the role it was referred to can record its outcome."))
    if status not in ENDINGS:
        raise DomainError(_l("Choose how it ended."), "status")
    outcome = (outcome or "").strip()
    if not outcome:
        raise DomainError(_l("Write what was done: it goes back to whoever referred it."),
                          "outcome")
    if len(outcome) > NOTE_LENGTH:
        raise DomainError(_l("Use at most %(max)d characters.", max=NOTE_LENGTH), "outcome")
    _move(session, referral, UNFINISHED, status, closed_at=now, outcome=outcome,
          handler_id=referral.handler_id or actor.id,
          accepted_at=referral.accepted_at or now)
    _audit(session, actor, "referral_closed", referral, about_text, status)
    if referral.referrer_id and referral.referrer_id != actor.id:
        label = ReferralStatus(status)
        notify(session, referral.referrer_id, CAME_BACK, link=_link(referral),
               role=_role_label(referral.to_role), about=about_text,
               status=in_each_language(lambda: label.label))
    if request is not None:
        from portal.service_requests.service import referral_event

        referral_event(session, request, actor, "referral_outcome", status)


def opened(session: Session, user, referral: CareReferral, about_text: str) -> None:
    _audit(session, user, "view", referral, about_text)


# --- reading -------------------------------------------------------------------------------

LISTS = ("incoming", "sent", "all")
Referrer = aliased(User)


def tell_overdue(session: Session, today: date, now: datetime) -> int:
    """Unfinished referrals past their day: the receiving role's staff and the referrer are
    told, once each (``overdue_told_at``; rows taken FOR UPDATE SKIP LOCKED)."""
    from portal.service_requests.models import ServiceRequest

    rows = session.execute(
        select(CareReferral, CarePerson, ServiceRequest.ref)
        .outerjoin(CarePerson, CarePerson.id == CareReferral.person_id)
        .outerjoin(ServiceRequest, ServiceRequest.id == CareReferral.request_id)
        .where(CareReferral.status.in_(UNFINISHED), CareReferral.overdue_told_at.is_(None),
               CareReferral.due_on < today)
        .order_by(CareReferral.id).limit(OVERDUE_BATCH)
        .with_for_update(skip_locked=True, of=CareReferral)).all()
    staff: dict[str, list[int]] = {}
    for referral, person, ref in rows:
        referral.overdue_told_at = now
        if referral.to_role not in staff:
            staff[referral.to_role] = _staff_of(session, referral.to_role)
        told = [*staff[referral.to_role], *([referral.referrer_id] if referral.referrer_id
                                           else [])]
        notify(session, list(dict.fromkeys(told)), OVERDUE, link=_link(referral),
               role=_role_label(referral.to_role), about=about(referral, person, ref),
               due=in_each_language(lambda r=referral: format_deadline(r.due_on)))
    return len(rows)


def list_statement(user, which: str):
    """(referral, person, request ref, referrer's name): unfinished first by deadline, then
    those that came back, the latest first. One statement a page."""
    from portal.service_requests.models import ServiceRequest

    statement = (select(CareReferral, CarePerson, ServiceRequest.ref, Referrer.name)
                 .outerjoin(CarePerson, CarePerson.id == CareReferral.person_id)
                 .outerjoin(ServiceRequest, ServiceRequest.id == CareReferral.request_id)
                 .outerjoin(Referrer, Referrer.id == CareReferral.referrer_id)
                 .where(scope(user)))
    if which == "incoming":
        statement = statement.where(CareReferral.to_role == user.role)
    elif which == "sent":
        statement = statement.where(CareReferral.referrer_id == user.id)
    return statement.order_by(CareReferral.closed_at.is_not(None),
                              CareReferral.closed_at.desc(), CareReferral.due_on,
                              CareReferral.id)


def get(session: Session, user, referral_id: int):
    """(referral, person, request, referrer), or None when it is not this user's to see."""
    from portal.service_requests.models import ServiceRequest

    row = session.execute(
        select(CareReferral, CarePerson, ServiceRequest, Referrer)
        .outerjoin(CarePerson, CarePerson.id == CareReferral.person_id)
        .outerjoin(ServiceRequest, ServiceRequest.id == CareReferral.request_id)
        .outerjoin(Referrer, Referrer.id == CareReferral.referrer_id)
        .where(CareReferral.id == referral_id, scope(user))
        # The request's category is joined inner by default, which would drop a referral
        # about a person: an outer join here.
        .options(joinedload(ServiceRequest.category, innerjoin=False))).first()
    return tuple(row) if row is not None else None


def of_person(session: Session, person_id: int) -> list[CareReferral]:
    return list(session.scalars(select(CareReferral).where(CareReferral.person_id == person_id)
                                .order_by(CareReferral.created_at.desc()).limit(20)))


def of_request(session: Session, request_id: int) -> list[CareReferral]:
    return list(session.scalars(select(CareReferral)
                                .where(CareReferral.request_id == request_id)
                                .order_by(CareReferral.created_at.desc()).limit(20)))


def panel(session: Session, user, today: date) -> dict:
    """The staff-home counts: sent to my role and not finished, overdue among them, and mine
    that came back. Stops at 999."""
    mine_open = and_(CareReferral.to_role == user.role, CareReferral.closed_at.is_(None))
    waiting, overdue = session.execute(select(
        func.count(), func.coalesce(func.sum(case((CareReferral.due_on < today, 1),
                                                  else_=0)), 0)).where(mine_open)).one()
    return {"waiting": min(int(waiting), 999), "overdue": min(int(overdue), 999)}
