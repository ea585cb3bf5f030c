"""Requests: submission, the status state machine, the queue, ratings. Never commits.

Every action lands on the timeline (``RequestEvent``); status changes and public replies
notify the owner and the followers. Messages carry nothing but the reference.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, delete, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import Session, joinedload

from portal.accounts.models import User
from portal.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from portal.clock import local_day, next_daily_number, utcnow
from portal.notifications.service import notify
from portal.satisfaction import FORMULA, Level, satisfaction_rate
from portal.service_requests.models import (
    ReplyTemplate,
    RequestCategory,
    RequestEvent,
    RequestFollower,
    RequestPhoto,
    ServiceRequest,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
AREA = "requests"  # the files area whose access rule covers request photos

SUBMITTED, ACCEPTED, IN_PROGRESS, RESOLVED, CLOSED = (
    "submitted", "accepted", "in_progress", "resolved", "closed")
REJECTED, DUPLICATE, TRANSFERRED, WITHDRAWN = "rejected", "duplicate", "transferred", "withdrawn"
OPEN = (SUBMITTED, ACCEPTED, IN_PROGRESS)

STATUS_LABELS = {
    SUBMITTED: _l("Submitted"),
    ACCEPTED: _l("Accepted"),
    IN_PROGRESS: _l("Being handled"),
    RESOLVED: _l("Resolved"),
    CLOSED: _l("Closed"),
    REJECTED: _l("Not accepted"),
    DUPLICATE: _l("Merged"),
    TRANSFERRED: _l("Passed to another office"),
    WITHDRAWN: _l("Withdrawn"),
}
STATUSES = tuple(STATUS_LABELS)

# Who may move a request from one status to another: staff, the owner, or the system clock.
STAFF, OWNER, SYSTEM = "staff", "owner", "system"
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    SUBMITTED: {ACCEPTED: frozenset({STAFF}), REJECTED: frozenset({STAFF}),
                DUPLICATE: frozenset({STAFF}), TRANSFERRED: frozenset({STAFF}),
                WITHDRAWN: frozenset({OWNER})},
    ACCEPTED: {IN_PROGRESS: frozenset({STAFF}), RESOLVED: frozenset({STAFF}),
               REJECTED: frozenset({STAFF}), DUPLICATE: frozenset({STAFF}),
               TRANSFERRED: frozenset({STAFF})},
    IN_PROGRESS: {RESOLVED: frozenset({STAFF}), DUPLICATE: frozenset({STAFF}),
                  TRANSFERRED: frozenset({STAFF})},
    # The owner reopens (an unhappy rating) or closes (a rating); the clock closes unrated ones.
    RESOLVED: {CLOSED: frozenset({STAFF, OWNER, SYSTEM}), IN_PROGRESS: frozenset({OWNER})},
    CLOSED: {}, REJECTED: {}, DUPLICATE: {}, TRANSFERRED: {}, WITHDRAWN: {},
}

# What the owner and followers are told; no personal data beyond the reference.
STATUS_MESSAGES = {
    ACCEPTED: _l("Request %(ref)s has been accepted."),
    IN_PROGRESS: _l("Request %(ref)s is being handled."),
    RESOLVED: _l("Request %(ref)s has been resolved. Please tell us how it was handled."),
    CLOSED: _l("Request %(ref)s is closed."),
    REJECTED: _l("Request %(ref)s could not be accepted. Open it to see why."),
    DUPLICATE: _l("Request %(ref)s was merged into %(target)s, which you now follow."),
    TRANSFERRED: _l("Request %(ref)s was passed to another office. Open it for details."),
    WITHDRAWN: _l("Request %(ref)s was withdrawn."),
}
REOPENED_MESSAGE = _l("Request %(ref)s has been reopened.")
REPLY_MESSAGE = _l("There is a new reply on request %(ref)s.")

PRIORITY_LABELS = {1: _l("P1 urgent, many households"), 2: _l("P2 urgent or many households"),
                   3: _l("P3 routine")}

# Seeded categories: key, Chinese, English, the team new requests go to.
DEFAULT_CATEGORIES = (
    ("noise", "噪音扰民", "Noise", Role.GRID_WORKER),
    ("clutter", "楼道堆物", "Hallway clutter", Role.GRID_WORKER),
    ("repair", "设施报修", "Facility repair", Role.GRID_WORKER),
    ("sanitation", "环境卫生", "Sanitation", Role.GRID_WORKER),
    ("dispute", "邻里纠纷", "Neighbour dispute", Role.GOVERNANCE),
    ("property", "物业服务", "Property management", Role.GOVERNANCE),
    ("hazard", "安全隐患", "Safety hazard", Role.GRID_WORKER),
    ("parking", "停车管理", "Parking", Role.GRID_WORKER),
    ("policy", "政策咨询", "Policy question", Role.CIVIL_AFFAIRS),
    ("other", "其他", "Other", Role.GRID_WORKER),
)
TRIAGE_ROLES = tuple(role.value for role, perms in ROLE_PERMISSIONS.items()
                     if Permission.TRIAGE_REQUESTS in perms)
ROUTING_ROLES = (Role.GRID_WORKER, Role.GOVERNANCE, Role.CIVIL_AFFAIRS)

REF_PREFIX = "R"
REF_PATTERN = re.compile(r"^R\d{8}-\d{4,}$")


class RequestError(Exception):
    """A refused action; ``message`` is a lazy string the view shows translated."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- configuration: SLA and rating window -------------------------------------------------

