"""What residents see: their own requests in full, the public summary of the ones they follow,
the similar-request hint, and who may see a request's photos.

A request has a public summary (category, building, status, the office's public replies and
status changes, the dates) and private details (description, exact location, photos, the
rating, who sent it). Only the owner and the staff whose scope includes the request see the
private details. Following, the hint, the board and the API get the summary: a
``RequestSummary`` has no field that could carry a private detail, so no template can show one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, exists, select, union
from sqlalchemy.orm import Session, lazyload, selectinload

from portal.service_requests.models import (
    RequestCategory,
    RequestEvent,
    RequestFollower,
    RequestPhoto,
    ServiceRequest,
)
from portal.service_requests.service.queue import staff_scope
from portal.service_requests.service.rules import OPEN

# The timeline a follower reads: status changes, and the office's public replies (with the
# notes staff wrote for residents). Not the owner's rating, nor anything staff-only.
SUMMARY_EVENT_KINDS = ("status", "reply")


@dataclass(frozen=True)
class RequestSummary:
    ref: str
    category: RequestCategory
    building: str
    status: str
    role: str
    created_at: datetime
    last_activity_at: datetime
    respond_by: datetime
    resolve_by: datetime
    merged_into_ref: str | None = None
    events: tuple[RequestEvent, ...] = field(default_factory=tuple)


def summary_of(request: ServiceRequest, events=()) -> RequestSummary:
    return RequestSummary(
        ref=request.ref, category=request.category, building=request.building,
        status=request.status, role=request.role, created_at=request.created_at,
        last_activity_at=request.last_activity_at, respond_by=request.respond_by,
        resolve_by=request.resolve_by,
        merged_into_ref=request.merged_into.ref if request.merged_into_id else None,
        events=tuple(events))


def summary_timeline(session: Session, request_id: int) -> list[RequestEvent]:
    return list(session.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id == request_id, RequestEvent.public.is_(True),
               RequestEvent.kind.in_(SUMMARY_EVENT_KINDS))
        .order_by(RequestEvent.created_at, RequestEvent.id)))


def public_summary(session: Session, request: ServiceRequest) -> RequestSummary:
    """The request as anyone following it may know it, with its public timeline."""
    return summary_of(request, summary_timeline(session, request.id))


def public_summaries(session: Session, requests: list[ServiceRequest]) -> list[RequestSummary]:
    """``public_summary`` for many requests at once: their public timelines in one query.
    Load the requests with ``SUMMARY_OPTIONS`` so that none costs a query of its own."""
    by_request: dict[int, list[RequestEvent]] = {item.id: [] for item in requests}
    if by_request:
        for event in session.scalars(
                select(RequestEvent).options(lazyload(RequestEvent.actor))
                .where(RequestEvent.request_id.in_(list(by_request)),
                       RequestEvent.public.is_(True),
                       RequestEvent.kind.in_(SUMMARY_EVENT_KINDS))
                .order_by(RequestEvent.created_at, RequestEvent.id)):
            by_request[event.request_id].append(event)
    return [summary_of(item, by_request[item.id]) for item in requests]


# What summary_of reads beyond the request's own columns: the request it was merged into.
SUMMARY_OPTIONS = (selectinload(ServiceRequest.merged_into),)


def similar_open(session: Session, building: str, category_id: int,
                 limit: int = 5) -> list[RequestSummary]:
    """Open requests in the building and category the person chose: maybe the same problem.

    Summaries only: they tell a neighbour that the problem is known and being handled, and
    let them follow it, without anything the person who reported it wrote.
    """
    if not building or not category_id:
        return []
    return [summary_of(item) for item in session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.building == building, ServiceRequest.category_id == category_id,
               ServiceRequest.status.in_(OPEN))
        .order_by(ServiceRequest.created_at.desc()).limit(limit))]


def _resident_clause(user_id: int):
    # One id list from two indexes (owner, follower) rather than "owner OR followed": an OR
    # across two tables makes PostgreSQL read every request.
    owned = select(ServiceRequest.id).where(ServiceRequest.owner_id == user_id)
    followed = select(RequestFollower.request_id).where(RequestFollower.user_id == user_id)
    return ServiceRequest.id.in_(union(owned, followed))


def resident_statement(user_id: int) -> Select:
    """My requests and the ones I follow, newest activity first."""
    return (select(ServiceRequest).where(_resident_clause(user_id))
            .order_by(ServiceRequest.last_activity_at.desc(), ServiceRequest.id.desc()))


def own_request(session: Session, owner_id: int, ref: str) -> ServiceRequest | None:
    """The whole request, for the person who sent it; None for anyone else."""
    return session.scalar(select(ServiceRequest).where(ServiceRequest.ref == ref,
                                                       ServiceRequest.owner_id == owner_id))


def followed_summary(session: Session, user_id: int, ref: str) -> RequestSummary | None:
    """The public summary of a request this person follows; None (a 404) otherwise."""
    followed = select(RequestFollower.request_id).where(RequestFollower.user_id == user_id)
    request = session.scalar(select(ServiceRequest).where(ServiceRequest.ref == ref,
                                                          ServiceRequest.id.in_(followed)))
    return public_summary(session, request) if request is not None else None


def owned_refs(session: Session, owner_id: int, refs: list[str]) -> set[str]:
    return set(session.scalars(select(ServiceRequest.ref).where(
        ServiceRequest.ref.in_(refs), ServiceRequest.owner_id == owner_id)))


def as_seen_by(request: ServiceRequest, user_id: int) -> ServiceRequest | RequestSummary:
    """The request itself for its owner, its summary (without a timeline) for a follower."""
    return request if request.owner_id == user_id else summary_of(request)


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
    """The files access rule: the staff whose scope includes the request (the owner, who
    uploaded the photo, is let through before this rule). Followers never: photos are private
    details."""
    if user is None or not user.is_authenticated:
        return False
    request_id = select(RequestPhoto.request_id).where(RequestPhoto.file_id == stored.id)
    return bool(session.scalar(select(exists().where(ServiceRequest.id.in_(request_id),
                                                     staff_scope(user)))))
