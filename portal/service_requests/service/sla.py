"""Deadlines: first response and resolution by priority, the rating window, what is overdue.

A deadline is the time it was filed plus the priority's hours, moved into the office's hours
(``workdays.OfficeHours.within_deadline``: outside them, the close of the office day it belongs
to), except P1's, which run round the clock. It is stored so, once: the resident's page,
the queue, the overdue flag, the escalations and the figures all read the same moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from portal.service_requests.models import ServiceRequest
from portal.service_requests.service.rules import OPEN, RESOLVED
from portal.workdays import OfficeHours

# P1 is urgent and affects many households (a burst pipe, people stuck in a lift): the duty
# worker answers at any hour, so its deadlines stay on the real clock. Moved to the next
# working day's close, a P1 filed on Friday evening would have been due on Monday.
ROUND_THE_CLOCK = 1

CONFIG_DEFAULTS = {
    "REQUEST_SLA_P1_RESPONSE_HOURS": 2, "REQUEST_SLA_P1_RESOLVE_HOURS": 24,
    "REQUEST_SLA_P2_RESPONSE_HOURS": 8, "REQUEST_SLA_P2_RESOLVE_HOURS": 72,
    "REQUEST_SLA_P3_RESPONSE_HOURS": 24, "REQUEST_SLA_P3_RESOLVE_HOURS": 168,
    "REQUEST_RATING_DAYS": 7,
    # Overdue by more than this, an open request goes to the deputy directors (once).
    "REQUEST_ESCALATE_AFTER_HOURS": 24,
}


@dataclass(frozen=True)
class Sla:
    hours: dict[int, tuple[float, float]]  # priority -> (first response, resolution)
    rating_days: int = 7
    office: OfficeHours | None = None  # None: round the clock

    @classmethod
    def from_config(cls, config=None) -> Sla:
        config = config if config is not None else current_app.config
        hours = {p: (float(config[f"REQUEST_SLA_P{p}_RESPONSE_HOURS"]),
                     float(config[f"REQUEST_SLA_P{p}_RESOLVE_HOURS"])) for p in (1, 2, 3)}
        return cls(hours=hours, rating_days=int(config["REQUEST_RATING_DAYS"]),
                   office=OfficeHours.parse(config["OFFICE_HOURS"]))

    def deadlines(self, start: datetime, priority: int,
                  holidays: Mapping[date, bool] | None = None) -> tuple[datetime, datetime]:
        """``holidays``: the office's own holiday table (``office_holidays``)."""
        respond, resolve = (start + timedelta(hours=h) for h in self.hours[priority])
        if self.office is None or priority == ROUND_THE_CLOCK:
            return respond, resolve
        return (self.office.within_deadline(respond, holidays),
                self.office.within_deadline(resolve, holidays))


def office_holidays(session: Session) -> dict[date, bool]:
    """The one holiday table staff keep (on the aid settings page): day -> is a working day."""
    from portal.aid.service import holiday_overrides  # the aid area owns the table

    return holiday_overrides(session)


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