CONFIG_DEFAULTS = {
    "REQUEST_SLA_P1_RESPONSE_HOURS": 2, "REQUEST_SLA_P1_RESOLVE_HOURS": 24,
    "REQUEST_SLA_P2_RESPONSE_HOURS": 8, "REQUEST_SLA_P2_RESOLVE_HOURS": 72,
    "REQUEST_SLA_P3_RESPONSE_HOURS": 24, "REQUEST_SLA_P3_RESOLVE_HOURS": 168,
    "REQUEST_RATING_DAYS": 7,
}


@dataclass(frozen=True)
class Sla:
    hours: dict[int, tuple[float, float]]  # priority -> (first response, resolution)
    rating_days: int = 7

    @classmethod
    def from_config(cls, config=None) -> Sla:
        config = config if config is not None else current_app.config
        hours = {p: (float(config[f"REQUEST_SLA_P{p}_RESPONSE_HOURS"]),
                     float(config[f"REQUEST_SLA_P{p}_RESOLVE_HOURS"])) for p in (1, 2, 3)}
        return cls(hours=hours, rating_days=int(config["REQUEST_RATING_DAYS"]))

    def deadlines(self, start: datetime, priority: int) -> tuple[datetime, datetime]:
        respond, resolve = self.hours[priority]
        return start + timedelta(hours=respond), start + timedelta(hours=resolve)


def priority_for(urgent: bool, many_households: bool) -> int:
    """P1 when urgent and affecting many households, P2 when either, P3 otherwise."""
    if urgent and many_households:
        return 1
    if urgent or many_households:
        return 2
    return 3


# --- categories and templates ------------------------------------------------------------

def categories(session: Session, active_only: bool = True) -> list[RequestCategory]:
    statement = select(RequestCategory).order_by(RequestCategory.position, RequestCategory.id)
    if active_only:
        statement = statement.where(RequestCategory.active.is_(True))
    return list(session.scalars(statement))


def seed_categories(session: Session) -> None:
    """Add the default categories that are missing (by key); never overwrites staff edits."""
    existing = set(session.scalars(select(RequestCategory.key)))
    for position, (key, zh, en, role) in enumerate(DEFAULT_CATEGORIES):
        if key not in existing:
            session.add(RequestCategory(key=key, name_zh=zh, name_en=en, role=role.value,
                                        position=(position + 1) * 10))
    session.flush()


