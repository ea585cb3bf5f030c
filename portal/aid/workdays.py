"""Working days in mainland China: public holidays and make-up working days.

chinese_calendar knows the State Council's holiday schedule for the years it was built
with; for any other year it raises NotImplementedError. Then we fall back to Monday to
Friday, corrected by the holiday table staff maintain (``overrides``: date -> is a workday).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import chinese_calendar


def is_workday(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except (NotImplementedError, ValueError, KeyError):
        pass
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


def working_days_between(start: date, end: date,
                         overrides: Mapping[date, bool] | None = None) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day, overrides)
    return count
