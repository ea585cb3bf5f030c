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

from sqlalchemy import and_, case, distinct, func, literal_column, or_, select
from sqlalchemy.orm import Session

from portal.service_requests.models import RequestEvent, ServiceRequest
from portal.service_requests.service.rules import CLOSED, DUPLICATE, RESOLVED, WITHDRAWN

R = ServiceRequest


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
          "assignee": R.assignee_id}


def in_population():
    """Counted at all: not withdrawn before a staff response, not merged as a duplicate."""
    return and_(R.status != DUPLICATE,
                or_(R.status != WITHDRAWN, R.first_response_at.is_not(None)))


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rate_columns(now: datetime) -> list:
    return [
        func.count().label("population"),
        _count(and_(R.first_response_at.is_not(None),
                    R.first_response_at <= R.respond_by)).label("responded_on_time"),
        _count(or_(R.first_response_at.is_not(None), R.respond_by < now)).label("response_due"),
        _count(and_(R.resolved_at.is_not(None),
                    R.resolved_at <= R.resolve_by)).label("resolved_on_time"),
        _count(or_(R.resolved_at.is_not(None), R.resolve_by < now)).label("resolution_due"),
        _count(R.status.in_((RESOLVED, CLOSED))).label("resolved_or_closed"),
    ]


def _population(start: datetime, end: datetime, narrowing: Narrowing) -> list:
    return [R.created_at >= start, R.created_at < end, in_population(), *narrowing.clauses()]


def request_counts(session: Session, start: datetime, end: datetime, now: datetime,
                   narrowing: Narrowing = Narrowing(), by: str | None = None) -> list[dict]:
    """Numerators and denominators of the population rates; one row per group when ``by``."""
    columns = _rate_columns(now)
    statement = select(*columns).where(*_population(start, end, narrowing))
    if by:
        statement = statement.add_columns(GROUPS[by].label("group")).group_by(GROUPS[by])
    return [dict(row._mapping) for row in session.execute(statement)]


def rating_counts(session: Session, start: datetime, end: datetime,
                  narrowing: Narrowing = Narrowing(), by: str | None = None) -> list[dict]:
    """Ratings given in the period by level: {"group":..., "levels": {5: n, ...}}."""
    statement = (select(RequestEvent.body, func.count())
                 .join(R, R.id == RequestEvent.request_id)
                 .where(RequestEvent.kind == "rating", RequestEvent.created_at >= start,
                        RequestEvent.created_at < end, *narrowing.clauses())
                 .group_by(RequestEvent.body))
    if by:
        statement = statement.add_columns(GROUPS[by]).group_by(GROUPS[by])
    groups: dict = {}
    for row in session.execute(statement):
        group = row[2] if by else None
        level = int(row[0]) if (row[0] or "").isdigit() else 0
        groups.setdefault(group, {})[level] = groups.setdefault(group, {}).get(level, 0) + row[1]
    return [{"group": group, "levels": levels} for group, levels in groups.items()]


def resolved_in_period(session: Session, start: datetime, end: datetime,
                       narrowing: Narrowing = Narrowing()) -> int:
    """Requests resolved at least once in the period (a later reopening does not undo it)."""
    return session.scalar(
        select(func.count(distinct(RequestEvent.request_id)))
        .join(R, R.id == RequestEvent.request_id)
        .where(RequestEvent.kind == "status", RequestEvent.to_status == RESOLVED,
               RequestEvent.created_at >= start, RequestEvent.created_at < end,
               *narrowing.clauses())) or 0


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


def month_bucket(bounds: list[datetime], column):
    """The index of the period ``column`` falls in, given ascending period starts and an end."""
    return case(*[(column < bound, index) for index, bound in enumerate(bounds[1:])],
                else_=-1)


def trend_counts(session: Session, bounds: list[datetime], now: datetime,
                 narrowing: Narrowing = Narrowing()) -> tuple[dict, dict]:
    """Population counts and rating levels for consecutive periods (``bounds``: starts plus
    the final end), two statements: ({index: counts}, {index: {level: n}})."""
    bucket = month_bucket(bounds, R.created_at).label("bucket")
    counts = {row.bucket: dict(row._mapping) for row in session.execute(
        select(bucket, *_rate_columns(now))
        .where(*_population(bounds[0], bounds[-1], narrowing)).group_by(bucket))}
    rating_bucket = month_bucket(bounds, RequestEvent.created_at).label("bucket")
    levels: dict = {}
    for row in session.execute(
            select(rating_bucket, RequestEvent.body, func.count())
            .join(R, R.id == RequestEvent.request_id)
            .where(RequestEvent.kind == "rating", RequestEvent.created_at >= bounds[0],
                   RequestEvent.created_at < bounds[-1], *narrowing.clauses())
            .group_by(rating_bucket, RequestEvent.body)):
        if (row[1] or "").isdigit():
            levels.setdefault(row[0], {})[int(row[1])] = row[2]
    return counts, levels
