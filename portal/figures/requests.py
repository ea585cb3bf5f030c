"""The request figures of a period: each rate with its numerator, denominator and formula,
the times, the breakdowns and the twelve-month trend. All from the requests service's SQL
aggregates; nothing here loads a row per request."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context
from flask_babel import get_locale, lazy_pgettext
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
    # A context of its own: a survey's "response rate" is its 回收率, this one is 响应率.
    "response": (lazy_pgettext("request figures", "Response rate"), _l(
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


def _valid(levels: dict) -> int:
    return requests.satisfaction(levels)[1]


def _satisfaction(levels: dict) -> dict:
    return rate(*requests.satisfaction(levels))


# Each rate's numerator and denominator as the staff queue's ?figure= names.
FIGURES = {"response": ("responded_on_time", "response_counted"),
           "on_time": ("resolved_on_time", "resolution_counted"),
           "resolution": ("solved", "population"),
           "satisfaction": ("satisfied", "rated"),
           "rating_rate": ("rated", "resolved_in_period")}


def _rates(counts: dict, levels: dict, resolved: int | None = None,
           rated: dict | None = None) -> dict:
    """The rates, each with ``requests``: how many requests the queue lists behind its
    numerator and denominator (the number itself, but for ratings: a request rated twice in
    the period is two ratings and one request)."""
    found = {
        "response": rate(counts.get("responded_on_time", 0), counts.get("response_due", 0)),
        "on_time": rate(counts.get("resolved_on_time", 0), counts.get("resolution_due", 0)),
        "resolution": rate(counts.get("resolved_or_closed", 0), counts.get("population", 0)),
        "satisfaction": _satisfaction(levels),
    }
    if resolved is not None:
        found["rating_rate"] = rate(_valid(levels), resolved)
    if rated is None:
        return found
    behind = {"satisfied": rated.get("satisfied_requests", 0),
              "rated": rated.get("rated_requests", 0)}
    for key, value in found.items():
        numerator, denominator = FIGURES[key]
        value["requests"] = {"numerator": behind.get(numerator, value["numerator"]),
                             "denominator": behind.get(denominator, value["denominator"])}
    return found


def _levels(levels: dict) -> list[dict]:
    return [{"level": int(level), "count": levels.get(int(level), 0)} for level in
            sorted(Level, reverse=True)]


def queue_args(period: Period, narrowing, which: str = "", by: str | None = None,
               key=None) -> dict | None:
    """The staff queue's query for the requests behind one figure (``which``: a name of
    ``FIGURES``) of the period, narrowed as the page is and, for a breakdown row, to its
    ``by`` group ``key``. None when the queue has no filter for that group (a building left
    blank, a team that takes no requests)."""
    args = {"status": "all", "figure_from": period.first_day.isoformat(),
            "figure_to": period.last_day.isoformat()}
    groups = {"category": narrowing.category, "building": narrowing.building,
              "role": narrowing.role, "assignee": narrowing.assignee, "channel": ""}
    if by:
        groups[by] = "unassigned" if by == "assignee" and key is None else key
        if groups[by] in (None, ""):
            return None
    if groups["role"] and groups["role"] not in {role.value for role in
                                                  requests.ROUTING_ROLES}:
        return None
    for name, arg in (("category", "category"), ("building", "building"), ("role", "team"),
                      ("assignee", "assignee"), ("channel", "channel")):
        if groups[name]:
            args[arg] = groups[name]
    if which:
        args["figure"] = which
    return args


def summary(session: Session, period: Period, narrowing, now: datetime) -> dict:
    """The headline figures: five rates, the rating levels, the times. Five statements."""
    counts = requests.request_counts(session, period.start, period.end, now, narrowing)[0]
    rated = requests.rating_counts(session, period.start, period.end, narrowing)
    rated = rated[0] if rated else {}
    levels = rated.get("levels", {})
    resolved = requests.resolved_in_period(session, period.start, period.end, narrowing)
    times = requests.time_percentiles(session, period.start, period.end, narrowing).get(None, {})
    return {"population": int(counts["population"] or 0),
            "rates": _rates(counts, levels, resolved, rated),
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
    if by == "channel":
        return {key: str(requests.CHANNEL_LABELS.get(key, key)) for key in keys}
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
    rated = {row["group"]: row for row in grouped[1][by]}
    times = (requests.time_percentiles(session, period.start, period.end, narrowing, by=by)
             if with_times else {})
    keys = sorted(set(counts) | set(rated), key=lambda key: (key is None, str(key)))
    labels = _group_labels(session, by, keys)
    rows = []
    for key in keys:
        row_counts = counts.get(key, {})
        rows.append({"key": key, "label": labels.get(key, "") if key is not None else "",
                     "population": int(row_counts.get("population", 0) or 0),
                     "rates": _rates(row_counts, rated.get(key, {}).get("levels", {}),
                                     rated=rated.get(key, {})),
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
