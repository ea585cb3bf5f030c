"""Chasing and escalation: the director's urge (催办) with a new deadline, the scheduler's
escalation of long-overdue requests to the deputy directors, and 上报街道 (the street office
takes it over for a while; staff record its answer and resolve or carry on)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.oversight import deputies_for
from portal.accounts.roles import Permission
from portal.clock import utcnow
from portal.errors import DomainError
from portal.notifications.service import in_each_language, notify
from portal.service_requests.models import ServiceRequest
from portal.service_requests.service.lifecycle import _audit, _event, transition
from portal.service_requests.service.messages import ESCALATED, URGED, public_what
from portal.service_requests.service.queue import open_clause
from portal.service_requests.service.rules import (
    IN_PROGRESS,
    OPEN,
    RESOLVED,
    UNFINISHED,
    WITH_STREET,
)
from portal.web.i18n import format_moment

ESCALATION_BATCH = 200  # a run takes at most this many; the next run takes the rest


def _staff_link(request: ServiceRequest) -> str:
    return f"/staff/requests/{request.ref}"


def _handlers(session: Session, request: ServiceRequest) -> list[int]:
    """Who is told of an urge: the assignee, or the whole team while nobody has it."""
    if request.assignee_id:
        return [request.assignee_id]
    return list(session.scalars(select(User.id).where(User.role == request.role,
                                                      User.active.is_(True))))


def urge(session: Session, request: ServiceRequest, staff: User, note: str,
         due_at: datetime, now: datetime | None = None) -> None:
    """催办: the director or a deputy asks for it to be dealt with by ``due_at``. The
    resident's deadlines (and so the figures) stay as they were: this is the office's own
    chasing, shown in the queue and on the timeline, and told to whoever handles it."""
    now = now or utcnow()
    if not staff.can(Permission.URGE_REQUESTS):
        raise DomainError(_l("Only the director or a deputy director can urge a request."))
    if request.status not in UNFINISHED:
        raise DomainError(_l("Only a request still being dealt with can be urged."))
    if due_at <= now:
        raise DomainError(_l("Choose a deadline that is still to come."), field="due_at")
    request.urged_at, request.urge_due_at = now, due_at
    event = _event(session, request, staff, "urge", public=False, body=note, now=now)
    event.due_at = due_at
    _audit(session, staff, "urge", request, f"{format_moment(due_at)} {note}")
    notify(session, [uid for uid in _handlers(session, request) if uid != staff.id], URGED,
           link=_staff_link(request), ref=request.ref, what=public_what(request),
           name=staff.name, note=note, due=in_each_language(lambda: format_moment(due_at)))


def escalate_after(config=None) -> timedelta:
    config = config if config is not None else current_app.config
    return timedelta(hours=float(config["REQUEST_ESCALATE_AFTER_HOURS"]))


def long_overdue_clause(now: datetime, after: timedelta):
    """Open, never escalated, and past a deadline by more than ``after``."""
    r, cutoff = ServiceRequest, now - after
    return and_(open_clause(), r.escalated_at.is_(None), or_(
        and_(r.first_response_at.is_(None), r.respond_by < cutoff), r.resolve_by < cutoff))


def escalate_long_overdue(session: Session, now: datetime | None = None) -> int:
    """The scheduler's escalation: each open request overdue by more than
    REQUEST_ESCALATE_AFTER_HOURS goes to the deputy directors who oversee its team (all of
    them when none does; ``accounts.oversight``), once (``escalated_at``). The
    rows are taken FOR UPDATE SKIP LOCKED, so two servers running it at once share them
    out and never tell anyone twice."""
    now = now or utcnow()
    after = escalate_after()
    found = list(session.scalars(
        select(ServiceRequest).where(long_overdue_clause(now, after))
        .order_by(ServiceRequest.id).limit(ESCALATION_BATCH)
        .with_for_update(skip_locked=True, of=ServiceRequest)))
    if not found:
        return 0
    hours = f"{after.total_seconds() / 3600:g}"
    deputies = {role: deputies_for(session, role) for role in {r.role for r in found}}
    for request in found:
        request.escalated_at = now
        _event(session, request, None, "escalate", public=False, body=hours, now=now)
        _audit(session, None, "escalate", request, hours)
        notify(session, deputies[request.role], ESCALATED, link=_staff_link(request),
               ref=request.ref, what=public_what(request), hours=hours)
    return len(found)


def to_street_office(session: Session, request: ServiceRequest, staff: User, street_ref: str,
                     note: str | None = None, now: datetime | None = None) -> None:
    """上报街道: the resident reads 已上报街道办理; the deadlines stand still meanwhile."""
    if request.status not in OPEN:
        raise DomainError(_l("Only an open request can be escalated to the street office."))
    transition(session, request, WITH_STREET, staff, note=note or None,
               street_ref=street_ref.strip(), now=now)


STREET_OUTCOMES = (RESOLVED, IN_PROGRESS)


def street_answer(session: Session, request: ServiceRequest, staff: User, answer: str,
                  outcome: str, now: datetime | None = None) -> None:
    """The street office answered: the resident reads the answer, and the request is resolved
    (they may rate it) or comes back to the community's queue to carry on."""
    now = now or utcnow()
    if request.status != WITH_STREET:
        raise DomainError(_l("This request is not with the street office."))
    if outcome not in STREET_OUTCOMES:
        raise DomainError(_l("Choose what happens next."), field="outcome")
    if not answer.strip():
        raise DomainError(_l("Write the street office's answer: the resident reads it."),
                          field="answer")
    _audit(session, staff, "street_answer", request, request.street_ref or "")
    _event(session, request, staff, "street_answer", public=True, body=answer, now=now)
    transition(session, request, outcome, staff, now=now)
