"""Counts for the staff home and this month's public figures for the lobby board."""

from __future__ import annotations

import weakref
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.clock import day_end, day_start, month_start
from portal.db import bounded_count
from portal.satisfaction import FORMULA
from portal.service_requests.models import RequestEvent, ServiceRequest
from portal.service_requests.service import rates
from portal.service_requests.service.queue import open_clause, staff_scope
from portal.service_requests.service.rules import RESOLVED, SUBMITTED
from portal.service_requests.service.sla import overdue_clause

# The staff home counts this far and then says "999+": the numbers are there to say
# where to look, and counting stays as cheap at a million requests as at a thousand.
PANEL_COUNT_LIMIT = 999


def _bounded_count(*conditions):
    return bounded_count(ServiceRequest.id, *conditions, limit=PANEL_COUNT_LIMIT)


def panel_counts(session: Session, user: User, now: datetime) -> dict:
    """New, mine, overdue, awaiting rating and reopened, in one statement. Each count reads
    the partial index over open requests (or the status index) and stops at
    PANEL_COUNT_LIMIT + 1: ``capped`` names the counts that went past it."""
    r, scope, is_open = ServiceRequest, staff_scope(user), open_clause()
    counts = {
        "new": _bounded_count(scope, is_open, r.status == SUBMITTED),
        "mine": _bounded_count(is_open, r.assignee_id == user.id),
        "overdue": _bounded_count(scope, is_open, overdue_clause(now, is_open)),
        "awaiting_rating": _bounded_count(scope, r.status == RESOLVED),
        "flagged": _bounded_count(scope, is_open, r.flagged.is_(True)),
    }
    row = session.execute(select(*[value.label(key) for key, value in counts.items()])).one()
    values = {key: min(value or 0, PANEL_COUNT_LIMIT) for key, value in row._mapping.items()}
    values["capped"] = {key for key, value in row._mapping.items()
                        if (value or 0) > PANEL_COUNT_LIMIT}
    return values


# The month's figures per database engine, keyed on the month and the newest timeline
# event: every change to a request writes one, so a new event is the only thing that can
# change them. Each worker keeps its own copy; none needs another's.
_MONTH_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def month_figures(session: Session, now: datetime) -> dict:
    """This month's public figures: counts and a rate, no personal data. Computed once per
    change (see _MONTH_CACHE); a repeat costs one primary-key lookup."""
    start = month_start(now)
    key = (start, session.scalar(select(func.max(RequestEvent.id))))
    engine = session.get_bind()
    cached = _MONTH_CACHE.get(engine)
    if cached is not None and cached[0] == key:
        return cached[1]
    figures = _compute_month_figures(session, start, now)
    _MONTH_CACHE[engine] = (key, figures)
    return figures


def _compute_month_figures(session: Session, start: datetime, now: datetime) -> dict:
    """The figures page's definitions (rates.py) for this month: received is the population
    (less those withdrawn before any answer and duplicates), resolved those resolved in the
    month, satisfaction over the ratings given in it."""
    end = month_start(start + timedelta(days=32))
    received = rates.request_counts(session, start, end, now)[0]["population"] or 0
    resolved = rates.resolved_in_period(session, start, end)
    median = rates.time_percentiles(session, start, end).get(None, {}).get(
        "response", [None])[0]
    rated = rates.rating_counts(session, start, end)
    satisfied, valid = rates.satisfaction(rated[0]["levels"] if rated else {})
    return {"received": int(received), "resolved": resolved,
            "median_response_minutes": median,
            "satisfaction": satisfied / valid if valid else None, "ratings": valid,
            "formula": FORMULA}


def figures_fingerprint(now: datetime, profile=None) -> list:
    """SQL expressions that change whenever this month's figures could change: the month,
    and the newest timeline event (every change writes one; the primary key answers it
    without reading the table)."""
    return [literal(month_start(now).strftime("%Y%m")),
            select(func.max(RequestEvent.id)).scalar_subquery()]


def resolved_between_statement(first_day: str, last_day: str) -> Select:
    """Owners of requests resolved between two Shanghai dates (inclusive): a survey audience."""
    start = day_start(date.fromisoformat(first_day))
    end = day_end(date.fromisoformat(last_day))
    return select(ServiceRequest.owner_id).where(ServiceRequest.resolved_at >= start,
                                                 ServiceRequest.resolved_at < end,
                                                 ServiceRequest.owner_id.is_not(None))