def save_category(session: Session, category: RequestCategory | None, *, name_zh: str,
                  name_en: str, role: str, position: int, active: bool) -> RequestCategory:
    if role not in {r.value for r in ROUTING_ROLES}:
        raise RequestError(_l("Choose the team that handles this category."))
    if category is None:
        category = RequestCategory(key=f"custom-{utcnow().strftime('%Y%m%d%H%M%S%f')}")
        session.add(category)
    category.name_zh, category.name_en, category.role = name_zh, name_en, role
    category.position, category.active = position, active
    session.flush()
    return category


# The reply templates a fresh install starts with; staff edit them in the request settings.
DEFAULT_TEMPLATES = (
    ("已受理", "您好，您反映的问题我们已经收到，网格员会在今天内上门查看，请保持电话畅通。"),
    ("已办结", "您好，您反映的问题已经处理完毕。如果还有问题，请随时联系社区。感谢您的支持！"),
    ("转物业", "您好，这个问题属于物业公司负责范围，我们已联系物业，请他们尽快处理。"),
)


def seed_reference_data(session: Session) -> None:
    """The categories that are missing, and the default templates on a fresh install."""
    seed_categories(session)
    if session.scalar(select(ReplyTemplate.id).limit(1)) is None:
        session.add_all(ReplyTemplate(title=title, body=body)
                        for title, body in DEFAULT_TEMPLATES)
        session.flush()


def reply_templates(session: Session) -> list[ReplyTemplate]:
    return list(session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.title)))


def save_template(session: Session, template: ReplyTemplate | None, *, title: str,
                  body: str) -> ReplyTemplate:
    if template is None:
        template = ReplyTemplate()
        session.add(template)
    template.title, template.body = title, body
    session.flush()
    return template


# --- submitting ---------------------------------------------------------------------------

def find_by_key(session: Session, owner_id: int, key: str) -> ServiceRequest | None:
    return session.scalar(select(ServiceRequest).where(
        ServiceRequest.idempotency_key == key, ServiceRequest.owner_id == owner_id))


def submit(session: Session, owner: User, *, category: RequestCategory, description: str,
           building: str, location: str, urgent: bool, many_households: bool,
           idempotency_key: str, photos: Iterable = (), now: datetime | None = None,
           sla: Sla | None = None) -> ServiceRequest:
    now = now or utcnow()
    sla = sla or Sla.from_config()
    priority = priority_for(urgent, many_households)
    respond_by, resolve_by = sla.deadlines(now, priority)
    request = ServiceRequest(
        ref=next_daily_number(session, REF_PREFIX, local_day(now)), idempotency_key=idempotency_key,
        owner_id=owner.id,
        category_id=category.id, category=category, description=description, building=building,
        location=location, urgent=urgent, many_households=many_households, priority=priority,
        status=SUBMITTED, role=category.role, created_at=now, respond_by=respond_by,
        resolve_by=resolve_by, last_activity_at=now)
    session.add(request)
    session.flush()
    for stored in photos:
        stored.attached = True
        session.add(RequestPhoto(request_id=request.id, file_id=stored.id))
    _event(session, request, owner, "status", public=True, to_status=SUBMITTED, now=now)
    session.flush()
    return request


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


def follow(session: Session, user: User, request: ServiceRequest) -> bool:
    """Follow an open request in one's own building. False when already following or owning."""
    if request.status not in OPEN or request.building != (user.building or ""):
        raise RequestError(_l("You can only follow open requests in your own building."))
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


# --- what residents see -------------------------------------------------------------------

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


def rating_open(request: ServiceRequest, now: datetime, sla: Sla | None = None) -> bool:
    sla = sla or Sla.from_config()
    return (request.status == RESOLVED and request.resolved_at is not None
            and now < request.resolved_at + timedelta(days=sla.rating_days))


