"""Counts for the staff home and this month's public figures for the lobby board."""

from __future__ import annotations

import statistics
from datetime import date, datetime

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.clock import day_end, day_start, month_start
from portal.satisfaction import FORMULA, satisfaction_rate
from portal.service_requests.models import RequestEvent, ServiceRequest
from portal.service_requests.service.queue import staff_scope
from portal.service_requests.service.rules import OPEN, RESOLVED, SUBMITTED
from portal.service_requests.service.sla import overdue_clause


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
    start = day_start(date.fromisoformat(first_day))
    end = day_end(date.fromisoformat(last_day))
    return select(ServiceRequest.owner_id).where(ServiceRequest.resolved_at >= start,
                                                 ServiceRequest.resolved_at < end,
                                                 ServiceRequest.owner_id.is_not(None))
