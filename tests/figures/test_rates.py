"""Every rate of the hand-built November, as numerator and denominator (see conftest)."""

from __future__ import annotations

from portal.figures import requests as figures
from portal.figures.periods import month_period
from portal.service_requests.service import Narrowing

from .conftest import NOW


def _pair(found):
    return found["numerator"], found["denominator"]


def test_the_five_rates_of_november(app_context, db, november):
    result = figures.summary(db, month_period("2026-11"), Narrowing(), NOW)
    assert result["population"] == 7
    rates = result["rates"]
    assert _pair(rates["response"]) == (5, 7)
    assert _pair(rates["on_time"]) == (2, 6)
    assert _pair(rates["resolution"]) == (3, 7)
    assert _pair(rates["satisfaction"]) == (2, 4)
    assert _pair(rates["rating_rate"]) == (4, 5)
    assert [row["count"] for row in result["levels"]] == [1, 1, 1, 1, 0]
    assert result["times"] == {"response": {"median": 60, "p90": 2880},
                               "resolution": {"median": 2880, "p90": 14460}}


def test_narrowing_and_breakdowns(app_context, db, november):
    period = month_period("2026-11")
    dispute = november["categories"]["dispute"].id
    narrowed = figures.summary(db, period, Narrowing(category=dispute), NOW)
    assert narrowed["population"] == 2  # C and J
    assert _pair(narrowed["rates"]["response"]) == (1, 2)
    assert _pair(narrowed["rates"]["resolution"]) == (0, 2)
    rows = {row["key"]: row for row in figures.breakdown(db, period, Narrowing(), NOW,
                                                         "category")}
    repair = november["categories"]["repair"].id
    assert _pair(rows[repair]["rates"]["response"]) == (4, 5)
    assert _pair(rows[dispute]["rates"]["response"]) == (1, 2)
    assert "response" in rows[dispute]["worst"] and "response" not in rows[repair]["worst"]
    teams = {row["key"]: row for row in figures.breakdown(db, period, Narrowing(), NOW, "role",
                                                          with_times=True)}
    assert teams["grid_worker"]["times"]["resolution"] == {"median": 2880, "p90": 14460}
    buildings = {row["key"]: row["population"] for row in figures.breakdown(
        db, period, Narrowing(), NOW, "building")}
    assert buildings == {"3号楼": 6, "5号楼": 1}


def test_a_later_period_and_the_trend(app_context, db, november):
    october = figures.summary(db, month_period("2026-10"), Narrowing(), NOW)
    assert october["population"] == 1  # I
    assert _pair(october["rates"]["resolution"]) == (1, 1)
    assert _pair(october["rates"]["satisfaction"]) == (0, 0)
    months = figures.trend(db, month_period("2026-11"), Narrowing(), NOW)
    assert len(months) == 12 and months[-1]["month"] == "2026-11"
    assert months[-1]["population"] == 7 and months[-2]["population"] == 1
    assert _pair(months[-1]["rates"]["satisfaction"]) == (2, 4)
    assert months[0]["rates"]["response"]["value"] is None