# --- the state machine --------------------------------------------------------------------

def allowed_next(status: str, actor: str) -> list[str]:
    return [target for target, who in TRANSITIONS[status].items() if actor in who]


def check_transition(current: str, target: str, actor: str) -> None:
    if actor not in TRANSITIONS.get(current, {}).get(target, frozenset()):
        raise RequestError(_l("A request that is “%(current)s” can't be changed to "
                              "“%(target)s”.", current=STATUS_LABELS[current],
                              target=STATUS_LABELS.get(target, target)))


def _event(session, request, actor, kind, *, public, from_status=None, to_status=None,
           body=None, now=None) -> RequestEvent:
    now = now or utcnow()
    event = RequestEvent(request_id=request.id, actor_id=actor.id if actor else None, kind=kind,
                         public=public, from_status=from_status, to_status=to_status,
                         body=body, created_at=now)
    session.add(event)
    request.last_activity_at = now
    return event


def _audience(session, request, actor) -> list[int]:
    ids = [request.owner_id, *follower_ids(session, request.id)]
    return [uid for uid in dict.fromkeys(ids) if actor is None or uid != actor.id]


def _notify(session, request, actor, message, **params) -> None:
    recipients = _audience(session, request, actor)
    if recipients:
        notify(session, recipients, message, link=f"/requests/{request.ref}", ref=request.ref,
               **params)


def _first_response(request, now) -> None:
    if request.first_response_at is None:
        request.first_response_at = now


def transition(session: Session, request: ServiceRequest, target: str, actor: User | None, *,
               actor_kind: str = STAFF, note: str | None = None,
               transferred_to: str | None = None, now: datetime | None = None) -> None:
    """Move a request along an allowed edge, stamp the times, record it, tell the residents."""
    now = now or utcnow()
    check_transition(request.status, target, actor_kind)
    if target == REJECTED and not note:
        raise RequestError(_l("Give the reason the request can't be accepted."))
    if target == TRANSFERRED and not transferred_to:
        raise RequestError(_l("Say which office the request is passed to."))
    if target == DUPLICATE:
        raise RequestError(_l("Use “merge” to mark a request as a duplicate."))
    current = request.status
    request.status = target
    if actor_kind == STAFF:
        _first_response(request, now)
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
    _event(session, request, actor, "status", public=True, from_status=current,
           to_status=target, body=note if target != TRANSFERRED else
           f"{transferred_to}: {note}" if note else transferred_to, now=now)
    message = REOPENED_MESSAGE if (current, target) == (RESOLVED, IN_PROGRESS) \
        else STATUS_MESSAGES[target]
    _notify(session, request, actor, message)


def withdraw(session: Session, request: ServiceRequest, owner: User, now=None) -> None:
    if request.owner_id != owner.id:
        raise RequestError(_l("Only the person who sent a request can withdraw it."))
    transition(session, request, WITHDRAWN, owner, actor_kind=OWNER, now=now)


def rate(session: Session, request: ServiceRequest, owner: User, level: Level,
         comment: str | None, now: datetime | None = None, sla: Sla | None = None) -> None:
    """Rate a resolved request. An unhappy rating reopens it and flags it for the director."""
    now = now or utcnow()
    if request.owner_id != owner.id:
        raise RequestError(_l("Only the person who sent a request can rate it."))
    if not rating_open(request, now, sla):
        raise RequestError(_l("This request can no longer be rated."))
    request.rating, request.rating_comment, request.rated_at = int(level), comment or None, now
    _event(session, request, owner, "rating", public=True, body=str(int(level)), now=now)
    if level.is_unhappy:
        request.flagged = True
        request.resolved_at = None
        transition(session, request, IN_PROGRESS, owner, actor_kind=OWNER, now=now)
    else:
        transition(session, request, CLOSED, owner, actor_kind=OWNER, now=now)


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


# --- staff actions ------------------------------------------------------------------------

