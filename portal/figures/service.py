"""The director's figures: one function builds every figure of a period, for the page, the
JSON, the monthly report and its snapshot. Never commits."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.clock import local_day
from portal.figures import followups, others, requests
from portal.figures.models import MonthlyReport
from portal.figures.periods import Period, month_period, previous_month
from portal.notifications.service import notify

BREAKDOWNS = {"category": _l("By category"), "building": _l("By building"),
              "role": _l("By team"), "assignee": _l("By staff member"),
              "channel": _l("By channel")}
WITH_TIMES = ("role", "assignee")
REPORT_MESSAGE = _l("The work report for %(month)s is ready.")


def figures(session: Session, period: Period, narrowing, now: datetime) -> dict:
    """Everything on /staff/figures, as plain data (numbers, keys, dates and labels)."""
    if session.get_bind().dialect.name == "postgresql":
        # For this transaction only: a year's scan is costed past jit_above_cost, and JIT
        # then spent 100-270 ms compiling a statement that runs in 20; and parallel workers
        # made every month page a third slower on two busy cores (the leader waits for
        # workers that get no CPU), where a page's few thousand rows gain nothing from them.
        session.execute(text("SELECT set_config('jit', 'off', true), "
                             "set_config('max_parallel_workers_per_gather', '0', true)"))
    grouped = requests.grouped(session, period, narrowing, now)
    return {
        "period": {"first_day": period.first_day, "last_day": period.last_day,
                   "month": period.month},
        "requests": requests.summary(session, period, narrowing, now),
        "breakdowns": {by: requests.breakdown(session, period, narrowing, now, by,
                                              with_times=by in WITH_TIMES, grouped=grouped)
                       for by in BREAKDOWNS},
        "trend": requests.trend(session, period, narrowing, now),
        "follow_ups": followups.on_time_figure(session, period.start, period.end, now),
        "aid": others.aid(session, period, now),
        "activities": others.activities(session, period, now),
        "surveys": others.surveys(session),
        "needs": others.needs_map(session),
    }


def figures_for(session: Session, period: Period, narrowing, now: datetime):
    """The figures as plain JSON data, and the stored report they came from: a finished month
    of the whole community is read from its snapshot (it does not change once stored, and
    costs one statement); anything else is computed."""
    if period.month and not narrowing.clauses():
        stored = stored_report(session, period.month)
        if stored is not None:
            return stored.data, stored
    return as_json(figures(session, period, narrowing, now)), None


def as_json(data) -> object:
    """Dates as ISO strings, lazy labels as text: what /staff/figures.json and a stored
    report hold."""
    if isinstance(data, dict):
        return {str(key): as_json(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [as_json(value) for value in data]
    if isinstance(data, date | datetime):
        return data.isoformat()
    if data is None or isinstance(data, bool | int | float | str):
        return data
    return str(data)


# --- Monthly reports ------------------------------------------------------------------------

def stored_report(session: Session, month: str) -> MonthlyReport | None:
    return session.scalar(select(MonthlyReport).where(MonthlyReport.month == month))


def stored_reports(session: Session, limit: int = 120) -> list[MonthlyReport]:
    return list(session.scalars(select(MonthlyReport).order_by(MonthlyReport.month.desc())
                                .limit(limit)))


def snapshot(session: Session, month: str, now: datetime) -> MonthlyReport | None:
    """Store a finished month's figures once; None when it is stored already or not over."""
    from portal.service_requests.service import Narrowing

    period = month_period(month)
    if period.end > now or stored_report(session, month) is not None:
        return None
    report = MonthlyReport(month=month, created_at=now,
                           data=as_json(figures(session, period, Narrowing(), now)))
    session.add(report)
    return report


def snapshot_last_month(session: Session, now: datetime) -> MonthlyReport | None:
    """The scheduler's job on the first of a month: store the month just ended and tell the
    director."""
    from portal.accounts.models import User
    from portal.accounts.roles import Role

    month = previous_month(local_day(now).replace(day=1)).strftime("%Y-%m")
    report = snapshot(session, month, now)
    if report is not None:
        directors = list(session.scalars(select(User.id).where(
            User.role == Role.DIRECTOR.value, User.active.is_(True))))
        if directors:
            notify(session, directors, REPORT_MESSAGE,
                   link=f"/staff/figures/report?month={month}", month=month)
    return report


def month_choices(now: datetime, count: int = 24) -> list[str]:
    first = local_day(now).replace(day=1)
    months = []
    for _ in range(count):
        months.append(first.strftime("%Y-%m"))
        first = previous_month(first)
    return months

