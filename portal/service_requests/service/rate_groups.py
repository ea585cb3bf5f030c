"""The population counts and rating levels of a period by every breakdown at once, by the
definitions in rates.py: one statement for the counts and one for the ratings, grouped by
building, category, team and assignee together, then summed per breakdown here. The counts
are sums, so summing the finer groups gives exactly what rates.request_counts(by=...) and
rates.rating_counts(by=...) give, from one scan of the period instead of four."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, distinct, func, literal, select
from sqlalchemy.orm import Session

from portal.service_requests.service.rates import (
    GROUPS,
    REQUESTS_ROW,
    E,
    Narrowing,
    R,
    _population,
    _rate_columns,
    rating_given,
    satisfied_rating,
)

WHOLE = Narrowing()  # no narrowing: the whole community


def grouped_counts(session: Session, start: datetime, end: datetime, now: datetime,
                   narrowing: Narrowing = WHOLE) -> dict[str, list[dict]]:
    """{by: rows as rates.request_counts(..., by=by) returns them} for every ``by``."""
    columns = [column.label(f"by_{by}") for by, column in GROUPS.items()]
    found: dict[str, dict] = {by: {} for by in GROUPS}
    for row in session.execute(select(*columns, *_rate_columns(now))
                               .where(*_population(start, end, narrowing))
                               .group_by(*GROUPS.values())):
        values = dict(row._mapping)
        keys = {by: values.pop(f"by_{by}") for by in GROUPS}
        for by, key in keys.items():
            total = found[by].setdefault(key, {**dict.fromkeys(values, 0), "group": key})
            for name, value in values.items():
                total[name] += int(value or 0)
    return {by: list(rows.values()) for by, rows in found.items()}


def grouped_ratings(session: Session, start: datetime, end: datetime,
                    narrowing: Narrowing = WHOLE) -> dict[str, list[dict]]:
    """{by: rows as rates.rating_counts(..., by=by) returns them} for every ``by``. A request
    sits in one finest group, so its distinct requests add up per breakdown too."""
    where = (rating_given(start, end), *narrowing.clauses())
    groups = [column.label(f"by_{by}") for by, column in GROUPS.items()]
    levels = (select(E.body.label("key"), func.count().label("n"), literal(0).label("m"),
                     *groups)
              .join(R, R.id == E.request_id).where(*where).group_by(E.body, *GROUPS.values()))
    rated = (select(literal(REQUESTS_ROW).label("key"),
                    func.count(distinct(E.request_id)).label("n"),
                    func.count(distinct(case((satisfied_rating(), E.request_id)))).label("m"),
                    *groups)
             .join(R, R.id == E.request_id).where(*where).group_by(*GROUPS.values()))
    found: dict[str, dict] = {by: {} for by in GROUPS}
    for row in session.execute(levels.union_all(rated)):
        for by in GROUPS:
            key = getattr(row, f"by_{by}")
            group = found[by].setdefault(key, {"levels": {}, "rated_requests": 0,
                                               "satisfied_requests": 0})
            if row.key == REQUESTS_ROW:
                group["rated_requests"] += int(row.n)
                group["satisfied_requests"] += int(row.m)
            elif (row.key or "").isdigit():
                group["levels"][int(row.key)] = group["levels"].get(int(row.key), 0) + row.n
    return {by: [{"group": key, **value} for key, value in groups.items()
                 if value["rated_requests"]] for by, groups in found.items()}