def reply(session: Session, request: ServiceRequest, staff: User, body: str, *,
          public: bool, now: datetime | None = None) -> None:
    """A public reply (residents see it and are told) or an internal note (staff only)."""
    now = now or utcnow()
    if public:
        _first_response(request, now)
    _event(session, request, staff, "reply" if public else "note", public=public, body=body,
           now=now)
    if public:
        _notify(session, request, staff, REPLY_MESSAGE)


def may_assign_to_others(user: User) -> bool:
    return user.can(Permission.ASSIGN_REQUESTS)


def assign(session: Session, request: ServiceRequest, staff: User, assignee: User | None,
           now=None) -> None:
    if assignee is not None and assignee.id != staff.id and not may_assign_to_others(staff):
        raise RequestError(_l("You can take a request yourself, but only the director can "
                              "assign it to someone else."))
    if assignee is not None and (not assignee.active or assignee.role not in TRIAGE_ROLES):
        raise RequestError(_l("Choose a staff member who handles requests."))
    request.assignee_id = assignee.id if assignee else None
    request.assignee = assignee
    _event(session, request, staff, "assign", public=False,
           body=assignee.name if assignee else None, now=now)


def change_category_priority(session: Session, request: ServiceRequest, staff: User,
                             category: RequestCategory, priority: int,
                             sla: Sla | None = None, now=None) -> None:
    """Recategorise (which re-routes to the category's team) and reprioritise (new deadlines)."""
    sla = sla or Sla.from_config()
    if priority not in (1, 2, 3):
        raise RequestError(_l("Choose a priority."))
    changes = []
    if category.id != request.category_id:
        changes.append(f"{request.category.name_zh} → {category.name_zh}")
        request.category_id, request.category, request.role = category.id, category, category.role
    if priority != request.priority:
        changes.append(f"P{request.priority} → P{priority}")
        request.priority = priority
        request.respond_by, request.resolve_by = sla.deadlines(request.created_at, priority)
    if changes:
        _event(session, request, staff, "edit", public=False, body="; ".join(changes), now=now)


def merge(session: Session, request: ServiceRequest, target: ServiceRequest, staff: User,
          now=None) -> None:
    """Mark ``request`` a duplicate of ``target``: its owner and followers follow the target."""
    now = now or utcnow()
    if target.id == request.id:
        raise RequestError(_l("A request can't be merged into itself."))
    if target.status not in OPEN:
        raise RequestError(_l("Merge only into a request that is still open."))
    check_transition(request.status, DUPLICATE, STAFF)
    movers = [request.owner_id, *follower_ids(session, request.id)]
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
    recipients = [uid for uid in dict.fromkeys(movers) if uid != staff.id]
    if recipients:
        notify(session, recipients, STATUS_MESSAGES[DUPLICATE], link=f"/requests/{target.ref}",
               ref=request.ref, target=target.ref)
    session.flush()


def bulk(session: Session, staff: User, refs: list[str], action: str,
         assignee: User | None = None) -> tuple[int, list[str]]:
    """Accept or assign several requests; returns how many changed and the refused refs."""
    done, refused = 0, []
    for request in session.scalars(select(ServiceRequest).where(
            ServiceRequest.ref.in_(refs[:100]), staff_scope(staff))):
        try:
            if action == "accept":
                transition(session, request, ACCEPTED, staff)
            else:
                assign(session, request, staff, assignee)
        except RequestError:
            refused.append(request.ref)
        else:
            done += 1
    return done, refused


def triage_staff(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role.in_(TRIAGE_ROLES),
                                                   User.active.is_(True))
                                .order_by(User.role, User.name)))


# --- the queue ----------------------------------------------------------------------------

def staff_scope(user: User):
    """Front-line staff see their team's work and what is assigned to them; directors all."""
    if user.can(Permission.ASSIGN_REQUESTS):
        return true()
    if not user.can(Permission.TRIAGE_REQUESTS):
        return false()
    return or_(ServiceRequest.role == user.role, ServiceRequest.assignee_id == user.id)


