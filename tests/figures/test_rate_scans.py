"""The figures' shared scans give exactly what the definitions in rates.py give: the trend's
ranges (one UNION ALL branch per month) what request_counts and rating_counts give for each
range on its own, and the four
breakdowns from one grouping what request_counts and rating_counts give by each. Over the
hand-built November, with its reopened, merged, withdrawn and not-yet-due requests and a
rating a month after its request, and a year of bulk requests around it, narrowed every way."""

from __future__ import annotations

from datetime import date

import pytest

from portal.clock import day_start
from portal.figures.periods import month_period, trend_bounds
from portal.service_requests import demo
from portal.service_requests.service import (
    Narrowing,
    grouped_counts,
    grouped_ratings,
    range_counts,
    rating_counts,
    request_counts,
)
from portal.service_requests.service.rates import GROUPS

from .conftest import NOW


@pytest.fixture
def year(app, db, november):
    with app.app_context():
        demo.generate(db, 300)
    db.commit()
    return november


def _narrowings(november):
    return [Narrowing(), Narrowing(building="3号楼"), Narrowing(building="无此楼"),
            Narrowing(category=november["categories"]["dispute"].id),
            Narrowing(role="grid_worker"), Narrowing(assignee=november["staff"].id)]


def test_ranges_equal_the_bucketed_definition(app_context, db, year):
    months = [day_start(day) for day in trend_bounds(month_period("2026-11"))]
    days = [day_start(date(2026, 11, day)) for day in (1, 3, 4, 13, 28, 30)]
    for bounds in (months, months[5:], days, months[-2:]):
        for narrowing in _narrowings(year):
            expected_counts, expected_levels = {}, {}
            for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
                counts = request_counts(db, start, end, NOW, narrowing)
                if counts and counts[0]["population"]:
                    expected_counts[index] = {"bucket": index, **counts[0]}
                rated = rating_counts(db, start, end, narrowing)
                if rated and rated[0]["levels"]:
                    expected_levels[index] = rated[0]["levels"]
            assert range_counts(db, bounds, NOW, narrowing) == (
                expected_counts, expected_levels), (bounds, narrowing)
    counts, levels = range_counts(db, months, NOW)
    assert counts[11]["population"] >= 7 and sum(levels[11].values()) >= 4  # not vacuous


def _by_group(rows):
    return {row["group"]: {key: int(value) if key != "group" and not isinstance(value, dict)
                           else value for key, value in row.items()} for row in rows}


def test_one_grouping_equals_each_breakdown(app_context, db, year):
    for period in (month_period("2026-11"), month_period("2026-10"),
                   month_period("2026-12"), month_period("2025-01")):
        for narrowing in _narrowings(year):
            counts = grouped_counts(db, period.start, period.end, NOW, narrowing)
            ratings = grouped_ratings(db, period.start, period.end, narrowing)
            for by in GROUPS:
                assert _by_group(counts[by]) == _by_group(request_counts(
                    db, period.start, period.end, NOW, narrowing, by=by)), (period, by)
                assert _by_group(ratings[by]) == _by_group(rating_counts(
                    db, period.start, period.end, narrowing, by=by)), (period, by)
    november = month_period("2026-11")
    assert len(grouped_counts(db, november.start, november.end, NOW)["building"]) >= 2
    assert len(grouped_ratings(db, november.start, november.end)["building"]) >= 2
