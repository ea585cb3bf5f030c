"""The board with the real areas' sections and real data: what it shows, what it never shows,
its ETag following every change, and its query budget.

Data comes from the areas' own demo loaders (`portal demo`) and their service functions; the
private data seeded here is distinctive so that any leak is found by a plain substring test.
"""

from __future__ import annotations

import random
import re
import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.activities import service as activities
from portal.aid import service as aid
from portal.aid.demo import make_id_number
from portal.aid.models import AidApplication
from portal.clock import FixedClock, utcnow
from portal.clock import today as local_today
from portal.minutes import service as minutes
from portal.notices import service as notices
from portal.notifications.service import notify
from portal.service_requests import service as requests
from portal.service_requests.models import ServiceRequest

HX = {"HX-Request": "true"}
PATHS = ["/board", "/board/content"]

# Private data, each string distinctive enough that finding it anywhere on the board is a leak.
RESIDENT = {"name": "欧阳翠花", "phone": "13912345678", "building": "9号楼", "unit": "4单元",
            "room": "1703"}
ADDRESS = "9号楼4单元1703"
REQUEST_TEXT = "欧阳家厨房顶漏水已经三天"
STAFF_NOTE = "内部备注：该住户情绪激动"
FINDINGS = "入户调查：家中有重病老人"
NOTIFICATION = "您好欧阳翠花，您的报名已确认"


@pytest.fixture
def app(fresh_app):
    """The app as deployed: every area's own board section (not the test sections)."""
    return fresh_app


def demo(app, demo_accounts):
    demo_accounts()  # with the run's password hash: the demo hashes none of its own
    result = app.test_cli_runner().invoke(args=["portal", "demo"])
    assert result.exit_code == 0, result.output


def get(client, path, etag=None):
    headers = dict(HX) if path.endswith("/content") else {}
    if etag:
        headers["If-None-Match"] = etag
    return client.get(path, headers=headers)


def text(response) -> str:
    return response.get_data(as_text=True)


def sections_shown(html):
    return re.findall(r'class="board-section board-section-(\w+)"', html)


def staff(make_user, role=Role.DIRECTOR):
    return make_user(role)


def add_notice(db, author, title, *, pinned=False, expires_at=None, body="请大家留意。"):
    notice = notices.save_notice(db, None, form_key=secrets.token_hex(8), author_id=author.id,
                                 attachment=None, kind="notice", title=title, body=body,
                                 pinned=pinned, expires_at=expires_at)
    db.commit()
    return notice


def raise_alert(app, db, author, text, *, level="red", expires_at=None):
    with app.test_request_context():
        alert = notices.raise_alert(db, form_key=secrets.token_hex(8), level=level,
                                    kind="flood", text=text, author_id=author.id,
                                    expires_at=expires_at or utcnow() + timedelta(hours=6))
    db.commit()
    return alert


def add_activity(db, author, title, *, days=2, capacity=20, status="published"):
    now = utcnow()
    fields = {"title": title, "description": "欢迎参加", "category": "heritage", "audience": "",
              "place": "社区活动室", "starts_at": now + timedelta(days=days),
              "ends_at": now + timedelta(days=days, hours=2), "capacity": capacity,
              "max_companions": 1, "signup_opens_at": now - timedelta(days=1),
              "signup_closes_at": now + timedelta(days=days) - timedelta(hours=1),
              "status": status}
    activity = activities.create_activity(db, fields, author.id, form_key=secrets.token_hex(8))
    db.commit()
    return activity


def add_meeting(db, author, title, *, publish=True, resolution=None, progress=0):
    meeting = minutes.create_meeting(
        db, author_id=author.id, form_key=secrets.token_hex(8), kind="representatives", title=title,
        held_on=date.today() - timedelta(days=3), place="社区会议室", attendance=30,
        agenda="议程", minutes="纪要正文")
    if resolution:
        item = minutes.add_resolution(db, meeting, form_key=secrets.token_hex(8), text=resolution,
                                      responsible="物业", due_on=None)
    if publish:
        minutes.publish(db, meeting)
    if resolution and progress:
        minutes.add_update(db, item, form_key=secrets.token_hex(8), note="已经开工",
                           status="in_progress", progress=progress, author_id=author.id)
    db.commit()
    return meeting


