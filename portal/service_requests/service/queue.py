"""The staff queue: whose requests a staff member sees, the filters, the export rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Select, false, literal_column, or_, select, true
from sqlalchemy.orm import Session, joinedload, undefer

from portal.accounts.models import User
from portal.accounts.roles import Permission
from portal.clock import day_end, day_start, today
from portal.satisfaction import Level
from portal.search import service as search
from portal.service_requests.models import (
    NEXT_DEADLINE,
    RequestCategory,
    ServiceRequest,
)
from portal.service_requests.service.rates import FIGURE_NAMES, figure_clause
from portal.service_requests.service.rules import (
    CHANNEL_LABELS,
    OPEN,
    REF_PATTERN,
    ROUTING_ROLES,
    STATUS_LABELS,
    STATUSES,
)
from portal.service_requests.service.sla import is_overdue, overdue_clause
from portal.web import typed
from portal.web.address import address
from portal.web.inputs import bounded_day, bounded_int

SEARCH_KIND = "request"
# Finished requests: priority, then longest waiting (every ix_service_request_*order index
# ends in it).
QUEUE_ORDER = (ServiceRequest.priority, ServiceRequest.created_at, ServiceRequest.id)
# Open requests: the most urgent next deadline first, priority breaking ties (the
# ix_service_request_open_due* indexes of migration 0012 end in it).
DEADLINE_ORDER = (NEXT_DEADLINE, ServiceRequest.priority, ServiceRequest.id)
QUEUE_ROW_OPTIONS = (joinedload(ServiceRequest.assignee), undefer(ServiceRequest.has_photo))
FIRST_LINE_LENGTH = 60
# ?figure=: the requests behind one numerator or denominator of the figures page.
FIGURE_LABELS = {
    "population": _l("Counted: received, less those withdrawn before any staff answer and "
                     "duplicates"),
    "response_counted": _l("Response rate, denominator: answered, or past the response "
                           "deadline"),
    "responded_on_time": _l("Response rate, numerator: first answered within the deadline"),
    "resolution_counted": _l("On-time resolution, denominator: resolved, or past the "
                             "resolution deadline"),
    "resolved_on_time": _l("On-time resolution, numerator: resolved within the deadline"),
    "solved": _l("Resolution rate, numerator: resolved or closed and not reopened"),
    "rated": _l("Rated in the period"),
    "satisfied": _l("Rated very satisfied or satisfied in the period"),
    "resolved_in_period": _l("Resolved in the period"),
}


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
    received_from: date | None = None  # Shanghai days, both inclusive
    received_to: date | None = None
    channel: str = ""  # how it reached us (CHANNEL_LABELS); "" = any
    figure: str = ""  # one of FIGURE_NAMES, counted over figure_from..figure_to
    figure_from: date | None = None
    figure_to: date | None = None
    # What the address asked for that no filter takes, said on the page (never dropped
    # silently): translated sentences.
    problems: list = field(default_factory=list, compare=False)

    @classmethod
    def from_args(cls, args, category_ids=None, day: date | None = None) -> QueueFilters:
        """``day``: today here (a figure without its period counts this month)."""
        problems = []

        def given(name):
            return args.get(name, "").strip()

        def a_day(name):
            value = given(name)
            if not value:
                return None
            found = bounded_day(value)
            if found is None:
                problems.append(_l("“%(value)s” is not a date such as 2026-11-01. The list "
                                   "does not use it.", value=value[:20]))
                return None
            return found

        received_from, received_to = a_day("received_from"), a_day("received_to")
        if received_from and received_to and received_to < received_from:
            problems.append(_l("The last day received comes before the first. The list "
                               "shows requests received from the first day on."))
            received_to = None
        figure, figure_from, figure_to = given("figure"), None, None
        if figure and figure not in FIGURE_NAMES:
            problems.append(_l("There is no figure “%(value)s”. The list is not narrowed to "
                               "a figure.", value=figure[:40]))
            figure = ""
        if figure:
            day = day or today()
            figure_from, figure_to = a_day("figure_from"), a_day("figure_to")
            if figure_from is None:
                figure_from = day.replace(day=1)
            figure_to = figure_to or day
            if figure_to < figure_from:
                problems.append(_l("The figure's last day comes before its first. The list "
                                   "counts the figure on its first day only."))
                figure_to = figure_from

        priority = bounded_int(given("priority"))
        if given("priority") and priority not in (1, 2, 3):
            problems.append(_l("There is no priority “%(value)s”: the priorities are 1, 2 and "
                               "3. The list shows every priority.", value=given("priority")))
            priority = None
        category = bounded_int(given("category"))
        if given("category") and (category is None or (category_ids is not None and
                                                       category not in category_ids)):
            problems.append(_l("There is no category “%(value)s”. The list shows every "
                               "category.", value=given("category")))
            category = None
        status = given("status")
        if status not in (*STATUSES, "all", ""):
            problems.append(_l("There is no status “%(value)s”. The list shows the open "
                               "requests.", value=status))
            status = ""
        team = given("team")
        if team not in {r.value for r in ROUTING_ROLES} | {""}:
            problems.append(_l("There is no team “%(value)s”. The list shows every team.",
                               value=team))
            team = ""
        channel = given("channel")
        if channel and channel not in CHANNEL_LABELS:
            problems.append(_l("There is no channel “%(value)s”. The list shows requests "
                               "however they came in.", value=channel[:20]))
            channel = ""
        assignee = given("assignee")
        if assignee not in ("", "mine", "unassigned"):
            staff_id = bounded_int(assignee)
            if staff_id is None:
                problems.append(_l("“%(value)s” is not a member of staff. The list shows "
                                   "everyone's requests.", value=assignee))
            assignee = "" if staff_id is None else str(staff_id)
        return cls(status=status, category=category, priority=priority, assignee=assignee,
                   building=typed.building(given("building"))[:20],
                   overdue=args.get("overdue") in ("1", "on", "true"),
                   q=given("q")[:100], team=team, channel=channel,
                   received_from=received_from,
                   received_to=received_to, figure=figure, figure_from=figure_from,
                   figure_to=figure_to, problems=problems)

    def as_args(self) -> dict:
        values = {"status": self.status, "category": self.category, "priority": self.priority,
                  "assignee": self.assignee, "building": self.building,
                  "overdue": "1" if self.overdue else "", "q": self.q, "team": self.team,
                  "channel": self.channel, "figure": self.figure}
        for name in ("received_from", "received_to", "figure_from", "figure_to"):
            if getattr(self, name) is not None:
                values[name] = getattr(self, name).isoformat()
        return {key: value for key, value in values.items() if value not in ("", None)}


def open_clause():
    """status IN the open statuses, written with literal values so that the planner sees it
    implies the WHERE of the partial ix_service_request_open* indexes."""
    return ServiceRequest.status.in_([literal_column(f"'{status}'") for status in OPEN])


def queue_order(filters: QueueFilters) -> tuple:
    """The deadline order while the list holds open requests only; the finished ones have
    no deadline left to work against, so they come by priority and age."""
    return DEADLINE_ORDER if filters.status in ("", *OPEN) else QUEUE_ORDER


def queue_statement(user: User, filters: QueueFilters, now: datetime,
                    matching_ids: list[int] | None = None) -> Select:
    """The filtered queue in its order. A text search is done by the search service first:
    ``matching_ids`` are the requests whose text matched (None: no text search)."""
    statement = select(ServiceRequest).where(staff_scope(user))
    if filters.status == "":
        statement = statement.where(open_clause())
    elif filters.status != "all":
        statement = statement.where(ServiceRequest.status == filters.status)
        if filters.status in OPEN:  # what lets SQLite read the open deadline indexes too
            statement = statement.where(open_clause())
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
    if filters.channel:
        statement = statement.where(ServiceRequest.channel == filters.channel)
    if filters.overdue:
        statement = statement.where(overdue_clause(now, open_clause()))
    if filters.received_from:
        statement = statement.where(ServiceRequest.created_at >= day_start(filters.received_from))
    if filters.received_to:
        statement = statement.where(ServiceRequest.created_at < day_end(filters.received_to))
    if filters.figure:
        statement = statement.where(figure_clause(
            filters.figure, day_start(filters.figure_from), day_end(filters.figure_to), now))
    if filters.q:
        query = filters.q.upper().replace(" ", "")
        if REF_PATTERN.match(query):
            statement = statement.where(ServiceRequest.ref == query)
        else:
            statement = statement.where(ServiceRequest.id.in_(matching_ids or []))
    return statement.order_by(*queue_order(filters))


def text_search(session: Session, filters: QueueFilters):
    """The search service's matches for the queue's ?q= (None when it is a reference or
    empty); a query with nothing to search for is said on the page."""
    if not filters.q or REF_PATTERN.match(filters.q.upper().replace(" ", "")):
        return None
    matches = search.search(session, SEARCH_KIND, filters.q)
    if matches is None:
        filters.problems.append(_l("“%(value)s” has no letters or digits to search for.",
                                   value=filters.q))
        return search.Matches(ids=[], more=False)
    if matches.more:
        filters.problems.append(_l(
            "More than %(limit)s requests contain these words: only the newest %(limit)s are "
            "listed. Add a word to narrow the search.", limit=search.MATCH_LIMIT))
    return matches


def index_text(session: Session, request: ServiceRequest) -> None:
    search.index(session, SEARCH_KIND, request.id, request.description, request.ref)


def queue_page_statement(statement: Select) -> Select:
    return statement.options(*QUEUE_ROW_OPTIONS)


def first_line(text: str, limit: int = FIRST_LINE_LENGTH) -> str:
    """The first line that says something, cut at ``limit`` characters with an ellipsis."""
    line = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


EXPORT_HEADERS = (
    lazy_pgettext("request export column", "Reference"),
    lazy_pgettext("request export column", "Category"),
    lazy_pgettext("request export column", "Building"),
    lazy_pgettext("request export column", "Description"),
    lazy_pgettext("request export column", "Received"),
    lazy_pgettext("request export column", "First response due"),
    lazy_pgettext("request export column", "Resolution due"),
    lazy_pgettext("request export column", "Accepted"),
    lazy_pgettext("request export column", "Resolved"),
    lazy_pgettext("request export column", "Closed"),
    lazy_pgettext("request export column", "Minutes to first response"),
    lazy_pgettext("request export column", "Overdue"),
    lazy_pgettext("request export column", "Status"),
    lazy_pgettext("request export column", "Handled by"),
    lazy_pgettext("request export column", "Rating"),
)
OVERDUE_ANSWERS = {True: lazy_pgettext("request export: overdue", "Yes"),
                   False: lazy_pgettext("request export: overdue", "No")}


def export_rows(session: Session, statement: Select, now: datetime,
                english: bool = False) -> Iterator[list]:
    """The filtered queue as spreadsheet rows in EXPORT_HEADERS' order, read in batches:
    labels, not keys, and the category in the reader's language. Overdue is as of ``now``."""
    assignee = User.__table__.alias("assignee")
    columns = statement.with_only_columns(
        ServiceRequest.ref, RequestCategory.name_zh, RequestCategory.name_en,
        ServiceRequest.building, ServiceRequest.description, ServiceRequest.created_at,
        ServiceRequest.respond_by, ServiceRequest.resolve_by, ServiceRequest.accepted_at,
        ServiceRequest.resolved_at, ServiceRequest.closed_at, ServiceRequest.first_response_at,
        ServiceRequest.status, assignee.c.name, ServiceRequest.rating,
    ).join_from(ServiceRequest, RequestCategory,
                RequestCategory.id == ServiceRequest.category_id) \
        .outerjoin(assignee, assignee.c.id == ServiceRequest.assignee_id)
    for row in session.execute(columns.execution_options(yield_per=1000)):
        minutes = (None if row.first_response_at is None else
                   int((row.first_response_at - row.created_at).total_seconds() // 60))
        yield [row.ref, row.name_en if english else row.name_zh, address(row.building),
               row.description,
               row.created_at, row.respond_by, row.resolve_by, row.accepted_at, row.resolved_at,
               row.closed_at, minutes, OVERDUE_ANSWERS[is_overdue(row, now)],
               STATUS_LABELS.get(row.status, row.status), row.name,
               Level(row.rating).label if row.rating in Level._value2member_map_ else None]
