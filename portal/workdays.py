"""The office's calendar: working days in mainland China (public holidays and make-up
working days) and the office's opening hours, for every deadline the portal gives.

chinese_calendar knows the State Council's holiday schedule for the years it was built
with; for any other year it raises NotImplementedError. Then we fall back to Monday to
Friday, corrected by the holiday table staff maintain (``overrides``: date -> is a workday).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar

from portal.clock import SHANGHAI


@lru_cache(maxsize=8192)
def _official_workday(day: date) -> bool | None:
    """The State Council's answer for this day, None for a year chinese_calendar doesn't
    know. Kept per process: the schedule is fixed, and a million deadlines (the bulk demo)
    asked for it two million times."""
    try:
        return chinese_calendar.is_workday(day)
    except (NotImplementedError, ValueError, KeyError):
        return None


def is_workday(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    official = _official_workday(day)
    if official is not None:
        return official
    if overrides and day in overrides:
        return overrides[day]
    return day.weekday() < 5


def add_working_days(start: date, count: int,
                     overrides: Mapping[date, bool] | None = None) -> date:
    """The date of the ``count``-th working day after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            remaining -= 1
    return day


def official_add_working_days(start: date, count: int) -> date | None:
    """add_working_days from the official calendar alone, or None when it meets a day of a
    year chinese_calendar doesn't know (then the staff's holiday table decides): the staff
    table is only read when it can change the answer."""
    day, remaining = start, count
    while remaining > 0:
        day += timedelta(days=1)
        official = _official_workday(day)
        if official is None:
            return None
        remaining -= official
    return day


def working_days_between(start: date, end: date,
                         overrides: Mapping[date, bool] | None = None) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day, overrides)
    return count


@dataclass(frozen=True)
class OfficeHours:
    """When the office is open on a working day, as ``PORTAL_OFFICE_HOURS`` says: "09:00-17:00"."""

    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> OfficeHours | None:
        """None for an empty setting: round the clock, every day. (Every page's footer says
        the hours: the setting is read once per text.)"""
        return _parsed_office_hours(cls, text)

    @classmethod
    def _parse(cls, text: str) -> OfficeHours | None:
        if not (text or "").strip():
            return None
        found = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})\s*", text or "")
        if not found:
            raise ValueError(f"office hours should read like 09:00-17:00, not {text!r}")
        h1, m1, h2, m2 = (int(part) for part in found.groups())
        opens, closes = time(h1, m1), time(h2, m2)
        if not opens < closes:
            raise ValueError(f"office hours should open before they close: {text!r}")
        return cls(opens, closes)

    def close_of(self, day: date) -> datetime:
        return datetime.combine(day, self.closes, SHANGHAI)

    def within_deadline(self, moment: datetime,
                        overrides: Mapping[date, bool] | None = None) -> datetime:
        """A deadline the office can keep: unchanged when it falls in office hours on a working
        day; otherwise the close of the office day it belongs to, the first working day whose
        close is not before it (Friday 02:37 is Friday 17:00; Friday 19:00 or Saturday 10:00 is
        Monday 17:00, or later after a holiday). It never comes sooner than promised."""
        here = moment.astimezone(SHANGHAI)
        day = here.date()
        if is_workday(day, overrides):
            if self.opens <= here.time() <= self.closes:
                return moment
            if here.time() < self.opens:
                return self.close_of(day)
        day += timedelta(days=1)
        while not is_workday(day, overrides):
            day += timedelta(days=1)
        return self.close_of(day)


@lru_cache(maxsize=16)
def _parsed_office_hours(kind, text: str) -> OfficeHours | None:
    return kind._parse(text)
