"""The 三率 of requests over a period, as SQL aggregates bounded by the period: the one
definition of each rate (the figures page, the monthly report and the board read it here).

Population: requests received in the period, less those withdrawn before any staff response
and those merged into another request as duplicates.
- response rate = first response by the deadline ÷ (responded, or response deadline passed)
- on-time resolution = resolved by the deadline ÷ (resolved, or resolution deadline passed)
- resolution rate = resolved or closed and not reopened since ÷ population
- satisfaction = (5 + 4) ÷ valid ratings given in the period (every rating event, so a rating
  that reopened a request still counts); rating rate = ratings ÷ requests resolved in the period
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, distinct, func, literal, literal_column, or_, select, true
from sqlalchemy.orm import Session

from portal.satisfaction import Level
from portal.service_requests.models import RequestEvent, ServiceRequest
from portal.service_requests.service.rules import (
    CLOSED,
    DUPLICATE,
    RESOLVED,
    WITH_STREET,
    WITHDRAWN,
)

R = ServiceRequest
E = RequestEvent
# A rating event's body is its level as text; anything else is not a valid rating.
VALID_LEVELS = tuple(sorted(Level, reverse=True))
SATISFIED_LEVELS = tuple(level for level in VALID_LEVELS if level.counts_as_satisfied)


@dataclass(frozen=True)
class Narrowing:
    """Optional narrowing of every figure: one building, category, handling team or person."""

    building: str = ""
    category: int | None = None
    role: str = ""
    assignee: int | None = None

    def clauses(self) -> list:
        found = []
        if self.building:
            found.append(R.building == self.building)
        if self.category:
            found.append(R.category_id == self.category)
        if self.role:
            found.append(R.role == self.role)
        if self.assignee:
            found.append(R.assignee_id == self.assignee)
        return found


GROUPS = {"category": R.category_id, "building": R.building, "role": R.role,
          "assignee": R.assignee_id, "channel": R.channel}


def in_population():
    """Counted at all: not withdrawn before a staff response, not merged as a duplicate."""
    return and_(R.status != DUPLICATE,
                or_(R.status != WITHDRAWN, R.first_response_at.is_not(None)))


def received_between(start: datetime, end: datetime):
    return and_(R.created_at >= start, R.created_at < end)


# --- The conditions each count is made of: the aggregates below sum them, and the staff
# queue's ?figure= lists the requests that meet them (figure_clause), so the list behind a
# number is the number. Each population condition takes ``now`` (a deadline passes with it).

def responded_on_time(now: datetime | None = None):
    return and_(R.first_response_at.is_not(None), R.first_response_at <= R.respond_by)


def response_counted(now: datetime):
    """Answered, or past the response deadline: the response rate's denominator."""
    return or_(R.first_response_at.is_not(None), R.respond_by < now)


def resolved_on_time(now: datetime | None = None):
    return and_(R.resolved_at.is_not(None), R.resolved_at <= R.resolve_by)


def resolution_counted(now: datetime):
    """Resolved, or past the resolution deadline: the on-time resolution denominator. A
    request with the street office is not counted late while there (its deadlines stand
    still, and move on by that time when it comes back)."""
    return or_(R.resolved_at.is_not(None), and_(R.resolve_by < now, R.status != WITH_STREET))


def solved(now: datetime | None = None):
    """Resolved or closed and not reopened since (a reopened request is open again)."""
    return R.status.in_((RESOLVED, CLOSED))


def rating_given(start: datetime, end: datetime):
    """A valid rating event given in the period (joined to its request)."""
    return and_(E.kind == "rating", E.created_at >= start, E.created_at < end,
                E.body.in_([str(int(level)) for level in VALID_LEVELS]))


def satisfaction(levels: dict) -> tuple[int, int]:
    """(satisfied, valid) of rating counts by level, as rating_counts gives them."""
    return (sum(levels.get(int(level), 0) for level in SATISFIED_LEVELS),
            sum(levels.get(int(level), 0) for level in VALID_LEVELS))


def satisfied_rating():
    """Of a rating event: very satisfied or satisfied."""
    return E.body.in_([str(int(level)) for level in SATISFIED_LEVELS])


def satisfied_given(start: datetime, end: datetime):
    return and_(rating_given(start, end), satisfied_rating())


def resolution_given(start: datetime, end: datetime):
    """A status event to resolved in the period (a later reopening does not undo it)."""
    return and_(E.kind == "status", E.to_status == RESOLVED, E.created_at >= start,
                E.created_at < end)


POPULATION_FIGURES = {
    "population": lambda now: true(),
    "response_counted": response_counted,
    "responded_on_time": responded_on_time,
    "resolution_counted": resolution_counted,
    "resolved_on_time": resolved_on_time,
    "solved": solved,
}
EVENT_FIGURES = {
    "rated": rating_given,
    "satisfied": satisfied_given,
    "resolved_in_period": resolution_given,
}
FIGURE_NAMES = (*POPULATION_FIGURES, *EVENT_FIGURES)


