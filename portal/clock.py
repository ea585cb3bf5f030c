"""Time for the whole portal: the community's zone, "today here", conversions, and the daily
reference numbers (R20261129-0007, A20261129-0003).

Times are stored as aware UTC and shown in Asia/Shanghai. ``utcnow()`` is the one source of
"now": a test moves it with ``app.extensions["clock"]`` instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, upsert

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Now, aware UTC; the app's injected clock when it has one."""
    if has_app_context():
        injected = current_app.extensions.get("clock")
        if injected is not None:
            return injected()
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """An aware datetime as the community's wall-clock time."""
    return moment.astimezone(SHANGHAI)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def today() -> date:
    """The community's calendar day right now."""
    return local_day(utcnow())


def day_start(day: date) -> datetime:
    """Midnight at the start of a local calendar day, as an aware datetime."""
    return datetime.combine(day, time.min, SHANGHAI)


def day_end(day: date) -> datetime:
    """Midnight at the end of a local calendar day: the exclusive upper bound of that day."""
    return day_start(day + timedelta(days=1))


def month_start(moment: datetime) -> datetime:
    """Midnight on the first of the local month that ``moment`` falls in."""
    return day_start(local_day(moment).replace(day=1))


def from_local(wall_clock: datetime | None) -> datetime | None:
    """A time typed in the community's zone (a naive datetime-local value), made aware."""
    return wall_clock.replace(tzinfo=SHANGHAI) if wall_clock else None


def to_local_input(moment: datetime | None) -> datetime | None:
    """An aware datetime as the naive local time a datetime-local input shows."""
    return moment.astimezone(SHANGHAI).replace(tzinfo=None) if moment else None


def day_code(moment: datetime) -> str:
    """The local day as YYYYMMDD, the middle of a reference."""
    return local_day(moment).strftime("%Y%m%d")


class DailyCounter(Base):
    """The last number a reference series handed out on one local day."""

    __tablename__ = "daily_counter"

    series: Mapped[str] = mapped_column(String(4), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


def next_daily_number(session: Session, prefix: str, day: date) -> str:
    """The next reference of ``prefix``'s series on a local calendar day: R20261129-0007.

    The upsert is one atomic statement that takes the counter row's write lock, so concurrent
    submissions each get their own number and no number is given out twice.
    """
    code = day.strftime("%Y%m%d")
    statement = (upsert(session, DailyCounter).values(series=prefix, day=code, last=1)
                 .on_conflict_do_update(index_elements=["series", "day"],
                                        set_={"last": DailyCounter.last + 1})
                 .returning(DailyCounter.last))
    number = session.execute(statement).scalar_one()
    return f"{prefix}{code}-{number:04d}"


class FixedClock:
    """A clock that stands still until moved: ``app.extensions["clock"] = FixedClock(t)``."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment
