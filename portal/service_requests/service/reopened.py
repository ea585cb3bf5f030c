"""A resident's answer to a resolved request: a rating, or "not solved yet" (a dispute). An
unhappy rating or a dispute sends it back to work: flagged for the director, a new resolution
deadline, with its handler, who is told, and listed above their queue until it is resolved
again. The timeline says why it reopened (the event just before the status change)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.clock import utcnow
from portal.errors import DomainError
from portal.satisfaction import Level
from portal.service_requests.models import RequestEvent, ServiceRequest
from portal.service_requests.service.lifecycle import _event, transition  # the one timeline writer
from portal.service_requests.service.messages import tell_handler
from portal.service_requests.service.queue import open_clause
from portal.service_requests.service.rules import (
    CLOSED,
    IN_PROGRESS,
    OWNER,
    RESOLVED,
    TRIAGE_ROLES,
)
from portal.service_requests.service.sla import Sla, office_holidays, rating_open

BACK_WITH_SHOWN = 10


def rate(session: Session, request: ServiceRequest, owner: User, level: Level,
         comment: str | None, now: datetime | None = None, sla: Sla | None = None) -> None:
    """Rate a resolved request. An unhappy rating reopens it and flags it for the director."""
    now = now or utcnow()
    _check_owner_may_answer(request, owner, now, sla,
                            _l("Only the person who sent a request can rate it."),
                            _l("This request can no longer be rated."))
    request.rating, request.rating_comment, request.rated_at = int(level), comment or None, now
    event = _event(session, request, owner, "rating", public=True, body=str(int(level)), now=now)
    if level.is_unhappy:
        from portal.figures import followups  # the figures area imports this one

        followups.open_for(session, request, event, now)
        _reopen(session, request, owner, REOPENED_BY_RATING, now, sla)
    else:
        transition(session, request, CLOSED, owner, actor_kind=OWNER, now=now)


def dispute(session: Session, request: ServiceRequest, owner: User, reason: str,
            now: datetime | None = None, sla: Sla | None = None) -> None:
    """The resident says a resolved request is not solved: it goes back to work, their
    words on the timeline (for them and staff; followers see only that it reopened)."""
    now = now or utcnow()
    _check_owner_may_answer(request, owner, now, sla,
                            _l("Only the person who sent a request can say it is not solved."),
                            _l("This request can no longer be reopened. If the problem is "
                               "still there, send a new request."))
    if not (reason or "").strip():
        raise DomainError(_l("Say what is still wrong, so the office knows what to do."),
                          field="reason")
    _event(session, request, owner, "dispute", public=True, body=reason.strip(), now=now)
    _reopen(session, request, owner, REOPENED_BY_DISPUTE, now, sla)


# Why a resolved request was reopened (the timeline reads it from the event just before).
REOPENED_BY_RATING, REOPENED_BY_DISPUTE = "rating", "dispute"


def _check_owner_may_answer(request, owner, now, sla, not_owner, too_late) -> None:
    """Rating and disputing are the owner's, while the rating window is open."""
    if request.owner_id != owner.id:
        raise DomainError(not_owner)
    if not rating_open(request, now, sla):
        raise DomainError(too_late)


def _reopen(session, request, owner, why: str, now: datetime, sla: Sla | None) -> None:
    """Back to work: flagged for the director, a new resolution deadline from now, with its
    handler (assigned to them if it was no one's), above their queue (``back_with``), and
    the handler told why."""
    sla = sla or Sla.from_config()
    request.flagged = True
    request.resolved_at = None
    request.resolve_by = sla.deadlines(now, request.priority, office_holidays(session))[1]
    transition(session, request, IN_PROGRESS, owner, actor_kind=OWNER, now=now)
    handler = _handler(session, request)
    if handler is not None and request.assignee_id is None:
        request.assignee_id, request.assignee = handler.id, handler
        _event(session, request, None, "assign", public=False, body=handler.name, now=now)
    tell_handler(session, request, why, handler.id if handler else None)


def _handler(session, request) -> User | None:
    """Whoever handles it: the assignee, else the staff member who last resolved it while
    they still handle requests."""
    if request.assignee_id is not None:
        return request.assignee
    resolver = session.scalar(select(User).join(RequestEvent, RequestEvent.actor_id == User.id)
                              .where(RequestEvent.request_id == request.id,
                                     RequestEvent.kind == "status",
                                     RequestEvent.to_status == RESOLVED)
                              .order_by(RequestEvent.created_at.desc()).limit(1))
    if resolver is None or not resolver.active or resolver.role not in TRIAGE_ROLES:
        return None
    return resolver


def back_with(session: Session, user: User) -> list[ServiceRequest]:
    """The open reopened requests assigned to ``user``, the nearest deadline first: a range
    of the partial index over open requests by assignee.

    The ids are chosen in a subquery of their own: with the category joined in (the model
    loads it eagerly), SQLite walked every category and each one's open requests instead
    (9 ms a queue page at 100,000 requests, for a list that is usually empty)."""
    order = (ServiceRequest.resolve_by, ServiceRequest.id)
    chosen = (select(ServiceRequest.id)
              .where(open_clause(), ServiceRequest.assignee_id == user.id,
                     ServiceRequest.flagged.is_(True))
              .order_by(*order).limit(BACK_WITH_SHOWN))
    return list(session.scalars(
        select(ServiceRequest).where(ServiceRequest.id.in_(chosen)).order_by(*order)))
