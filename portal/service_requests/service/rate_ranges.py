"""The rates of consecutive periods (the figures' twelve-month trend), by the definitions in
rates.py: one statement of the population counts and one of the rating levels, each a
UNION ALL of one range per period. A range is read straight off the creation-time index
(ix_service_request_figures) and needs no per-row bucket: a CASE over twelve bounds on every
row, and the sort that groups by it, cost SQLite three times the scan itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from portal.service_requests.service.rates import (
    E,
    Narrowing,
    R,
    _population,
    _rate_columns,
    rating_given,
)

WHOLE = Narrowing()  # no narrowing: the whole community


def range_counts(session: Session, bounds: list[datetime], now: datetime,
                 narrowing: Narrowing = WHOLE) -> tuple[dict, dict]:
    """For each period of ``bounds`` (period starts plus the final end) what
    rates.request_counts and rates.rating_counts give for it: ({index: counts}, {index:
    {level: n}}), leaving out empty periods; two statements whatever the number of periods."""
    ranges = list(enumerate(zip(bounds, bounds[1:], strict=False)))
    counts = union_all(*[
        select(literal(index).label("bucket"), *_rate_columns(now))
        .where(*_population(start, end, narrowing)) for index, (start, end) in ranges])
    found = {row.bucket: dict(row._mapping) for row in session.execute(counts)
             if row.population}
    events = union_all(*[
        select(literal(index).label("bucket"), E.request_id, E.body)
        .where(rating_given(start, end)) for index, (start, end) in ranges]).subquery()
    ratings = (select(events.c.bucket, events.c.body, func.count().label("count"))
               .group_by(events.c.bucket, events.c.body))
    # Every event has its request (request_id is a non-null foreign key), so only a
    # narrowing needs the join, and then one join for all the ranges: joined in each
    # branch, a team's half of the table was read once per month.
    if narrowing.clauses():
        ratings = ratings.join(R, R.id == events.c.request_id).where(*narrowing.clauses())
    levels: dict = {}
    for row in session.execute(ratings):
        if (row.body or "").isdigit():
            levels.setdefault(row.bucket, {})[int(row.body)] = row.count
    return found, levels
