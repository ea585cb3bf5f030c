"""The resident and staff pages, through real requests."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import timedelta

from icalendar import Calendar
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select, text

from portal.accounts.roles import Role
from portal.activities import service
from portal.activities.models import Activity, CalendarFeed, Signup
from portal.clock import utcnow
from tests.conftest import csrf_token, sign_in


def _post(client, path, data, page=None):
    data = {"csrf_token": csrf_token(client, page or path), **data}
    return client.post(path, data=data)


def _signup(client, activity, companions=0):
    return _post(client, f"/activities/{activity.id}/signup", {"companions": companions},
                 page=f"/activities/{activity.id}")


def test_list_filters_by_category_and_seats_left(client, db, make_user, make_activity):
    make_activity(title="太极拳", category="sports")
    full = make_activity(title="满员讲座", category="lecture", capacity=1)
    make_activity(title="草稿活动", status="draft")
    make_activity(title="去年的活动", starts_at=utcnow() - timedelta(days=9),
                  ends_at=utcnow() - timedelta(days=9, hours=-2))
    service.sign_up(db, full.id, make_user().id, 0, utcnow())
    db.commit()

    html = client.get("/activities/").get_data(as_text=True)
    assert "太极拳" in html and "满员讲座" in html
    assert "草稿活动" not in html and "去年的活动" not in html
    html = client.get("/activities/?category=sports").get_data(as_text=True)
    assert "太极拳" in html and "满员讲座" not in html
    html = client.get("/activities/?seats=1").get_data(as_text=True)
    assert "太极拳" in html and "满员讲座" not in html


def test_the_list_keeps_its_query_budget_with_500_activities(app, client, db, make_activity,
                                                             count_queries):
    make_activity()
    with count_queries() as small:
        assert client.get("/activities/?seats=1").status_code == 200
    now = utcnow()
    db.execute(Activity.__table__.insert(), [
        {"title": f"活动 {n}", "description": "", "category": "senior", "audience": "",
         "place": "活动室", "starts_at": now + timedelta(hours=n + 1),
         "ends_at": now + timedelta(hours=n + 2), "capacity": 20, "max_companions": 0,
         "signup_opens_at": now, "signup_closes_at": now + timedelta(hours=n + 1),
         "status": "published", "created_at": now, "updated_at": now} for n in range(500)])
    db.commit()
    with count_queries() as large:
        response = client.get("/activities/?page=3")
    assert response.status_code == 200
    assert large.count == small.count


def test_htmx_filter_gets_only_the_list(client, make_activity):
    make_activity(title="亲子绘本")
    response = client.get("/activities/?category=heritage",
                          headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="activity-list">') and "亲子绘本" in html
    assert "<html" not in html


def test_sign_up_with_a_companion_then_cancel(resident_client, resident, db, make_activity):
    activity = make_activity(capacity=3)
    html = resident_client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert 'data-seats-left="3"' in html

    response = _signup(resident_client, activity, companions=1)
    assert response.status_code == 303
    page = resident_client.get(f"/activities/{activity.id}").get_data(as_text=True)
    signup = db.scalar(select(Signup))
    assert signup.status == "confirmed" and signup.companions == 1
    assert signup.checkin_code in page
    assert 'data-seats-left="1"' in page
    assert "<svg" in page and "style=" not in page.split("<svg", 1)[1].split("</svg>")[0]

    _signup(resident_client, activity)  # a second press changes nothing
    assert db.scalar(select(Signup.companions)) == 1
    assert len(db.scalars(select(Signup)).all()) == 1

    mine = resident_client.get("/activities/mine").get_data(as_text=True)
    assert signup.checkin_code in mine and "剪纸体验课" in mine

    response = _post(resident_client, f"/activities/{activity.id}/cancel", {},
                     page=f"/activities/{activity.id}")
    assert response.status_code == 303
    db.expire_all()
    assert db.scalar(select(Signup.status)) == "cancelled"


def test_errors_are_shown_in_the_page(resident_client, make_activity):
    activity = make_activity(max_companions=1)
    response = _signup(resident_client, activity, companions=3)
    assert response.status_code == 422
    assert "error-summary" in response.get_data(as_text=True)


def test_signing_up_needs_an_account_and_a_visible_activity(client, resident_client,
                                                           make_activity):
    activity = make_activity()
    response = _signup(client, activity)  # kept for after signing in (portal/keptforms)
    assert response.status_code == 303 and "/auth/login" in response.headers["Location"]
    draft = make_activity(status="draft")
    assert client.get(f"/activities/{draft.id}").status_code == 404
    assert resident_client.get(f"/activities/{draft.id}.ics").status_code == 404
    # Cancelling a sign-up one doesn't have (a double click) just says so.
    response = _post(resident_client, f"/activities/{activity.id}/cancel", {},
                     page=f"/activities/{activity.id}")
    assert response.status_code == 303
    response = _post(resident_client, f"/activities/{draft.id}/cancel", {},
                     page=f"/activities/{activity.id}")
    assert response.status_code == 404


def test_ics_parses_back_in_shanghai_time(client, make_activity):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    starts = datetime(2027, 1, 5, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    activity = make_activity(starts_at=starts, ends_at=starts + timedelta(hours=2),
                             signup_closes_at=starts - timedelta(hours=1))
    response = client.get(f"/activities/{activity.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    event = calendar.walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start == starts
    assert (start.hour, start.minute) == (9, 30)
    assert "DTSTART;TZID=Asia/Shanghai:20270105T093000" in response.get_data(as_text=True)
    assert event.decoded("dtend").astimezone(ZoneInfo("Asia/Shanghai")).hour == 11
    assert str(event["summary"]) == "剪纸体验课"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Asia/Shanghai"


def test_personal_feed_and_its_reset(resident_client, resident, client, db, make_activity):
    activity = make_activity(title="合唱排练")
    _signup(resident_client, activity)
    assert ".ics" not in resident_client.get("/activities/mine").get_data(as_text=True)
    _post(resident_client, "/activities/feed/reset", {}, page="/activities/mine")
    token = db.scalar(select(CalendarFeed.token))
    response = client.get(f"/activities/feed/{token}.ics")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert "合唱排练" in Calendar.from_ical(response.data).walk("VEVENT")[0]["summary"]

    _post(resident_client, "/activities/feed/reset", {}, page="/activities/mine")
    db.expire_all()
    assert client.get(f"/activities/feed/{token}.ics").status_code == 404
    assert client.get(f"/activities/feed/{db.scalar(select(CalendarFeed.token))}.ics"
                      ).status_code == 200


def test_staff_pages_need_the_activities_permission(staff_client, resident_client):
    assert staff_client(Role.CULTURE).get("/staff/activities").status_code == 200
    assert staff_client(Role.DIRECTOR).get("/staff/activities/new").status_code == 200
    assert staff_client(Role.GRID_WORKER).get("/staff/activities").status_code == 403
    assert resident_client.get("/staff/activities").status_code == 403


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


FORM = {"title": "重阳节登高", "description": "**一起去**", "category": "festival",
        "audience": "60 岁以上", "place": "社区门口集合", "starts_at": "2030-10-20T08:00",
        "ends_at": "2030-10-20T11:00", "capacity": "30", "max_companions": "1",
        "signup_opens_at": "2030-10-01T09:00", "signup_closes_at": "2030-10-19T18:00",
        "status": "published"}


def test_staff_create_with_cover_and_form_errors_keep_values(staff_client, client, db):
    staff = staff_client(Role.CULTURE)
    token = csrf_token(staff, "/staff/activities/new")
    response = staff.post("/staff/activities/new", data={
        **FORM, "csrf_token": token, "ends_at": "2030-10-20T07:00",
        "cover": (io.BytesIO(_png()), "cover.png")}, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "重阳节登高" in html and "error-summary" in html
    kept = re.search(
        r'name="cover_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="cover_token"', html)
    assert kept
    cover_token = kept.group(1) or kept.group(2)

    for _twice in range(2):  # a double submit makes one activity
        response = staff.post("/staff/activities/new", data={
            **FORM, "csrf_token": token, "cover_token": cover_token, "form_key": "k" * 22},
            content_type="multipart/form-data")
        assert response.status_code == 303
    activity = db.scalar(select(Activity))
    assert len(db.scalars(select(Activity.id)).all()) == 1
    assert activity.cover.token == cover_token
    assert activity.starts_at.hour == 0  # 08:00 in Shanghai is midnight UTC
    assert client.get(f"/files/{cover_token}").status_code == 200  # public once published

    activity.status = "draft"
    db.commit()
    assert client.get(f"/files/{cover_token}").status_code == 404


def test_capacity_below_seats_taken_is_refused_in_the_form(staff_client, db, make_user,
                                                           make_activity):
    activity = make_activity(capacity=3, max_companions=2)
    service.sign_up(db, activity.id, make_user().id, 2, utcnow())
    db.commit()
    staff = staff_client(Role.CULTURE)
    path = f"/staff/activities/{activity.id}/edit"
    html = staff.get(path).get_data(as_text=True)
    assert 'value="剪纸体验课"' in html
    form = {"title": "剪纸体验课", "category": "heritage", "place": "活动室",
            "starts_at": "2030-10-20T08:00", "ends_at": "2030-10-20T11:00", "capacity": "2",
            "max_companions": "2", "signup_opens_at": "2020-10-01T09:00",
            "signup_closes_at": "2030-10-19T18:00", "status": "published"}
    response = _post(staff, path, form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="capacity-error"[^>]*>.*已经有 3 个名额被报走了，名额数不能比这个少。',
                     html, re.S)
    assert 'value="剪纸体验课"' in html and 'value="2"' in html  # what was typed stays
    db.expire_all()
    assert db.get(Activity, activity.id).capacity == 3


def test_csv_attendance_and_rating(staff_client, db, make_user, make_activity, app):
    activity = make_activity(max_companions=2)
    people = [make_user(name=name) for name in ("王阿姨", "=HYPERLINK(1)")]
    signups = [service.sign_up(db, activity.id, person.id, 1, utcnow())[0] for person in people]
    db.commit()
    staff = staff_client(Role.CULTURE)

    response = staff.get(f"/staff/activities/{activity.id}/signups.csv")
    body = response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff")  # Excel on Chinese Windows reads it as UTF-8
    header, *rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert header == ["报名顺序", "状态", "姓名", "电话", "住址", "同行人数", "占用名额",
                      "报名时间", "到场时间"]
    assert [row[:3] for row in rows] == [["1", "已报名", "王阿姨"],
                                         ["2", "已报名", "'=HYPERLINK(1)"]]
    assert rows[0][5:7] == ["1", "2"] and rows[0][8] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0][7])

    response = staff.get(f"/staff/activities/{activity.id}/signups.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.title == "剪纸体验课"
    assert [cell.value for cell in sheet[1]][:2] == ["报名顺序", "状态"]
    assert sheet["C3"].value == "=HYPERLINK(1)" and sheet["C3"].data_type == "s"

    page = f"/staff/activities/{activity.id}/attendance"
    assert staff.get(page).status_code == 200
    response = _post(staff, f"/staff/activities/{activity.id}/checkin",
                     {"code": f"{signups[0].checkin_code[:3]} {signups[0].checkin_code[3:]}"},
                     page=page)
    assert response.status_code == 303
    response = _post(staff, f"/staff/activities/{activity.id}/checkin", {"code": "000000"},
                     page=page)
    assert response.status_code == 422
    _post(staff, f"/staff/activities/{activity.id}/attendance/{signups[1].id}",
          {"attended": "1"}, page=page)
    db.expire_all()
    assert all(db.get(Signup, signup.id).attended_at for signup in signups)

    # After the activity, the people who came may rate it.
    activity = db.get(Activity, activity.id)
    activity.starts_at = utcnow() - timedelta(hours=3)
    activity.ends_at = utcnow() - timedelta(hours=1)
    db.commit()
    resident = app.test_client()
    sign_in(resident, people[0])
    response = _post(resident, f"/activities/{activity.id}/rate", {"level": "5"},
                     page=f"/activities/{activity.id}")
    assert response.status_code == 303
    assert db.scalar(select(Signup.rating).where(Signup.id == signups[0].id)) == 5
    html = staff.get(f"/staff/activities/{activity.id}").get_data(as_text=True)
    assert "满意率：100%" in html


def test_a_busy_database_asks_to_try_again(app, resident_client, db, make_activity):
    activity = make_activity()
    token = csrf_token(resident_client, f"/activities/{activity.id}")
    engine = app.extensions["db_engine"]
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text("SELECT id FROM activity WHERE id = :id FOR UPDATE"),
                                   {"id": activity.id})
            held.set()
            release.wait(20)
            connection.rollback()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    held.wait(5)
    try:
        response = resident_client.post(f"/activities/{activity.id}/signup",
                                        data={"csrf_token": token, "companions": 0})
    finally:
        release.set()
        holder.join()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    assert "请稍等几秒" in response.get_data(as_text=True)
    assert db.scalar(select(Signup.id)) is None


def test_staff_home_panel_and_resident_tile(staff_client, resident_client, make_activity):
    make_activity()
    assert 'href="/staff/activities"' in staff_client(Role.CULTURE).get("/staff/").get_data(
        as_text=True)
    assert 'href="/activities/"' in resident_client.get("/").get_data(as_text=True)


def test_demo_loader_is_idempotent(app, db):
    from portal.accounts import demo as accounts_demo
    from portal.activities import demo

    with app.app_context():
        accounts_demo.load(db, echo=lambda *_: None)
        demo.load(db, echo=lambda *_: None, scale=20)
        db.commit()
        demo.load(db, echo=lambda *_: None, scale=20)
        db.commit()
    count = len(db.scalars(select(Activity.id)).all())
    assert count == len(demo.ACTIVITIES) + 20
    assert db.scalar(select(Signup.id).where(Signup.rating.is_not(None))) is not None


def test_my_activities_put_what_is_coming_first(resident_client, resident, db, make_activity):
    now = utcnow()
    later = make_activity(title="下个月的活动", starts_at=now + timedelta(days=30),
                          ends_at=now + timedelta(days=30, hours=2))
    soon = make_activity(title="明天的活动", starts_at=now + timedelta(days=1),
                         ends_at=now + timedelta(days=1, hours=2))
    past = make_activity(title="上周的活动", starts_at=now - timedelta(days=7),
                         ends_at=now - timedelta(days=7, hours=-2))
    for activity in (later, soon, past):
        db.add(Signup(activity_id=activity.id, user_id=resident.id, status="confirmed", seq=1,
                      checkin_code="123456"))
    db.commit()
    html = resident_client.get("/activities/mine").get_data(as_text=True)
    assert html.index("明天的活动") < html.index("下个月的活动") < html.index("上周的活动")
    assert html.count("<svg") == 2  # QR codes only for what is still to come

