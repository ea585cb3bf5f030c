"""What residents see: their own and followed requests, one request, its timeline and photos,
and the similar-request hint."""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Permission
from portal.service_requests.models import (
    RequestEvent,
    RequestFollower,
    RequestPhoto,
    ServiceRequest,
)
from portal.service_requests.service.rules import OPEN


def similar_open(session: Session, user: User, building: str, category_id: int,
                 limit: int = 5) -> list[ServiceRequest]:
    """Open requests in the same building and category: maybe the same problem.

    Only for the person's own building: what neighbours wrote about another building is not
    theirs to read, and they could not follow those requests anyway.
    """
    if not building or not category_id or building != (user.building or ""):
        return []
    return list(session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.building == building, ServiceRequest.category_id == category_id,
               ServiceRequest.status.in_(OPEN))
        .order_by(ServiceRequest.created_at.desc()).limit(limit)))


def _resident_clause(user_id: int):
    followed = select(RequestFollower.request_id).where(RequestFollower.user_id == user_id)
    return or_(ServiceRequest.owner_id == user_id, ServiceRequest.id.in_(followed))


def resident_statement(user_id: int) -> Select:
    """My requests and the ones I follow, newest activity first."""
    return (select(ServiceRequest).where(_resident_clause(user_id))
            .order_by(ServiceRequest.last_activity_at.desc(), ServiceRequest.id.desc()))


def get_for_resident(session: Session, user_id: int, ref: str) -> ServiceRequest | None:
    """The request if this person owns or follows it; None (a 404) for anyone else."""
    return session.scalar(select(ServiceRequest).where(ServiceRequest.ref == ref,
                                                       _resident_clause(user_id)))


def by_ref(session: Session, ref: str) -> ServiceRequest | None:
    return session.scalar(select(ServiceRequest).where(ServiceRequest.ref == ref))


def timeline(session: Session, request_id: int, public_only: bool) -> list[RequestEvent]:
    statement = (select(RequestEvent).where(RequestEvent.request_id == request_id)
                 .order_by(RequestEvent.created_at, RequestEvent.id))
    if public_only:
        statement = statement.where(RequestEvent.public.is_(True))
    return list(session.scalars(statement))


def photos(session: Session, request_id: int):
    return [photo.file for photo in session.scalars(
        select(RequestPhoto).where(RequestPhoto.request_id == request_id)
        .order_by(RequestPhoto.id))]


def may_see_photo(session: Session, user, stored) -> bool:
    """The files access rule: followers and request staff (the owner is always allowed)."""
    if user is None or not user.is_authenticated:
        return False
    if user.can(Permission.TRIAGE_REQUESTS):
        return True
    request_id = select(RequestPhoto.request_id).where(RequestPhoto.file_id == stored.id)
    return bool(session.scalar(select(exists().where(
        RequestFollower.request_id.in_(request_id), RequestFollower.user_id == user.id))))
