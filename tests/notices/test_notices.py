"""Notices and emergency alerts through the real pages."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, insert, select

from portal.accounts.roles import Role
from portal.clock import FixedClock, to_local_input, utcnow
from portal.files.models import StoredFile
from portal.notices.models import Alert, Notice, NoticeRead
from portal.notifications.models import Notification, OutboxMessage
from portal.registry import registry
from tests.conftest import csrf_token
from tests.minutes.helpers import PAYLOADS, dangerous_markup, pdf_upload


def local(moment: datetime) -> str:
    """The value a datetime-local input sends, in Shanghai time."""
    return to_local_input(moment).strftime("%Y-%m-%dT%H:%M")


def post_notice(client, *, title="停水通知", body="周六停水。", kind="notice", pinned=False,
                expires_at="", action="publish", key=None, path="/staff/notices/new",
                attachment=None, headers=None, query=""):
    token = csrf_token(client, path)
    data = {"csrf_token": token, "form_key": key or f"k-{abs(hash((title, body)))}",
            "kind": kind, "title": title, "body": body, "expires_at": expires_at,
            "action": action}
    if pinned:
        data["pinned"] = "y"
    if attachment:
        data["attachment"] = attachment
    return client.post(path + query, data=data, content_type="multipart/form-data",
                       headers=headers or {})


def notice_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/staff/notices/(\d+)", response.location)[1])


def test_list_shows_pinned_first_then_newest_and_hides_expired(staff_client, client, db):
    staff = staff_client(Role.DEPUTY_DIRECTOR)
    now = utcnow()
    notice_id(post_notice(staff, title="旧的置顶", pinned=True))
    notice_id(post_notice(staff, title="普通一"))
    notice_id(post_notice(staff, title="普通二"))
    expiring = notice_id(post_notice(staff, title="很快过期",
                                     expires_at=local(now + timedelta(hours=2))))
    html = client.get("/notices/").get_data(as_text=True)
    assert html.index("旧的置顶") < html.index("很快过期") < html.index("普通二") < \
        html.index("普通一")
    db.get(Notice, expiring).expires_at = now - timedelta(minutes=1)
    db.commit()
    html = client.get("/notices/").get_data(as_text=True)
    assert "很快过期" not in html
    assert client.get(f"/notices/{expiring}").status_code == 404


def test_withdrawn_notice_disappears(staff_client, client):
    staff = staff_client()
    nid = notice_id(post_notice(staff, title="要撤下的"))
    token = csrf_token(staff, "/staff/notices")
    staff.post(f"/staff/notices/{nid}/withdraw", data={"csrf_token": token})
    assert "要撤下的" not in client.get("/notices/").get_data(as_text=True)
    assert client.get(f"/notices/{nid}").status_code == 404


def test_reading_is_recorded_by_post_never_by_get(staff_client, resident_client, resident, db):
    staff = staff_client()
    nid = notice_id(post_notice(staff, title="请阅读"))
    listing = resident_client.get("/notices/").get_data(as_text=True)
    assert listing.count('<strong class="unread-mark">未读</strong>') == 1
    assert 'class="card unread"' in listing and 'class="read-mark"' not in listing
    detail = resident_client.get(f"/notices/{nid}").get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(NoticeRead)) == 0  # GET changes nothing
    assert 'hx-trigger="load, submit"' in detail and "标为已读" in detail

    token = csrf_token(resident_client, f"/notices/{nid}")
    partial = resident_client.post(f"/notices/{nid}/read", data={"csrf_token": token},
                                   headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "您已读过这条公告" in partial.get_data(as_text=True)
    plain = resident_client.post(f"/notices/{nid}/read", data={"csrf_token": token})
    assert plain.status_code == 303
    assert db.scalar(select(func.count()).select_from(NoticeRead)) == 1
    assert "您已读过这条公告" in resident_client.get(f"/notices/{nid}").get_data(as_text=True)
    listing = resident_client.get("/notices/").get_data(as_text=True)
    assert "unread" not in listing and '<span class="read-mark">已读</span>' in listing

    forged = resident_client.post(f"/notices/{nid}/read", data={})
    assert forged.status_code == 400


def test_preview_shows_what_residents_see_and_saves_nothing(staff_client, db):
    staff = staff_client()
    body = "## 怎么领\n\n带上**身份证**。"
    plain = post_notice(staff, title="高龄津贴", body=body, kind="policy", action="preview")
    html = plain.get_data(as_text=True)
    assert plain.status_code == 200
    assert "预览：居民看到的样子" in html and "<strong>身份证</strong>" in html
    assert 'value="高龄津贴"' in html  # the form keeps what was typed
    partial = post_notice(staff, title="高龄津贴", body=body, kind="policy", query="?preview=1",
                          headers={"HX-Request": "true"})
    fragment = partial.get_data(as_text=True)
    assert "<html" not in fragment and 'id="notice-preview"' in fragment
    assert "<strong>身份证</strong>" in fragment and "政策解读" in fragment
    assert db.scalar(select(func.count()).select_from(Notice)) == 0

    invalid = post_notice(staff, title="", body=body, query="?preview=1",
                          headers={"HX-Request": "true"})
    assert invalid.status_code == 422 and 'href="#title"' in invalid.get_data(as_text=True)


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_notice_body_never_carries_script(staff_client, client, payload):
    staff = staff_client()
    body = f"正文\n\n{PAYLOADS[payload]}\n\n结束"
    preview = post_notice(staff, body=body, action="preview").get_data(as_text=True)
    assert "<p>正文</p>" in preview and dangerous_markup(preview) == []
    nid = notice_id(post_notice(staff, body=body))
    for html in (client.get(f"/notices/{nid}").get_data(as_text=True),
                 staff.get(f"/staff/notices/{nid}").get_data(as_text=True)):
        # The body itself ("正文" alone is on every page, in the skip link).
        assert re.search(r'<p>正文</p>|name="body"[^>]*>\s*正文', html)
        assert dangerous_markup(html) == []


def test_double_submit_publishes_one_notice(staff_client, db):
    staff = staff_client()
    first = notice_id(post_notice(staff, key="same"))
    second = notice_id(post_notice(staff, key="same"))
    assert first == second and db.scalar(select(func.count()).select_from(Notice)) == 1


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "PNG")
    return buffer.getvalue()


def test_attachment_kept_across_a_failed_form_and_public_while_shown(staff_client, client):
    staff = staff_client()
    failed = post_notice(staff, title="", attachment=(io.BytesIO(_png()), "map.png"))
    assert failed.status_code == 422
    token = re.search(r'name="attachment_token"[^>]*value="([^"]+)"',
                      failed.get_data(as_text=True))[1]
    csrf = csrf_token(staff, "/staff/notices/new")
    saved = staff.post("/staff/notices/new", data={
        "csrf_token": csrf, "form_key": "att", "kind": "guide", "title": "带图的指南",
        "body": "看图。", "attachment_token": token, "action": "publish"})
    nid = notice_id(saved)
    detail = client.get(f"/notices/{nid}").get_data(as_text=True)
    file_url = re.search(r'src="(/files/[^"]+)"', detail)[1]
    assert client.get(file_url).status_code == 200
    withdraw = csrf_token(staff, "/staff/notices")
    staff.post(f"/staff/notices/{nid}/withdraw", data={"csrf_token": withdraw})
    assert client.get(file_url).status_code == 404


def test_a_refused_attachment_is_said_and_nothing_is_published(staff_client, db):
    staff = staff_client()
    refused = post_notice(staff, title="附件有问题",
                          attachment=(io.BytesIO(b"not a picture"), "photo.png"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="attachment-error"' in html and 'href="#attachment"' in html
    assert 'value="附件有问题"' in html
    assert db.scalar(select(func.count()).select_from(Notice)) == 0


def test_a_refused_replacement_keeps_the_file_already_uploaded(staff_client, client, db):
    staff = staff_client()
    failed = post_notice(staff, title="", attachment=(io.BytesIO(_png()), "map.png"))
    token = re.search(r'name="attachment_token"[^>]*value="([^"]+)"',
                      failed.get_data(as_text=True))[1]
    csrf = csrf_token(staff, "/staff/notices/new")
    data = {"csrf_token": csrf, "form_key": "keep", "kind": "guide", "title": "带图的指南",
            "body": "看图。", "attachment_token": token, "action": "publish"}
    replaced = staff.post("/staff/notices/new", content_type="multipart/form-data", data={
        **data, "attachment": (io.BytesIO(b"junk"), "bad.png")})
    assert replaced.status_code == 422
    assert f'value="{token}"' in replaced.get_data(as_text=True)  # the first file is still kept
    nid = notice_id(staff.post("/staff/notices/new", data=data))
    saved = db.get(Notice, nid)
    assert db.get(StoredFile, saved.attachment_id).original_name == "map.png"


def test_pdf_attachment_is_linked(staff_client, client):
    staff = staff_client()
    nid = notice_id(post_notice(staff, attachment=pdf_upload("guide.pdf")))
    assert "附件：guide.pdf" in client.get(f"/notices/{nid}").get_data(as_text=True)


def test_who_may_publish_notices(staff_client, resident_client):
    assert resident_client.get("/staff/notices").status_code == 403
    assert staff_client(Role.GRID_WORKER).get("/staff/notices/alerts").status_code == 403
    assert staff_client(Role.DEPUTY_DIRECTOR).get("/staff/notices/alerts").status_code == 200


# ---- alerts ---------------------------------------------------------------------------------

def raise_alert(client, *, level="red", kind="flood", text="今晚暴雨，请将车辆移出地下车库。",
                hours=6, key="alert-1"):
    token = csrf_token(client, "/staff/notices/alerts")
    return client.post("/staff/notices/alerts", data={
        "csrf_token": token, "form_key": key, "level": level, "kind": kind, "text": text,
        "expires_at": local(utcnow() + timedelta(hours=hours))})


def test_red_alert_shows_everywhere_and_reaches_every_resident(staff_client, client,
                                                               resident_client, make_user, db):
    others = [make_user(Role.RESIDENT) for _ in range(3)]
    gone = make_user(Role.RESIDENT, active=False)
    staff = staff_client()
    assert "alert-banner" not in client.get("/").get_data(as_text=True)

    response = raise_alert(staff)
    assert response.status_code == 303
    assert raise_alert(staff).status_code == 303  # the same form again: one alert
    assert db.scalar(select(func.count()).select_from(Alert)) == 1
    for page_client, path in ((client, "/"), (client, "/minutes/"), (client, "/notices/"),
                              (resident_client, "/"), (staff, "/staff/")):
        html = page_client.get(path).get_data(as_text=True)
        assert 'class="alert-banner alert-red"' in html, path
        assert "红色预警" in html and "防汛" in html and "今晚暴雨" in html
    assert "1 条预警生效中" in staff.get("/staff/").get_data(as_text=True)  # the staff panel

    recipients = set(db.scalars(select(Notification.user_id)))
    assert recipients == {other.id for other in others} | {resident_client_user(db, others)}
    assert gone.id not in recipients and staff.user.id not in recipients
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == len(recipients)
    inbox = resident_client.get("/notifications").get_data(as_text=True)
    assert "社区紧急预警：今晚暴雨" in inbox

    alert = db.scalar(select(Alert))
    token = csrf_token(staff, "/staff/notices/alerts")
    staff.post(f"/staff/notices/alerts/{alert.id}/withdraw", data={"csrf_token": token})
    assert "alert-banner" not in client.get("/").get_data(as_text=True)


def resident_client_user(db, others):
    from portal.accounts.models import User

    ids = set(db.scalars(select(User.id).where(User.role == "resident", User.active.is_(True))))
    [fixture_resident] = ids - {other.id for other in others}
    return fixture_resident


def test_alert_ends_by_itself_and_the_most_severe_comes_first(app, staff_client, client):
    clock = app.extensions["clock"] = FixedClock(utcnow())
    staff = staff_client()
    raise_alert(staff, level="blue", kind="typhoon", text="蓝色台风", key="a1", hours=6)
    raise_alert(staff, level="orange", kind="fire", text="橙色火险", key="a2", hours=6)
    html = client.get("/").get_data(as_text=True)
    assert html.index("橙色火险") < html.index("蓝色台风")
    clock.advance(hours=5, minutes=59)
    assert "橙色火险" in client.get("/").get_data(as_text=True)
    clock.advance(minutes=2)  # both ended, with nobody taking them down
    assert "alert-banner" not in client.get("/").get_data(as_text=True)
    alerts = staff.get("/staff/notices/alerts").get_data(as_text=True)
    assert alerts.count('<span class="tag tag-muted">已结束</span>') == 2


def test_alert_form_checks_level_text_and_time(staff_client, db):
    staff = staff_client()
    assert raise_alert(staff, level="purple").status_code == 422
    assert raise_alert(staff, text="").status_code == 422
    past = raise_alert(staff, hours=-1, key="past")
    assert past.status_code == 422 and "以后的时间" in past.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Alert)) == 0
    assert db.scalar(select(func.count()).select_from(Notification)) == 0


def test_alert_to_thousands_of_residents_is_a_fixed_number_of_statements(
        staff_client, make_user, db, count_queries, password_hash):
    from portal.accounts.models import User

    staff = staff_client()
    make_user(Role.RESIDENT)

    def raise_counted(key):
        token = csrf_token(staff, "/staff/notices/alerts")
        with count_queries() as log:
            response = staff.post("/staff/notices/alerts", data={
                "csrf_token": token, "form_key": key, "level": "red", "kind": "fire",
                "text": "火警演习", "expires_at": local(utcnow() + timedelta(hours=1))})
        assert response.status_code == 303
        return log.count

    few = raise_counted("few")
    db.execute(insert(User), [{"phone": f"1360000{n:04d}", "name": f"居民{n}",
                               "password_hash": password_hash, "role": "resident"}
                              for n in range(3000)])
    db.commit()
    many = raise_counted("many")
    assert db.scalar(select(func.count()).select_from(Notification)) == 3001 + 1
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 3001 + 1
    assert few == many


def test_board_sections_change_fingerprint_on_expiry_and_edits(staff_client, app, db):
    staff = staff_client()
    now = utcnow()
    notice_id(post_notice(staff, title="置顶通知", pinned=True))
    notice_id(post_notice(staff, title="三小时后下架", expires_at=local(now + timedelta(hours=3))))
    raise_alert(staff, hours=2)
    sections = {s.key: s for s in registry(app).board_sections}

    def fingerprint(key, at):
        with app.app_context():
            from portal.extensions import db as portal_db
            return tuple(portal_db.session.execute(select(*sections[key].fingerprint(at))).one())

    later = now + timedelta(hours=2, minutes=30)
    assert fingerprint("alerts", now) != fingerprint("alerts", later)  # the alert expired
    assert fingerprint("notices", now) == fingerprint("notices", now + timedelta(hours=1))
    assert fingerprint("notices", now) != fingerprint("notices", now + timedelta(hours=4))
    with app.test_request_context():
        from flask import render_template
        context = sections["notices"].load(now, None)
        assert [n.title for n in context["notices"]][0] == "置顶通知"
        html = render_template(sections["alerts"].template, **sections["alerts"].load(now, None))
        assert 'class="board-alert board-alert-red" role="alert"' in html
        assert sections["alerts"].load(later, None) is None  # nothing in force: no banner


def test_notice_list_keeps_a_fixed_query_budget(app, db, resident_client, count_queries):
    def add(count, start):
        db.execute(insert(Notice), [{"kind": "notice", "title": f"通知{n}", "body": "正文",
                                     "form_key": f"bulk-{n}", "pinned": n % 50 == 0}
                                    for n in range(start, start + count)])
        db.commit()

    add(30, 0)
    resident_client.get("/notices/")
    with count_queries() as small:
        resident_client.get("/notices/?page=2")
    add(270, 30)
    with count_queries() as large:
        assert resident_client.get("/notices/?page=9").status_code == 200
    # user, count, page, reads, the unread-message bell, the alert banner, the safety
    # check-in banner (portal/checkins: a resident's page asks whether one is open)
    assert small.count == large.count == 6, "\n\n".join(large.statements)


def test_a_failing_database_does_not_take_the_error_page_down_with_the_banner(make_app):
    from portal.db import make_engine

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    broken = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    app.extensions["db_sessionmaker"].configure(bind=broken)  # requests get a dead database

    @app.get("/boom-db")
    def boom():
        raise RuntimeError("database gone")

    response = app.test_client().get("/boom-db")
    app.extensions["db_sessionmaker"].configure(bind=app.extensions["db_engine"])
    broken.dispose()
    assert response.status_code == 500
    assert "alert-banner" not in response.get_data(as_text=True)