def get_for_staff(session: Session, user: User, ref: str) -> ServiceRequest | None:
    return session.scalar(select(ServiceRequest)
                          .options(joinedload(ServiceRequest.assignee),
                                   joinedload(ServiceRequest.owner))
                          .where(ServiceRequest.ref == ref, staff_scope(user)))


def overdue_clause(now: datetime):
    return and_(ServiceRequest.status.in_(OPEN), or_(
        and_(ServiceRequest.first_response_at.is_(None), ServiceRequest.respond_by < now),
        ServiceRequest.resolve_by < now))


def is_overdue(request: ServiceRequest, now: datetime) -> bool:
    if request.status not in OPEN:
        return False
    return (request.first_response_at is None and request.respond_by < now) or \
        request.resolve_by < now


@dataclass
class QueueFilters:
    status: str = ""  # "" = open, "all", or one status
    category: int | None = None
    priority: int | None = None
    assignee: str = ""  # "", "mine", "unassigned" or a user id
    building: str = ""
    overdue: bool = False
    q: str = ""
    team: str = ""  # a role; "" = the viewer's own team (front line) or everything

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        def number(name, allowed=None):
            try:
                value = int(args.get(name, ""))
            except ValueError:
                return None
            return value if allowed is None or value in allowed else None

        status = args.get("status", "")
        team = args.get("team", "")
        return cls(status=status if status in (*STATUSES, "all") else "",
                   category=number("category"), priority=number("priority", (1, 2, 3)),
                   assignee=args.get("assignee", "").strip()[:12],
                   building=args.get("building", "").strip()[:20],
                   overdue=args.get("overdue") in ("1", "on", "true"),
                   q=args.get("q", "").strip()[:100],
                   team=team if team in {r.value for r in ROUTING_ROLES} else "")

    def as_args(self) -> dict:
        values = {"status": self.status, "category": self.category, "priority": self.priority,
                  "assignee": self.assignee, "building": self.building,
                  "overdue": "1" if self.overdue else "", "q": self.q, "team": self.team}
        return {key: value for key, value in values.items() if value not in ("", None)}


def queue_statement(user: User, filters: QueueFilters, now: datetime) -> Select:
    statement = select(ServiceRequest).where(staff_scope(user))
    if filters.status == "":
        statement = statement.where(ServiceRequest.status.in_(OPEN))
    elif filters.status != "all":
        statement = statement.where(ServiceRequest.status == filters.status)
    if filters.team:
        statement = statement.where(ServiceRequest.role == filters.team)
    if filters.category:
        statement = statement.where(ServiceRequest.category_id == filters.category)
    if filters.priority:
        statement = statement.where(ServiceRequest.priority == filters.priority)
    if filters.assignee == "mine":
        statement = statement.where(ServiceRequest.assignee_id == user.id)
    elif filters.assignee == "unassigned":
        statement = statement.where(ServiceRequest.assignee_id.is_(None))
    elif filters.assignee.isdigit():
        statement = statement.where(ServiceRequest.assignee_id == int(filters.assignee))
    if filters.building:
        statement = statement.where(ServiceRequest.building == filters.building)
    if filters.overdue:
        statement = statement.where(overdue_clause(now))
    if filters.q:
        query = filters.q.upper().replace(" ", "")
        if REF_PATTERN.match(query):
            statement = statement.where(ServiceRequest.ref == query)
        else:
            like = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(or_(ServiceRequest.description.ilike(like + "%",
                                                                             escape="\\"),
                                            ServiceRequest.ref.ilike(like + "%", escape="\\")))
    # Priority, then longest waiting: the order ix_service_request_order walks without sorting.
    return statement.order_by(ServiceRequest.priority, ServiceRequest.created_at,
                              ServiceRequest.id)