def aid_notice(app, db, applicant, reviewer, name):
    """An application taken through the real stages up to its public notice (公示)."""
    today = local_today()
    rng = random.Random(applicant.id)
    with app.test_request_context():
        aid.seed_types(db)
        dibao = next(t for t in aid.list_types(db) if t.code == "dibao")
        application = aid.start_application(db, applicant, dibao, None, secrets.token_hex(8))
        aid.save_applicant(application, name=name, id_number=make_id_number(rng),
                           phone=applicant.phone)
        aid.add_member(db, application, name="欧阳小明", relation="child",
                       id_number=make_id_number(rng), status="student")
        aid.mark_done(application, "household")
        aid.save_income(application, applicant_fen=50000, member_fen={}, irregular=False,
                        housing="rent", vehicles=0, savings_fen=0, circumstances="独自抚养孩子")
        aid.save_consent(application, utcnow())
        aid.submit(db, application, today, utcnow())
        aid.accept(db, application, reviewer, today)
        aid.record_investigation(db, application, reviewer, today, findings=FINDINGS,
                                 investigators=["李民政", "王网格"], visited_on=today)
        aid.start_notice(db, application, reviewer, today, 88800)
    db.commit()
    return application


@pytest.fixture
def seeded(app, db, make_user, demo_accounts):
    """Demo data from every area, plus a resident with distinctive private data who has a
    request (with a staff note), an aid application on public notice, a sign-up and
    notifications; and drafts, expired and withdrawn items that must never show."""
    demo(app, demo_accounts)
    director = staff(make_user)
    resident = make_user(Role.RESIDENT, **RESIDENT)
    with app.test_request_context():
        requests.seed_categories(db)
        category = requests.categories(db)[0]
        item = requests.submit(db, resident, category=category, description=REQUEST_TEXT,
                               building=RESIDENT["building"], location="4单元1703",
                               urgent=False, many_households=False,
                               idempotency_key=secrets.token_hex(8))
        requests.reply(db, item, director, STAFF_NOTE, public=False)
        requests.transition(db, item, requests.ACCEPTED, director)
    db.commit()
    application = aid_notice(app, db, resident, make_user(Role.CIVIL_AFFAIRS), "欧阳翠花")
    activity = add_activity(db, director, "书法兴趣班", capacity=12)
    with app.test_request_context():
        activities.sign_up(db, activity.id, resident.id, 1, utcnow())
        notify(db, resident.id, NOTIFICATION)
    db.commit()
    add_notice(db, director, "楼道消防检查通知", pinned=True)
    add_meeting(db, director, "十一月居民议事会", resolution="修缮9号楼屋面防水", progress=60)

    # never on the board
    add_notice(db, director, "已过期的旧通知", expires_at=utcnow() - timedelta(hours=1))
    notices.withdraw_notice(add_notice(db, director, "已撤回的通知"), director)
    raise_alert(app, db, director, "已过期的暴雨预警", expires_at=utcnow() - timedelta(minutes=5))
    notices.withdraw_alert(raise_alert(app, db, director, "已撤回的台风预警"), director)
    db.commit()
    add_activity(db, director, "草稿活动尚未发布", status="draft")
    add_meeting(db, director, "草稿会议尚未发布", resolution="草稿决议内容", publish=False)
    return {"resident": resident, "request": item, "application": application,
            "activity": activity, "director": director}


def private_strings(db, seeded) -> list[str]:
    """Everything personal in the database: every resident's name, phone and address, every
    request and aid reference, the full names, ID numbers and phones on aid applications."""
    strings = [ADDRESS, REQUEST_TEXT, STAFF_NOTE, FINDINGS, NOTIFICATION, "欧阳小明",
               "独自抚养孩子"]
    for user in db.scalars(select(User).where(User.role == Role.RESIDENT.value)):
        strings += [user.name, user.phone]
        if user.room:
            strings.append(f"{user.unit}{user.room}")
    strings += db.scalars(select(ServiceRequest.ref)).all()
    for application in db.scalars(select(AidApplication)):
        strings += [application.ref, application.name, application.phone, application.id_masked]
    return [value for value in strings if value]


# --- what it shows --------------------------------------------------------------------------

