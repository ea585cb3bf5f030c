"""The period a figure covers: a month (this one by default) or a custom range of days, and
the optional narrowing, both read from plain query arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from portal.clock import day_end, day_start, local_day
from portal.errors import DomainError
from portal.service_requests.service import Narrowing
from portal.web import typed
from portal.web.inputs import bounded_day, bounded_int

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # inclusive
    month: str = ""  # YYYY-MM when the period is one calendar month

    @property
    def start(self) -> datetime:
        return day_start(self.first_day)

    @property
    def end(self) -> datetime:
        return day_end(self.last_day)

    def as_args(self) -> dict:
        if self.month:
            return {"month": self.month}
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}


def month_period(month: str) -> Period:
    match = MONTH.match(month or "")
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2999:
        raise DomainError(_l("Choose a month such as 2026-11."), field="month")
    first = date(int(match[1]), int(match[2]), 1)
    return Period(first, next_month(first) - timedelta(days=1), month=month)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def this_month(now: datetime) -> Period:
    return month_period(local_day(now).strftime("%Y-%m"))


def _day(raw: str, field: str) -> date:
    day = bounded_day(raw)
    if day is None:
        raise DomainError(_l("Enter a date such as 2026-11-01."), field=field)
    return day


def period_from_args(args, now: datetime) -> Period:
    """``month=YYYY-MM``, or ``from`` and ``to`` dates, or this month."""
    first, last = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if first or last:
        first_day = _day(first, "from") if first else None
        last_day = _day(last, "to") if last else local_day(now)
        if first_day is None:
            raise DomainError(_l("Enter the first day of the range."), field="from")
        if last_day < first_day:
            raise DomainError(_l("The last day comes before the first."), field="to")
        if (last_day - first_day).days >= MAX_DAYS:
            raise DomainError(_l("Choose a range of at most a year."), field="to")
        return Period(first_day, last_day)
    if args.get("month"):
        return month_period(args.get("month").strip())
    return this_month(now)


def trend_bounds(period: Period, months: int = 12) -> list[date]:
    """The first days of the ``months`` months ending with the period's last month, plus the
    first day after them."""
    first = period.last_day.replace(day=1)
    starts = [first]
    for _ in range(months - 1):
        starts.insert(0, previous_month(starts[0]))
    return [*starts, next_month(first)]


def narrowing_from_args(args, roles: set[str]) -> Narrowing:
    role = args.get("role", "")
    return Narrowing(building=typed.building((args.get("building") or "").strip())[:20],
                     category=bounded_int(args.get("category")) or None,
                     role=role if role in roles else "",
                     assignee=bounded_int(args.get("assignee")) or None)


def narrowing_args(narrowing: Narrowing) -> dict:
    values = {"building": narrowing.building, "category": narrowing.category,
              "role": narrowing.role, "assignee": narrowing.assignee}
    return {key: value for key, value in values.items() if value}
