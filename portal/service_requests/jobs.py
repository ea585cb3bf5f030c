"""The requests area's periodic jobs: auto-closing and deadline escalations. (The monthly
report is the figures area's job.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.notifications.service import notify
from portal.service_requests.models import ServiceRequest
from portal.service_requests.service import (
    OPEN,
    close_resolved_unrated,
    escalate_long_overdue,
)

PAST_DEADLINE = _l("Request %(ref)s has passed its deadline and needs someone now.")


def close_resolved(session: Session, since=None, now=None) -> str:
    return f"closed {close_resolved_unrated(session, now=now)}"


def _directors(session: Session) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == Role.DIRECTOR.value,
                                                      User.active.is_(True))))


def escalate_deadlines(session: Session, since: datetime | None, now: datetime) -> str:
    """Open requests whose response or resolution deadline passed since the last run: the
    assignee and the directors are told, once per deadline (each passes in one window)."""
    since = since or now - timedelta(minutes=15)
    r = ServiceRequest
    passed = session.scalars(select(r).where(r.status.in_(OPEN), or_(
        and_(r.first_response_at.is_(None), r.respond_by > since, r.respond_by <= now),
        and_(r.resolve_by > since, r.resolve_by <= now)))).all()
    directors = _directors(session) if passed else []
    for item in passed:
        recipients = [*([item.assignee_id] if item.assignee_id else []), *directors]
        notify(session, recipients, PAST_DEADLINE, link=f"/staff/requests/{item.ref}",
               outbox=False, ref=item.ref)
    return f"escalated {len(passed)}"


def escalate_overdue(session: Session, since: datetime | None, now: datetime) -> str:
    """Requests overdue by more than REQUEST_ESCALATE_AFTER_HOURS go to the deputy directors,
    each once (rows taken FOR UPDATE SKIP LOCKED)."""
    return f"escalated {escalate_long_overdue(session, now=now)} to the deputy directors"
