"""Requests reopened by their resident (an unhappy rating, a dispute), back with the staff
member who handles them: listed above their queue until they are resolved again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.service_requests.models import ServiceRequest
from portal.service_requests.service.queue import open_clause

BACK_WITH_SHOWN = 10


def back_with(session: Session, user: User) -> list[ServiceRequest]:
    """The open reopened requests assigned to ``user``, the nearest deadline first: a range
    of the partial index over open requests by assignee."""
    return list(session.scalars(
        select(ServiceRequest)
        .where(open_clause(), ServiceRequest.assignee_id == user.id,
               ServiceRequest.flagged.is_(True))
        .order_by(ServiceRequest.resolve_by, ServiceRequest.id).limit(BACK_WITH_SHOWN)))
