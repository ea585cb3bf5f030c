"""Through the real UI at 390 px: during a red warning's check-in, a resident follows the
banner, taps 我需要帮助, says what help and for how many, and the director finds them first in
the live list. Every page passes axe."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.checkins import service
from portal.checkins.models import CheckinEntry
from portal.clock import utcnow
from portal.notices.models import Alert
from tests.browser.test_minutes_notices_flow import sign_in


def test_a_resident_asks_for_help_in_two_taps(live_server, new_page, audit, make_user, app, db):
    director = make_user(Role.DIRECTOR, name="李主任")
    make_user(Role.RESIDENT, name="邻居老王")
    resident = make_user(Role.RESIDENT, name="赵阿姨")
    alert = Alert(form_key="red", level="red", kind="flood", text="暴雨红色预警，请勿外出。",
                  expires_at=utcnow() + timedelta(hours=6))
    db.add(alert)
    db.commit()
    with app.test_request_context():
        checkin = service.open_checkin(db, alert, utcnow(), actor=director,
                                       link=lambda c: f"/checkin/{c.id}")
        db.commit()

    page = new_page()
    sign_in(page, live_server, resident.phone, audit)
    page.goto(live_server.url + "/")
    expect(page.locator(".checkin-banner")).to_contain_text("社区想知道：您平安吗？")
    audit(page)
    page.get_by_role("link", name="马上报平安").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您平安吗？")
    safe, help_ = (page.get_by_role("button", name="我平安"),
                   page.get_by_role("button", name="我需要帮助"))
    for button in (safe, help_):  # big enough for a shaking thumb
        assert button.bounding_box()["height"] >= 60
    audit(page)
    help_.click()
    expect(page.get_by_role("group", name="您需要什么帮助？")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="发送求助").click()  # nothing chosen yet
    expect(page.locator(".error-summary")).to_contain_text("请选择您需要哪种帮助")
    audit(page)
    page.get_by_label("就医").check()
    page.get_by_label("需要帮助的有几人？").fill("2")
    page.get_by_label(re.compile("还有什么要告诉我们的")).fill("老伴发烧")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="发送求助").click()
    expect(page.locator(".flash-success")).to_contain_text("社区已经知道您需要帮助")
    expect(page.locator(".checkin-said")).to_contain_text("就医，2 人")
    audit(page)

    with app.app_context():
        db.expire_all()
        entry = db.scalar(select(CheckinEntry).where(CheckinEntry.user_id == resident.id))
        assert (entry.status, entry.kind, entry.people, entry.note) == (
            "help", "medical", 2, "老伴发烧")

    staff = new_page()
    sign_in(staff, live_server, director.phone, audit)
    staff.goto(live_server.url + f"/staff/checkins/{checkin.id}")
    rows = staff.locator("#live-list table").nth(1).locator("tbody tr")
    expect(rows.first).to_contain_text("赵阿姨")
    expect(rows.first).to_contain_text("老伴发烧")
    expect(rows.nth(1)).to_contain_text("邻居老王")
    audit(staff)
