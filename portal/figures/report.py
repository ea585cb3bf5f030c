"""The monthly report's tables as spreadsheet rows and its charts, from the figures' plain
data (live or stored), so the page, the download and the snapshot agree."""

from __future__ import annotations

from flask_babel import lazy_pgettext

from portal.figures.charts import bar_chart
from portal.figures.requests import RATES, TABLE_RATES
from portal.satisfaction import Level

HEADERS = (
    lazy_pgettext("report column", "Section"),
    lazy_pgettext("report column", "Figure"),
    lazy_pgettext("report column", "Rate"),
    lazy_pgettext("report column", "Numerator"),
    lazy_pgettext("report column", "Denominator"),
)
SECTIONS = {
    "requests": lazy_pgettext("report section", "Requests"),
    "levels": lazy_pgettext("report section", "Ratings"),
    "times": lazy_pgettext("report section", "Times (minutes)"),
    "follow_ups": lazy_pgettext("report section", "Follow-up of bad ratings"),
    "aid": lazy_pgettext("report section", "Aid"),
    "activities": lazy_pgettext("report section", "Activities"),
}
TIME_NAMES = {
    ("response", "median"): lazy_pgettext("report row", "First response, median"),
    ("response", "p90"): lazy_pgettext("report row", "First response, 90th percentile"),
    ("resolution", "median"): lazy_pgettext("report row", "Resolution, median"),
    ("resolution", "p90"): lazy_pgettext("report row", "Resolution, 90th percentile"),
}


def _percent(value):
    return None if value is None else round(value * 100, 1)


def _rate_row(section, name, found):
    return [section, name, _percent(found["value"]), found["numerator"], found["denominator"]]


def rows(data: dict) -> list[list]:
    figures = data["requests"]
    found = [[SECTIONS["requests"], lazy_pgettext("report row", "Requests counted"), None,
              figures["population"], None]]
    for key, (label, _formula) in RATES.items():
        found.append(_rate_row(SECTIONS["requests"], label, figures["rates"][key]))
    for entry in figures["levels"]:
        found.append([SECTIONS["levels"], Level(entry["level"]).label, None, entry["count"],
                      None])
    for (name, which), label in TIME_NAMES.items():
        found.append([SECTIONS["times"], label, None,
                      figures["times"].get(name, {}).get(which), None])
    for by, breakdown in data["breakdowns"].items():
        for row in breakdown:
            for key in TABLE_RATES:
                found.append(_rate_row(f"{by}: {row['label'] or '—'}", RATES[key][0],
                                       row["rates"][key]))
    follow = data["follow_ups"]
    found.append(_rate_row(SECTIONS["follow_ups"],
                           lazy_pgettext("report row", "Followed up on time"), follow))
    aid = data["aid"]
    found.append(_rate_row(SECTIONS["aid"],
                           lazy_pgettext("report row", "Stages finished in time"),
                           aid["stages_on_time"]))
    found.append([SECTIONS["aid"], lazy_pgettext("report row", "Returned for materials"), None,
                  aid["returned"], None])
    found.append([SECTIONS["aid"],
                  lazy_pgettext("report row", "Complete the first time after the notice"),
                  None, aid["complete_first_time"], aid["returned"]])
    activities = data["activities"]
    found.append([SECTIONS["activities"], lazy_pgettext("report row", "Sign-ups"), None,
                  activities["signups"], None])
    found.append(_rate_row(SECTIONS["activities"],
                           lazy_pgettext("report row", "Attendance"), activities["attendance"]))
    found.append([SECTIONS["activities"], lazy_pgettext("report row", "Waitlist promotions"),
                  None, activities["promotions"], None])
    return [[str(cell) if hasattr(cell, "_args") else cell for cell in row] for row in found]


def trend_charts(data: dict) -> list[dict]:
    """One bar chart per rate over the twelve months of the trend."""
    months = data["trend"]
    return [{"key": key, "label": RATES[key][0],
             "chart": bar_chart([(month["month"][5:], month["rates"][key]["value"])
                                 for month in months])}
            for key in TABLE_RATES]