@pytest.mark.parametrize("path", PATHS)
def test_board_is_public_and_shows_every_areas_real_content(client, db, seeded, path):
    response = get(client, path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    html = text(response)
    assert sections_shown(html) == ["notices", "activities", "minutes", "aid_notices", "figures"]
    # an announcement, pinned first
    assert "楼道消防检查通知" in html
    notices_html = html[html.index("board-section-notices"):html.index("board-section-activities")]
    assert "board-item board-pinned" in notices_html.split("</li>")[0]
    # an activity with the seats left after the resident and one companion signed up, and a
    # QR code to its public page
    activity_html = html[html.index("书法兴趣班"):].split("</li>")[0]
    assert "还剩 10 个名额" in activity_html
    assert "<svg" in activity_html and 'class="board-qr"' in activity_html
    # minutes with a QR code, and the open resolution's progress
    meeting_html = html[html.index("十一月居民议事会"):].split("</li>")[0]
    assert "<svg" in meeting_html
    resolution_html = html[html.index("修缮9号楼屋面防水"):].split("</li>")[0]
    assert 'value="60"' in resolution_html and "60%" in resolution_html
    # the aid notice with its masked name only
    aid_html = html[html.index("board-section-aid_notices"):html.index("board-section-figures")]
    assert "欧***" in aid_html and "888" in aid_html
    # this month's figures, and the satisfaction formula in small print
    figures = html[html.index("board-section-figures"):]
    assert '<dl class="board-figures">' in figures
    received = re.search(r"<dt>收到</dt><dd>(\d+)</dd>", figures)
    assert received and int(received.group(1)) >= 6  # the demo's 5 and this resident's
    assert re.search(r'<p class="board-small">满意率 =', figures)


@pytest.mark.parametrize("path", PATHS)
def test_board_shows_no_personal_data_drafts_expired_or_withdrawn_items(client, db, seeded,
                                                                        path):
    html = text(get(client, path))
    private = private_strings(db, seeded)
    assert len(private) > 20  # demo residents and applications are in the list too
    leaked = [value for value in private if value in html]
    assert leaked == []
    for hidden in ("已过期的旧通知", "已撤回的通知", "已过期的暴雨预警", "已撤回的台风预警",
                   "草稿活动尚未发布", "草稿会议尚未发布", "草稿决议内容", "内部备注"):
        assert hidden not in html
    # no reference or mobile number of any kind (not inside a hex ETag or nonce either)
    assert not re.search(r"(?<![0-9A-Za-z])[RA]\d{8}-\d{4}", html)
    assert not re.search(r"(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])", html)


def test_an_alert_is_a_banner_above_the_sections_in_its_colour(app, client, db, make_user):
    raise_alert(app, db, staff(make_user), "今晚有暴雨，请勿靠近河道", level="orange")
    html = text(get(client, "/board"))
    banner = re.search(r'<p class="board-alert board-alert-orange" role="alert">(.*?)</p>', html,
                       re.S)
    assert banner and "今晚有暴雨，请勿靠近河道" in banner.group(1)
    assert "board-section-alerts" not in html  # banners, not a section with a heading
    assert html.index("board-alert-orange") < html.index('class="board-sections"')


def test_empty_areas_hide_their_sections(client):
    # nothing published anywhere: only the figures (zeros are figures too)
    assert sections_shown(text(get(client, "/board"))) == ["figures"]


def test_a_building_profile_still_shows_community_wide_sections(client, db, seeded):
    # Notices, activities, minutes and aid notices have no building: every screen shows them.
    from portal.board.models import BoardProfile

    db.add(BoardProfile(slug="b9", name="9号楼", building="9号楼", sections=[]))
    db.commit()
    html = text(get(client, "/board?profile=b9"))
    assert "楼道消防检查通知" in html and "书法兴趣班" in html


# --- ETag and 304 ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", PATHS)
def test_unchanged_content_gives_304_in_at_most_two_queries(client, seeded, count_queries,
                                                            path):
    first = get(client, path)
    with count_queries() as log:
        again = get(client, path, first.headers["ETag"])
    assert again.status_code == 304 and again.data == b""
    assert log.count <= 2


def test_every_change_gives_200_with_a_new_etag(app, client, db, seeded):
    director = seeded["director"]
    etag = get(client, "/board/content").headers["ETag"]

    def changed(expected_text=None, missing_text=None):
        nonlocal etag
        response = get(client, "/board/content", etag)
        assert response.status_code == 200
        assert response.headers["ETag"] != etag
        html = text(response)
        if expected_text:
            assert expected_text in html
        if missing_text:
            assert missing_text not in html
        etag = response.headers["ETag"]
        assert get(client, "/board/content", etag).status_code == 304

    add_notice(db, director, "明日电梯年检")
    changed("明日电梯年检")

    raise_alert(app, db, director, "台风橙色预警：请关好门窗", level="orange")
    changed("台风橙色预警：请关好门窗")

    other = db.get(User, seeded["resident"].id)
    with app.test_request_context():
        activities.cancel_signup(db, seeded["activity"].id, other.id, utcnow())
    db.commit()
    changed("还剩 12 个名额")

    alert = db.scalars(select(notices.Alert).where(notices.Alert.text.like("台风橙色%"))).one()
    notices.withdraw_alert(alert, director)
    db.commit()
    changed(missing_text="台风橙色预警")


def test_expiry_of_a_notice_and_an_alert_changes_the_etag(app, client, db, make_user):
    # The board reads the clock itself (as a lobby screen should); the items expire as the
    # clock moves on, with no write to the database in between.
    clock = app.extensions["clock"] = FixedClock(utcnow())
    director = staff(make_user)
    soon = clock() + timedelta(seconds=2)
    add_notice(db, director, "两秒后过期的通知", expires_at=soon)
    raise_alert(app, db, director, "两秒后解除的预警", expires_at=soon)
    first = get(client, "/board/content")
    assert "两秒后过期的通知" in text(first) and "两秒后解除的预警" in text(first)
    clock.advance(seconds=1)
    assert get(client, "/board/content", first.headers["ETag"]).status_code == 304
    clock.advance(seconds=1, microseconds=1)
    after = get(client, "/board/content", first.headers["ETag"])
    assert after.status_code == 200
    assert "两秒后过期的通知" not in text(after) and "两秒后解除的预警" not in text(after)


def test_a_sign_up_that_changes_seats_left_gives_a_new_etag(app, client, db, make_user):
    activity = add_activity(db, staff(make_user), "太极拳晨练", capacity=5)
    first = get(client, "/board/content")
    assert "还剩 5 个名额" in text(first)
    resident = make_user(Role.RESIDENT)
    with app.test_request_context():
        activities.sign_up(db, activity.id, resident.id, 0, utcnow())
    db.commit()
    after = get(client, "/board/content", first.headers["ETag"])
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert "还剩 4 个名额" in text(after)


# --- query budget ---------------------------------------------------------------------------

def test_content_keeps_a_fixed_query_budget_as_data_grows(app, client, db, make_user,
                                                          count_queries):
    director = staff(make_user)
    residents = [make_user(Role.RESIDENT) for _ in range(3)]

    def grow(count, offset):
        for number in range(offset, offset + count):
            add_notice(db, director, f"通知{number}", pinned=number % 7 == 0)
            activity = add_activity(db, director, f"活动{number}", days=1 + number % 6)
            with app.test_request_context():
                for resident in residents:
                    activities.sign_up(db, activity.id, resident.id, 0, utcnow())
            db.commit()
            if number % 5 == 0:
                add_meeting(db, director, f"会议{number}", resolution=f"决议{number}",
                            progress=number % 100)
        raise_alert(app, db, director, f"预警{offset}")

    def measure():
        get(client, "/board/content")  # the month's request figures are cached after this
        with count_queries() as log:
            response = get(client, "/board/content")
        assert response.status_code == 200
        return log.count, text(response)

    grow(5, 0)
    few, html = measure()
    assert "通知0" in html and "活动0" in html
    grow(45, 5)
    many, html = measure()
    assert "通知49" in html  # the newest
    assert many == few, (few, many)
    # one fingerprint statement, then each section's own fixed number: alerts 1, notices 1,
    # activities 1, minutes 2, aid 1, figures 1 (the newest event, then the cached figures;
    # 5 when a request changed since)
    assert few <= 12


def test_the_demo_board_renders_in_english_too(app, client, demo_accounts):
    demo(app, demo_accounts)
    html = text(client.get("/board?lang=en"))
    assert 'lang="en"' in html
    assert "Notices" in html and "seats left" in html
