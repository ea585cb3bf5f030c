"""The population counts and rating levels of a period by every breakdown at once, by the
definitions in rates.py: one statement for the counts and one for the ratings, grouped by
building, category, team and assignee together, then summed per breakdown here. The counts
are sums, so summing the finer groups gives exactly what rates.request_counts(by=...) and
rates.rating_counts(by=...) give, from one scan of the period instead of four."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.service_requests.models import RequestEvent
from portal.service_requests.service.rates import (
    GROUPS,
    Narrowing,
    R,
    _population,
    _rate_columns,
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
    """{by: rows as rates.rating_counts(..., by=by) returns them} for every ``by``."""
    e = RequestEvent
    found: dict[str, dict] = {by: {} for by in GROUPS}
    for row in session.execute(
            select(e.body, func.count(), *GROUPS.values())
            .join(R, R.id == e.request_id)
            .where(e.kind == "rating", e.created_at >= start, e.created_at < end,
                   *narrowing.clauses())
            .group_by(e.body, *GROUPS.values())):
        level = int(row[0]) if (row[0] or "").isdigit() else 0
        for by, key in zip(GROUPS, row[2:], strict=True):
            levels = found[by].setdefault(key, {})
            levels[level] = levels.get(level, 0) + row[1]
    return {by: [{"group": key, "levels": levels} for key, levels in groups.items()]
            for by, groups in found.items()}