def queue_page_statement(statement: Select) -> Select:
    return statement.options(joinedload(ServiceRequest.assignee))


def export_rows(session: Session, statement: Select):
    """CSV rows of the filtered queue, streamed in batches."""
    assignee = User.__table__.alias("assignee")
    columns = statement.with_only_columns(
        ServiceRequest.ref, RequestCategory.name_zh, RequestCategory.name_en,
        ServiceRequest.building, ServiceRequest.created_at, ServiceRequest.accepted_at,
        ServiceRequest.resolved_at, ServiceRequest.closed_at, ServiceRequest.first_response_at,
        ServiceRequest.status, assignee.c.name, ServiceRequest.rating,
    ).join_from(ServiceRequest, RequestCategory,
                RequestCategory.id == ServiceRequest.category_id) \
        .outerjoin(assignee, assignee.c.id == ServiceRequest.assignee_id)
    result = session.execute(columns.execution_options(yield_per=1000))
    for row in result:
        minutes = (None if row.first_response_at is None else
                   int((row.first_response_at - row.created_at).total_seconds() // 60))
        yield row, minutes


# --- counts for the staff home and the board ----------------------------------------------

def panel_counts(session: Session, user: User, now: datetime) -> dict:
    """New, mine, overdue and awaiting rating, in one query."""
    r = ServiceRequest
    row = session.execute(select(
        func.sum(case((r.status == SUBMITTED, 1), else_=0)),
        func.sum(case((and_(r.assignee_id == user.id, r.status.in_(OPEN)), 1), else_=0)),
        func.sum(case((overdue_clause(now), 1), else_=0)),
        func.sum(case((r.status == RESOLVED, 1), else_=0)),
        func.sum(case((r.flagged.is_(True) & r.status.in_(OPEN), 1), else_=0)),
    ).where(staff_scope(user))).one()
    new, mine, overdue, awaiting, flagged = (value or 0 for value in row)
    return {"new": new, "mine": mine, "overdue": overdue, "awaiting_rating": awaiting,
            "flagged": flagged}


def month_start(now: datetime) -> datetime:
    local = now.astimezone(SHANGHAI)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_figures(session: Session, now: datetime) -> dict:
    """This month's public figures: counts and a rate, no personal data."""
    start = month_start(now)
    r = ServiceRequest
    received = session.scalar(select(func.count()).where(r.created_at >= start)) or 0
    resolved = session.scalar(select(func.count()).where(r.resolved_at >= start)) or 0
    waits = [(answered - created).total_seconds() / 60 for created, answered in session.execute(
        select(r.created_at, r.first_response_at)
        .where(r.created_at >= start, r.first_response_at.is_not(None)))]
    counts = dict(session.execute(select(r.rating, func.count())
                                  .where(r.rated_at >= start, r.rating.is_not(None))
                                  .group_by(r.rating)).all())
    return {"received": received, "resolved": resolved,
            "median_response_minutes": round(statistics.median(waits)) if waits else None,
            "satisfaction": satisfaction_rate(counts), "ratings": sum(counts.values()),
            "formula": FORMULA}


def figures_fingerprint(now: datetime, profile=None) -> list:
    """SQL expressions that change whenever this month's figures could change."""
    return [literal(month_start(now).strftime("%Y%m")),
            select(func.max(ServiceRequest.last_activity_at)).scalar_subquery(),
            select(func.count()).select_from(RequestEvent).scalar_subquery()]


def resolved_between_statement(first_day: str, last_day: str) -> Select:
    """Owners of requests resolved between two Shanghai dates (inclusive): a survey audience."""
    start = datetime.combine(date.fromisoformat(first_day), time.min, SHANGHAI)
    end = datetime.combine(date.fromisoformat(last_day) + timedelta(days=1), time.min, SHANGHAI)
    return select(ServiceRequest.owner_id).where(ServiceRequest.resolved_at >= start,
                                                 ServiceRequest.resolved_at < end)
