"""The request figures of a period: each rate with its numerator, denominator and formula,
the times, the breakdowns and the twelve-month trend. All from the requests service's SQL
aggregates; nothing here loads a row per request."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.clock import day_start
from portal.figures.models import MonthlyReport
from portal.figures.periods import Period, trend_bounds
from portal.satisfaction import Level
from portal.service_requests import service as requests

RATES = {
    "response": (_l("Response rate"), _l(
        "Requests first answered by staff within their response deadline ÷ requests that "
        "have been answered, or whose response deadline has passed.")),
    "on_time": (_l("On-time resolution rate"), _l(
        "Requests resolved within their resolution deadline ÷ requests resolved, or whose "
        "resolution deadline has passed.")),
    "resolution": (_l("Resolution rate"), _l(
        "Requests resolved or closed and not reopened since ÷ all requests received in the "
        "period, not counting those withdrawn before any staff answer or merged as "
        "duplicates.")),
    "satisfaction": (_l("Satisfaction rate"), _l(
        "(Very satisfied + satisfied) ÷ all valid ratings given in the period. “Fairly "
        "satisfied” is shown separately and not counted as satisfied.")),
    "rating_rate": (_l("Rating rate"), _l(
        "Ratings given in the period ÷ requests resolved in the period.")),
}
TABLE_RATES = ("response", "on_time", "resolution", "satisfaction")


def rate(numerator: int, denominator: int) -> dict:
    return {"numerator": int(numerator or 0), "denominator": int(denominator or 0),
            "value": (numerator / denominator) if denominator else None}


def _satisfaction(levels: dict) -> dict:
    valid = sum(count for level, count in levels.items() if level in Level._value2member_map_)
    satisfied = levels.get(Level.VERY_SATISFIED, 0) + levels.get(Level.SATISFIED, 0)
    return rate(satisfied, valid)


def _rates(counts: dict, levels: dict, resolved: int | None = None) -> dict:
    found = {
        "response": rate(counts.get("responded_on_time", 0), counts.get("response_due", 0)),
        "on_time": rate(counts.get("resolved_on_time", 0), counts.get("resolution_due", 0)),
        "resolution": rate(counts.get("resolved_or_closed", 0), counts.get("population", 0)),
        "satisfaction": _satisfaction(levels),
    }
    if resolved is not None:
        ratings = sum(count for level, count in levels.items()
                      if level in Level._value2member_map_)
        found["rating_rate"] = rate(ratings, resolved)
    return found


def _levels(levels: dict) -> list[dict]:
    return [{"level": int(level), "count": levels.get(int(level), 0)} for level in
            sorted(Level, reverse=True)]


def queue_args(period: Period, narrowing, which: str = "") -> dict:
    """The staff queue's query for the requests behind a figure. The queue knows status,
    category, building, team and assignee; ``received_from``/``received_to`` and ``figure``
    name the period and the rate for when the queue learns them."""
    args = {"status": "all", "received_from": period.first_day.isoformat(),
            "received_to": period.last_day.isoformat()}
    if narrowing.category:
        args["category"] = narrowing.category
    if narrowing.building:
        args["building"] = narrowing.building
    if narrowing.role in {role.value for role in requests.ROUTING_ROLES}:
        args["team"] = narrowing.role
    if narrowing.assignee:
        args["assignee"] = narrowing.assignee
    if which:
        args["figure"] = which
    return args


def summary(session: Session, period: Period, narrowing, now: datetime) -> dict:
    """The headline figures: five rates, the rating levels, the times. Five statements."""
    counts = requests.request_counts(session, period.start, period.end, now, narrowing)[0]
    rated = requests.rating_counts(session, period.start, period.end, narrowing)
    levels = rated[0]["levels"] if rated else {}
    resolved = requests.resolved_in_period(session, period.start, period.end, narrowing)
    times = requests.time_percentiles(session, period.start, period.end, narrowing).get(None, {})
    return {"population": int(counts["population"] or 0),
            "rates": _rates(counts, levels, resolved),
            "levels": _levels(levels),
            "resolved_in_period": resolved,
            "times": {name: {"median": value[0], "p90": value[1]}
                      for name, value in times.items()}}


def _group_labels(session: Session, by: str, keys) -> dict:
    keys = [key for key in keys if key is not None]
    if by == "category":
        locale = str(get_locale() or "zh") if has_request_context() else "zh"
        return {c.id: c.name(locale) for c in requests.categories(session, active_only=False)}
    if by == "role":
        return {key: (Role(key).label if key in Role._value2member_map_ else key)
                for key in keys}
    if by == "assignee":  # asked even for no keys, so the page's statements stay constant
        return dict(session.execute(select(User.id, User.name).where(User.id.in_(keys))).all())
    return {key: key for key in keys}


def grouped(session: Session, period: Period, narrowing, now: datetime) -> tuple[dict, dict]:
    """The counts and rating levels of every breakdown, for ``breakdown(..., grouped=)``:
    two statements for all four."""
    return (requests.grouped_counts(session, period.start, period.end, now, narrowing),
            requests.grouped_ratings(session, period.start, period.end, narrowing))


def breakdown(session: Session, period: Period, narrowing, now: datetime, by: str,
              with_times: bool = False, grouped: tuple[dict, dict] | None = None
              ) -> list[dict]:
    """One row per building, category, team or staff member, with the worst cell of each
    rate marked. Two statements (none given ``grouped``; two more with the times), plus one
    for the labels."""
    if grouped is None:
        grouped = ({by: requests.request_counts(session, period.start, period.end, now,
                                                narrowing, by=by)},
                   {by: requests.rating_counts(session, period.start, period.end, narrowing,
                                               by=by)})
    counts = {row["group"]: row for row in grouped[0][by]}
    levels = {row["group"]: row["levels"] for row in grouped[1][by]}
    times = (requests.time_percentiles(session, period.start, period.end, narrowing, by=by)
             if with_times else {})
    keys = sorted(set(counts) | set(levels), key=lambda key: (key is None, str(key)))
    labels = _group_labels(session, by, keys)
    rows = []
    for key in keys:
        row_counts = counts.get(key, {})
        rows.append({"key": key, "label": labels.get(key, "") if key is not None else "",
                     "population": int(row_counts.get("population", 0) or 0),
                     "rates": _rates(row_counts, levels.get(key, {})),
                     "times": {name: {"median": value[0], "p90": value[1]}
                               for name, value in times.get(key, {}).items()},
                     "worst": []})
    for name in TABLE_RATES:
        values = [row["rates"][name]["value"] for row in rows
                  if row["rates"][name]["value"] is not None]
        if len(values) >= 2 and min(values) < max(values):
            for row in rows:
                if row["rates"][name]["value"] == min(values):
                    row["worst"].append(name)
    return rows


def trend(session: Session, period: Period, narrowing, now: datetime) -> list[dict]:
    """The twelve months ending with the period's month: the four rates per month. Months
    already stored by the monthly snapshot are read from it (the whole community only);
    the rest is one pair of statements over the months from the first one not stored."""
    starts = trend_bounds(period)
    names = [first.strftime("%Y-%m") for first in starts[:-1]]
    stored = {} if narrowing.clauses() else {
        report.month: report.data for report in session.scalars(
            select(MonthlyReport).where(MonthlyReport.month.in_(names)))}
    live_from = next((index for index, name in enumerate(names) if name not in stored),
                     len(names))
    counts, levels = ({}, {}) if live_from == len(names) else requests.range_counts(
        session, [day_start(day) for day in starts[live_from:]], now, narrowing)
    months = []
    for index, name in enumerate(names):
        if index < live_from:
            summary = stored[name]["requests"]
            months.append({"month": name, "population": summary["population"],
                           "rates": {key: summary["rates"][key] for key in TABLE_RATES}})
            continue
        row = counts.get(index - live_from, {})
        months.append({"month": name, "population": int(row.get("population", 0) or 0),
                       "rates": _rates(row, levels.get(index - live_from, {}))})
    return months
