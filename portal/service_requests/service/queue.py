"""The staff queue: whose requests a staff member sees, the filters, the export rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_pgettext
from sqlalchemy import Select, false, or_, select, true
from sqlalchemy.orm import Session, joinedload

from portal.accounts.models import User
from portal.accounts.roles import Permission
from portal.satisfaction import Level
from portal.service_requests.models import RequestCategory, ServiceRequest
from portal.service_requests.service.rules import (
    OPEN,
    REF_PATTERN,
    ROUTING_ROLES,
    STATUS_LABELS,
    STATUSES,
)
from portal.service_requests.service.sla import overdue_clause
from portal.web.inputs import bounded_int


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
            value = bounded_int(args.get(name))
            return value if allowed is None or value in allowed else None

        status = args.get("status", "")
        team = args.get("team", "")
        assignee = args.get("assignee", "").strip()
        if assignee not in ("mine", "unassigned"):
            staff_id = bounded_int(assignee)
            assignee = "" if staff_id is None else str(staff_id)
        return cls(status=status if status in (*STATUSES, "all") else "",
                   category=number("category"), priority=number("priority", (1, 2, 3)),
                   assignee=assignee,
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


EXPORT_HEADERS = (
    lazy_pgettext("request export column", "Reference"),
    lazy_pgettext("request export column", "Category"),
    lazy_pgettext("request export column", "Building"),
    lazy_pgettext("request export column", "Received"),
    lazy_pgettext("request export column", "Accepted"),
    lazy_pgettext("request export column", "Resolved"),
    lazy_pgettext("request export column", "Closed"),
    lazy_pgettext("request export column", "Minutes to first response"),
    lazy_pgettext("request export column", "Status"),
    lazy_pgettext("request export column", "Handled by"),
    lazy_pgettext("request export column", "Rating"),
)


def export_rows(session: Session, statement: Select, english: bool = False) -> Iterator[list]:
    """The filtered queue as spreadsheet rows in EXPORT_HEADERS' order, read in batches:
    labels, not keys, and the category in the reader's language."""
    assignee = User.__table__.alias("assignee")
    columns = statement.with_only_columns(
        ServiceRequest.ref, RequestCategory.name_zh, RequestCategory.name_en,
        ServiceRequest.building, ServiceRequest.created_at, ServiceRequest.accepted_at,
        ServiceRequest.resolved_at, ServiceRequest.closed_at, ServiceRequest.first_response_at,
        ServiceRequest.status, assignee.c.name, ServiceRequest.rating,
    ).join_from(ServiceRequest, RequestCategory,
                RequestCategory.id == ServiceRequest.category_id) \
        .outerjoin(assignee, assignee.c.id == ServiceRequest.assignee_id)
    for row in session.execute(columns.execution_options(yield_per=1000)):
        minutes = (None if row.first_response_at is None else
                   int((row.first_response_at - row.created_at).total_seconds() // 60))
        yield [row.ref, row.name_en if english else row.name_zh, row.building, row.created_at,
               row.accepted_at, row.resolved_at, row.closed_at, minutes,
               STATUS_LABELS.get(row.status, row.status), row.name,
               Level(row.rating).label if row.rating in Level._value2member_map_ else None]