def figure_clause(name: str, start: datetime, end: datetime, now: datetime):
    """The requests behind one numerator or denominator of the period (``FIGURE_NAMES``):
    population figures are requests received in the period; "rated" and "satisfied" those
    with such a rating in it, "resolved_in_period" those resolved in it."""
    if name in POPULATION_FIGURES:
        return and_(received_between(start, end), in_population(),
                    POPULATION_FIGURES[name](now))
    return R.id.in_(select(E.request_id).where(EVENT_FIGURES[name](start, end)))


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rate_columns(now: datetime) -> list:
    return [
        func.count().label("population"),
        _count(responded_on_time(now)).label("responded_on_time"),
        _count(response_counted(now)).label("response_due"),
        _count(resolved_on_time(now)).label("resolved_on_time"),
        _count(resolution_counted(now)).label("resolution_due"),
        _count(solved(now)).label("resolved_or_closed"),
    ]


def _population(start: datetime, end: datetime, narrowing: Narrowing) -> list:
    return [received_between(start, end), in_population(), *narrowing.clauses()]


def request_counts(session: Session, start: datetime, end: datetime, now: datetime,
                   narrowing: Narrowing = Narrowing(), by: str | None = None) -> list[dict]:
    """Numerators and denominators of the population rates; one row per group when ``by``."""
    columns = _rate_columns(now)
    statement = select(*columns).where(*_population(start, end, narrowing))
    if by:
        statement = statement.add_columns(GROUPS[by].label("group")).group_by(GROUPS[by])
    return [dict(row._mapping) for row in session.execute(statement)]


REQUESTS_ROW = "requests"  # not a level: the row of rating_counts' distinct requests


def rating_counts(session: Session, start: datetime, end: datetime,
                  narrowing: Narrowing = Narrowing(), by: str | None = None) -> list[dict]:
    """Valid ratings given in the period by level, and how many requests they came from (a
    request can be rated again after a bad rating reopened it), in one statement:
    {"group":..., "levels": {5: n, ...}, "rated_requests": n, "satisfied_requests": n}."""
    where = (rating_given(start, end), *narrowing.clauses())
    levels = (select(E.body.label("key"), func.count().label("n"), literal(0).label("m"))
              .join(R, R.id == E.request_id).where(*where).group_by(E.body))
    requests = (select(literal(REQUESTS_ROW).label("key"),
                       func.count(distinct(E.request_id)).label("n"),
                       func.count(distinct(case((satisfied_rating(), E.request_id))))
                       .label("m"))
                .join(R, R.id == E.request_id).where(*where))
    if by:
        levels = levels.add_columns(GROUPS[by].label("grp")).group_by(GROUPS[by])
        requests = requests.add_columns(GROUPS[by].label("grp")).group_by(GROUPS[by])
    groups: dict = {}
    for row in session.execute(levels.union_all(requests)):
        group = groups.setdefault(row.grp if by else None,
                                  {"levels": {}, "rated_requests": 0, "satisfied_requests": 0})
        if row.key == REQUESTS_ROW:
            group["rated_requests"], group["satisfied_requests"] = int(row.n), int(row.m)
        elif (row.key or "").isdigit():
            group["levels"][int(row.key)] = group["levels"].get(int(row.key), 0) + row.n
    return [{"group": key, **value} for key, value in groups.items()
            if value["rated_requests"]]


def resolved_in_period(session: Session, start: datetime, end: datetime,
                       narrowing: Narrowing = Narrowing()) -> int:
    """Requests resolved at least once in the period (a later reopening does not undo it)."""
    return session.scalar(
        select(func.count(distinct(E.request_id)))
        .join(R, R.id == E.request_id)
        .where(resolution_given(start, end), *narrowing.clauses())) or 0


def minutes_between(session: Session, earlier, later):
    """``later - earlier`` in minutes, as SQL on this database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 60
    return (func.julianday(later) - func.julianday(earlier)) * 1440


def time_percentiles(session: Session, start: datetime, end: datetime,
                     narrowing: Narrowing = Narrowing(), by: str | None = None) -> dict:
    """Median and 90th percentile (nearest rank) of first-response and resolution minutes,
    per group, in two statements: {group: {"response": (p50, p90), "resolution": ...}}."""
    found: dict = {}
    for name, moment in (("response", R.first_response_at), ("resolution", R.resolved_at)):
        group = GROUPS[by] if by else literal_column("0")
        minutes = minutes_between(session, R.created_at, moment)
        ranked = (select(group.label("grp"), minutes.label("minutes"),
                         func.row_number().over(partition_by=group, order_by=minutes)
                         .label("rank"),
                         func.count().over(partition_by=group).label("total"))
                  .where(*_population(start, end, narrowing), moment.is_not(None))
                  .subquery())
        median_rank = (ranked.c.total + 1) // 2
        p90_rank = (ranked.c.total * 9 + 9) // 10
        rows = session.execute(select(ranked.c.grp, ranked.c.rank, ranked.c.minutes,
                                      median_rank.label("m"), p90_rank.label("p"))
                               .where(or_(ranked.c.rank == median_rank,
                                          ranked.c.rank == p90_rank)))
        for row in rows:
            key = row.grp if by else None
            entry = found.setdefault(key, {}).setdefault(name, [None, None])
            value = round(float(row.minutes))
            if row.rank == row.m:
                entry[0] = value
            if row.rank == row.p:
                entry[1] = value
    return found
