"""Follow-up of bad ratings and the stored monthly report."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.figures import followups
from portal.figures import service as figures
from portal.figures.models import MonthlyReport, RatingFollowUp
from portal.notifications.models import Notification
from tests.conftest import csrf_token, sign_in

from .conftest import NOW, at


def test_a_bad_rating_opens_a_follow_up_for_the_deputy(db, november):
    item = db.scalar(select(RatingFollowUp))
    assert item.request_id == november["requests"]["B"].id and item.rating == 2
    assert item.due_on == date(2026, 11, 20)  # five working days after Friday 13 November
    assert item.assignee.role == "deputy_director"
    assert db.scalar(select(RatingFollowUp).where(RatingFollowUp.id != item.id)) is None


def test_on_time_figure_and_the_overdue_notice(app, db, november):
    period_start, period_end = at(1, 0), at(1, 0, month=12)
    assert followups.on_time_figure(db, period_start, period_end, NOW) == {
        "numerator": 0, "denominator": 1, "open": 1, "total": 1, "value": 0.0}
    with app.app_context():
        assert followups.notify_overdue(db, NOW) == 1
        db.commit()
        assert followups.notify_overdue(db, NOW) == 0  # once
    director = november["director"]
    assert db.scalar(select(Notification).where(Notification.user_id == director.id,
                                                Notification.link.like("/staff/figures%")))
    before_due = at(19, 12)
    assert followups.on_time_figure(db, period_start, period_end, before_due)["denominator"] == 0


def test_recording_a_follow_up(app, db, november):
    client = app.test_client()
    sign_in(client, november["director"])
    item = db.scalar(select(RatingFollowUp))
    path = f"/staff/figures/follow-ups/{item.id}"
    token = csrf_token(client, path)
    refused = client.post(path, data={"csrf_token": token, "method": "call", "outcome": ""})
    assert refused.status_code == 422 and "请写下居民的意见" in refused.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": token, "method": "visit",
                                   "outcome": "居民说维修师傅没来。", "fix_plan": "明天派人",
                                   "fix_by": "2026-12-05", "view_changed": "y"})
    assert done.status_code == 302
    db.expire_all()
    item = db.get(RatingFollowUp, item.id)
    assert item.done_at is not None and item.view_changed and item.fix_by == date(2026, 12, 5)
    # Recorded on 3 December, after the 20 November date: followed up, not on time.
    assert followups.on_time_figure(db, at(1, 0), at(1, 0, month=12), NOW)["numerator"] == 0
    log = client.get("/staff/audit?area=figures").get_data(as_text=True)
    assert log.split("<tbody>")[1].count("记录了差评回访") == 1
    assert client.get("/staff/figures/follow-ups/999999").status_code == 404


def test_the_snapshot_keeps_a_month_as_it_was(app, db, november):
    with app.test_request_context():
        report = figures.snapshot_last_month(db, NOW)
        db.commit()
        assert report.month == "2026-11"
        assert figures.snapshot_last_month(db, NOW) is None  # stored once
    stored = report.data["requests"]["rates"]["resolution"]
    assert (stored["numerator"], stored["denominator"]) == (3, 7)
    # Later, an old request is resolved: the live figures change, the stored ones do not.
    from portal.service_requests import service as s

    with app.app_context():
        s.transition(db, november["requests"]["H"], s.RESOLVED, november["staff"], now=NOW)
    db.commit()
    client = app.test_client()
    sign_in(client, november["director"])
    live = client.get("/staff/figures.json?from=2026-11-01&to=2026-11-30").get_json()
    assert live["requests"]["rates"]["resolution"]["numerator"] == 4 and not live["stored_at"]
    month = client.get("/staff/figures.json?month=2026-11").get_json()
    assert month["requests"]["rates"]["resolution"]["numerator"] == 3 and month["stored_at"]
    db.expire_all()
    assert db.scalar(select(MonthlyReport)).data["requests"]["rates"]["resolution"][
        "numerator"] == 3
    page = client.get("/staff/figures/report?month=2026-11").get_data(as_text=True)
    assert 'id="rate-resolution" data-numerator="3" data-denominator="7"' in page
    assert "2026-11" in client.get("/staff/figures/reports").get_data(as_text=True)
    sheet = client.get("/staff/figures/report.xlsx?month=2026-11")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    csv = client.get("/staff/figures/report.csv?month=2026-11").get_data(as_text=True)
    assert csv.startswith("\ufeff") and "解决率" in csv and "42.9" in csv
    assert client.get("/staff/figures/report.csv?month=bad").status_code == 404
    assert client.get("/staff/figures/report?month=2026-99").status_code == 302
    log = client.get("/staff/audit?area=figures").get_data(as_text=True)
    body = log.split("<tbody>")[1]
    assert body.count("下载了月度报表") == 2 and body.count(">csv<") == 1  # both downloads


def test_the_trend_reads_stored_months(app, db, november, count_queries):
    from portal.figures import requests as figure_requests
    from portal.figures.periods import month_period
    from portal.service_requests.service import Narrowing

    with app.test_request_context():
        for month in ["2025-12", *(f"2026-{number:02d}" for number in range(1, 12))]:
            figures.snapshot(db, month, NOW)
        db.commit()
    stored = db.scalar(select(MonthlyReport).where(MonthlyReport.month == "2026-11"))
    stored.data = {**stored.data, "requests": {**stored.data["requests"], "population": 70}}
    db.commit()  # a marker: the trend must take November from the snapshot
    months = figure_requests.trend(db, month_period("2026-11"), Narrowing(), NOW)
    assert months[-1]["population"] == 70 and months[-2]["population"] == 1
    december = figure_requests.trend(db, month_period("2026-12"), Narrowing(), NOW)
    assert december[-2]["population"] == 70 and december[-1]["population"] == 0
    narrowed = figure_requests.trend(db, month_period("2026-11"), Narrowing(building="3号楼"),
                                     NOW)
    assert narrowed[-1]["population"] == 6  # narrowed figures are never stored: live


def test_the_scheduler_commands(app, db, november):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "figures-monthly"])
    assert result.exit_code == 0 and "2026-11" in result.output
    assert "Nothing to store" in runner.invoke(args=["portal", "figures-monthly"]).output
    assert db.scalar(select(Notification).where(
        Notification.user_id == november["director"].id,
        Notification.link == "/staff/figures/report?month=2026-11"))
    result = runner.invoke(args=["portal", "follow-ups-overdue"])
    assert result.exit_code == 0 and result.output.startswith("1 ")


def test_the_follow_up_days_are_configurable(make_app, db, make_user):
    from portal.accounts.roles import Role
    from portal.clock import FixedClock
    from portal.satisfaction import Level
    from portal.service_requests import service as s

    app = make_app(FIGURES_FOLLOW_UP_WORKING_DAYS=2)
    app.extensions["clock"] = FixedClock(at(13, 9))
    s.seed_categories(db)
    db.commit()
    owner, staff = make_user(Role.RESIDENT), make_user(Role.GRID_WORKER)
    make_user(Role.DEPUTY_DIRECTOR)
    with app.app_context():
        item = s.submit(db, owner, category=s.categories(db)[0], description="x",
                        building="1号楼", location="", urgent=False, many_households=False,
                        idempotency_key="k-config", now=at(10, 9))
        s.transition(db, item, s.ACCEPTED, staff, now=at(10, 10))
        s.transition(db, item, s.RESOLVED, staff, now=at(11, 10))
        s.rate(db, item, owner, Level.VERY_DISSATISFIED, "没修好", now=at(13, 9))
        db.commit()
    assert db.scalar(select(RatingFollowUp)).due_on == date(2026, 11, 17)  # Fri + 2 working
