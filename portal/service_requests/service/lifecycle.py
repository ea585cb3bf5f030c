"""A request's life: submitting, following, every status change, replies, assignment,
merging (a resident's rating or dispute of a resolved one: ``reopened``). Every action lands
on the timeline (``RequestEvent``); status changes and public replies notify the owner and
the followers, each in the words they may read (``messages``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Permission
from portal.clock import local_day, next_daily_number, utcnow
from portal.errors import DomainError
from portal.service_requests.models import (
    RequestCategory,
    RequestEvent,
    RequestFollower,
    RequestPhoto,
    ServiceRequest,
)
from portal.service_requests.service.messages import (
    ACCEPTED_WITH_REPLY,
    REOPENED,
    REPLY,
    tell,
)
from portal.service_requests.service.queue import index_text
from portal.service_requests.service.rules import (
    ACCEPTED,
    CLOSED,
    DUPLICATE,
    IN_PROGRESS,
    OPEN,
    OWNER,
    REF_PREFIX,
    REJECTED,
    RESOLVED,
    STAFF,
    STATUS_LABELS,
    SUBMITTED,
    SYSTEM,
    TRANSFERRED,
    TRIAGE_ROLES,
    WITH_STREET,
    WITHDRAWN,
    check_transition,
)
from portal.service_requests.service.sla import (
    Sla,
    office_holidays,
    priority_for,
)


def find_by_key(session: Session, owner_id: int, key: str) -> ServiceRequest | None:
    return session.scalar(select(ServiceRequest).where(
        ServiceRequest.idempotency_key == key, ServiceRequest.owner_id == owner_id))


def submit(session: Session, owner: User | None, *, category: RequestCategory, description: str,
           building: str, location: str, urgent: bool, many_households: bool,
           idempotency_key: str, photos: Iterable = (), now: datetime | None = None,
           sla: Sla | None = None, channel: str = "web",
           external_ref: str | None = None,
           recorded_by: User | None = None) -> ServiceRequest:
    """File a request. ``owner`` is None when it comes from outside (the API) on behalf of
    someone with no account: nobody is then told of its progress in the portal.
    ``recorded_by``: the staff member who typed it in (代录, a patrol), its first actor."""
    now = now or utcnow()
    sla = sla or Sla.from_config()
    priority = priority_for(urgent, many_households)
    respond_by, resolve_by = sla.deadlines(now, priority, office_holidays(session))
    request = ServiceRequest(
        ref=next_daily_number(session, REF_PREFIX, local_day(now)), idempotency_key=idempotency_key,
        owner_id=owner.id if owner else None, channel=channel, external_ref=external_ref,
        category_id=category.id, category=category, description=description, building=building,
        location=location, urgent=urgent, many_households=many_households, priority=priority,
        status=SUBMITTED, role=category.role, created_at=now, respond_by=respond_by,
        resolve_by=resolve_by, last_activity_at=now)
    session.add(request)
    session.flush()
    for stored in photos:
        stored.attached = True
        session.add(RequestPhoto(request_id=request.id, file_id=stored.id))
    _event(session, request, recorded_by or owner, "status", public=True, to_status=SUBMITTED,
           now=now)
    index_text(session, request)
    session.flush()
    return request


def follow(session: Session, user: User, request: ServiceRequest) -> bool:
    """Follow an open request: its public summary and its news, never its private details,
    so nothing about the follower (their building included) needs checking. False when
    already following or owning."""
    if request.status not in OPEN:
        raise DomainError(_l("You can only follow a request that is still open."))
    if request.owner_id == user.id or is_follower(session, request.id, user.id):
        return False
    session.add(RequestFollower(request_id=request.id, user_id=user.id))
    _event(session, request, user, "follow", public=False)
    return True


def is_follower(session: Session, request_id: int, user_id: int) -> bool:
    return bool(session.scalar(select(exists().where(
        RequestFollower.request_id == request_id, RequestFollower.user_id == user_id))))


def follower_ids(session: Session, request_id: int) -> list[int]:
    return list(session.scalars(select(RequestFollower.user_id)
                                .where(RequestFollower.request_id == request_id)))


def _event(session, request, actor, kind, *, public, from_status=None, to_status=None,
           body=None, now=None) -> RequestEvent:
    now = now or utcnow()
    event = RequestEvent(request_id=request.id, actor_id=actor.id if actor else None, kind=kind,
                         public=public, from_status=from_status, to_status=to_status,
                         body=body, created_at=now)
    session.add(event)
    request.last_activity_at = now
    return event


def _audit(session, staff, action, request, detail="") -> None:
    """Staff actions also go to the one audit log (the timeline stays the request's story)."""
    from portal.audit.service import record

    record(session, staff, "requests", action, request.ref, detail)


def _audience(session, request, actor) -> list[int]:
    ids = [request.owner_id, *follower_ids(session, request.id)]
    return [uid for uid in dict.fromkeys(ids)
            if uid is not None and (actor is None or uid != actor.id)]


def _notify(session, request, actor, what: str) -> None:
    tell(session, request, what, _audience(session, request, actor))


def check_not_merged(request: ServiceRequest) -> None:
    """A merged request is read-only: its work goes on in the one it joined."""
    if request.status == DUPLICATE:
        target = request.merged_into.ref if request.merged_into else ""
        raise DomainError(_l("This request was merged into %(target)s: it can't be changed. "
                             "Work on that one.", target=target))


def _first_response(request, now) -> None:
    if request.first_response_at is None:
        request.first_response_at = now


def transition(session: Session, request: ServiceRequest, target: str, actor: User | None, *,
               actor_kind: str = STAFF, note: str | None = None,
               transferred_to: str | None = None, street_ref: str | None = None,
               now: datetime | None = None, told: bool = True) -> None:
    """Move a request along an allowed edge, stamp the times, record it, tell the residents
    (unless ``told`` is False: the caller tells them in one message with what follows).

    While a request is with the street office its deadlines stand still: coming back, they
    move on by the time it spent there, so the community is judged on its own time only."""
    now = now or utcnow()
    check_not_merged(request)
    check_transition(request.status, target, actor_kind)
    if target == REJECTED and not note:
        raise DomainError(_l("Give the reason the request can't be accepted."))
    if target == TRANSFERRED and not transferred_to:
        raise DomainError(_l("Say which office the request is passed to."))
    if target == WITH_STREET:
        if not street_ref:
            raise DomainError(_l("Enter the street office's reference for it."),
                              field="street_ref")
        request.street_ref, request.street_at = street_ref, now
    if target == DUPLICATE:
        raise DomainError(_l("Use “merge” to mark a request as a duplicate."))
    if request.status == WITH_STREET and request.street_at is not None:
        paused = now - request.street_at
        request.respond_by, request.resolve_by = (request.respond_by + paused,
                                                  request.resolve_by + paused)
    current = request.status
    request.status = target
    if actor_kind == STAFF:
        _first_response(request, now)
        _audit(session, actor, f"to_{target}", request)
    if target == ACCEPTED:
        request.accepted_at = now
    elif target == RESOLVED:
        request.resolved_at = now
        request.accepted_at = request.accepted_at or now
    elif target in (CLOSED, REJECTED, TRANSFERRED, WITHDRAWN):
        request.closed_at = now
    if target in (REJECTED, TRANSFERRED):
        request.outcome_note = note
        request.transferred_to = transferred_to
    if target == WITH_STREET:  # staff only: the street office's own reference
        _event(session, request, actor, "street", public=False, body=street_ref, now=now)
    _event(session, request, actor, "status", public=True, from_status=current,
           to_status=target, body=note if target != TRANSFERRED else
           f"{transferred_to}: {note}" if note else transferred_to, now=now)
    if told:
        _notify(session, request, actor,
                REOPENED if (current, target) == (RESOLVED, IN_PROGRESS) else target)


# Staff moves a resident reads as the end of their request: the back office asks to confirm
# them, and they always carry a word to the resident.
ENDING_BY_STAFF = (RESOLVED, REJECTED, CLOSED)


def check_staff_change(request: ServiceRequest, target: str, note: str | None) -> None:
    """What the back office's status form may not send: the status the request has already,
    a move the table forbids, or an ending with nothing said to the resident."""
    if target == request.status:
        raise DomainError(_l("It is “%(status)s” already. Choose the status it moves to.",
                             status=STATUS_LABELS[target]), field="status")
    check_transition(request.status, target, STAFF)
    if target in ENDING_BY_STAFF and not (note or "").strip():
        raise DomainError(_l("Write what the resident is told: they see it with the new "
                             "status."), field="note")


def withdraw(session: Session, request: ServiceRequest, owner: User, now=None) -> None:
    if request.owner_id != owner.id:
        raise DomainError(_l("Only the person who sent a request can withdraw it."))
    transition(session, request, WITHDRAWN, owner, actor_kind=OWNER, now=now)


def close_resolved_unrated(session: Session, now: datetime | None = None,
                           sla: Sla | None = None, request: ServiceRequest | None = None) -> int:
    """Close resolved requests left unrated for the rating window; returns how many.

    Given ``request``, closes only that one (the lazy check when someone opens it).
    """
    now = now or utcnow()
    sla = sla or Sla.from_config()
    cutoff = now - timedelta(days=sla.rating_days)
    if request is not None:
        candidates = [request] if (request.status == RESOLVED and request.resolved_at
                                   and request.resolved_at <= cutoff) else []
    else:
        candidates = list(session.scalars(select(ServiceRequest).where(
            ServiceRequest.status == RESOLVED, ServiceRequest.resolved_at <= cutoff)))
    for item in candidates:
        transition(session, item, CLOSED, None, actor_kind=SYSTEM, now=now)
    return len(candidates)


def reply(session: Session, request: ServiceRequest, staff: User, body: str, *,
          public: bool, now: datetime | None = None, told: bool = True) -> None:
    """A public reply (residents see it and are told) or an internal note (staff only)."""
    now = now or utcnow()
    check_not_merged(request)
    if public:
        _first_response(request, now)
    _audit(session, staff, "reply" if public else "note", request)
    _event(session, request, staff, "reply" if public else "note", public=public, body=body,
           now=now)
    if public and told:
        _notify(session, request, staff, REPLY)


def take_and_reply(session: Session, request: ServiceRequest, staff: User, body: str,
                   now: datetime | None = None) -> None:
    """Claim, accept and answer in one: what the morning's triage does to each new request.
    Each step is the one of its own (timeline, audit, residents told); a refusal raises
    before the view commits, so the request is never half-taken."""
    if request.status not in OPEN:
        raise DomainError(_l("It is “%(status)s”: there is nothing left to take on.",
                             status=STATUS_LABELS[request.status]))
    now = now or utcnow()
    if request.assignee_id != staff.id:
        assign(session, request, staff, staff, now=now)
    accepting = request.status == SUBMITTED
    if accepting:
        transition(session, request, ACCEPTED, staff, now=now, told=False)
    reply(session, request, staff, body, public=True, now=now, told=not accepting)
    if accepting:
        _notify(session, request, staff, ACCEPTED_WITH_REPLY)


def referral_event(session: Session, request: ServiceRequest, staff: User, kind: str,
                   body: str) -> None:
    """A line on the staff timeline when the request is referred to another role (``body``
    the role) or the referral comes back (``body`` how it ended); the note stays with the
    referral, encrypted."""
    _event(session, request, staff, kind, public=False, body=body)


def may_assign_to_others(user: User) -> bool:
    return user.can(Permission.ASSIGN_REQUESTS)


def assign(session: Session, request: ServiceRequest, staff: User, assignee: User | None,
           now=None) -> None:
    check_not_merged(request)
    if assignee is not None and assignee.id != staff.id and not may_assign_to_others(staff):
        raise DomainError(_l("You can take a request yourself, but only the director can "
                              "assign it to someone else."))
    if assignee is not None and (not assignee.active or assignee.role not in TRIAGE_ROLES):
        raise DomainError(_l("Choose a staff member who handles requests."))
    request.assignee_id = assignee.id if assignee else None
    request.assignee = assignee
    _audit(session, staff, "assign", request, assignee.name if assignee else "")
    _event(session, request, staff, "assign", public=False,
           body=assignee.name if assignee else None, now=now)


def change_category_priority(session: Session, request: ServiceRequest, staff: User,
                             category: RequestCategory, priority: int,
                             sla: Sla | None = None, now=None) -> None:
    """Recategorise (which re-routes to the category's team) and reprioritise (new deadlines)."""
    sla = sla or Sla.from_config()
    check_not_merged(request)
    if priority not in (1, 2, 3):
        raise DomainError(_l("Choose a priority."))
    changes = []
    if category.id != request.category_id:
        changes.append(f"{request.category.name_zh} → {category.name_zh}")
        request.category_id, request.category, request.role = category.id, category, category.role
    if priority != request.priority:
        changes.append(f"P{request.priority} → P{priority}")
        request.priority = priority
        request.respond_by, request.resolve_by = sla.deadlines(
            request.created_at, priority, office_holidays(session))
    if changes:
        _event(session, request, staff, "edit", public=False, body="; ".join(changes), now=now)
        _audit(session, staff, "edit", request, "; ".join(changes))


def check_merge(request: ServiceRequest, target: ServiceRequest) -> None:
    """Why ``request`` can't join ``target``, if it can't (asked before confirming too)."""
    check_not_merged(request)
    if target.id == request.id:
        raise DomainError(_l("A request can't be merged into itself."))
    if target.status not in OPEN:
        raise DomainError(_l("Merge only into a request that is still open."))
    check_transition(request.status, DUPLICATE, STAFF)


def merge(session: Session, request: ServiceRequest, target: ServiceRequest, staff: User,
          now=None) -> None:
    """Mark ``request`` a duplicate of ``target``: its owner and followers follow the target."""
    now = now or utcnow()
    check_merge(request, target)
    movers = [uid for uid in (request.owner_id, *follower_ids(session, request.id))
              if uid is not None]
    already = {target.owner_id, *follower_ids(session, target.id)}
    session.execute(delete(RequestFollower).where(RequestFollower.request_id == request.id))
    for user_id in dict.fromkeys(movers):
        if user_id not in already:
            session.add(RequestFollower(request_id=target.id, user_id=user_id))
    current = request.status
    request.status, request.merged_into_id, request.merged_into = DUPLICATE, target.id, target
    request.closed_at = now
    _first_response(request, now)
    _event(session, request, staff, "status", public=True, from_status=current,
           to_status=DUPLICATE, body=target.ref, now=now)
    _event(session, target, staff, "merge", public=False, body=request.ref, now=now)
    _audit(session, staff, "merge", request, target.ref)
    tell(session, request, DUPLICATE, [uid for uid in movers if uid != staff.id],
         link=f"/requests/{target.ref}", target=target.ref)
    session.flush()


def triage_staff(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role.in_(TRIAGE_ROLES),
                                                   User.active.is_(True))
                                .order_by(User.role, User.name)))
