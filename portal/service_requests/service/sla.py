"""Deadlines: first response and resolution by priority, the rating window, what is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_

from portal.service_requests.models import ServiceRequest
from portal.service_requests.service.rules import OPEN, RESOLVED

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


def rating_open(request: ServiceRequest, now: datetime, sla: Sla | None = None) -> bool:
    sla = sla or Sla.from_config()
    return (request.status == RESOLVED and request.resolved_at is not None
            and now < request.resolved_at + timedelta(days=sla.rating_days))


def overdue_clause(now: datetime, is_open=None):
    """Open and past a deadline. ``is_open`` is the open-status clause to use (queue's
    open_clause, which the partial indexes recognise); by default a plain IN."""
    is_open = ServiceRequest.status.in_(OPEN) if is_open is None else is_open
    return and_(is_open, or_(
        and_(ServiceRequest.first_response_at.is_(None), ServiceRequest.respond_by < now),
        ServiceRequest.resolve_by < now))


def is_overdue(request, now: datetime) -> bool:
    """``request`` is a ServiceRequest or a row with its status and deadline columns."""
    if request.status not in OPEN:
        return False
    return (request.first_response_at is None and request.respond_by < now) or \
        request.resolve_by < now


def next_deadline(request) -> datetime | None:
    """The deadline a request works against next (models.NEXT_DEADLINE, the queue's order):
    the first response until it is given, then the resolution; None once it is closed."""
    if request.status not in OPEN:
        return None
    return request.respond_by if request.first_response_at is None else request.resolve_by
