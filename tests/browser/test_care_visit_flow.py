"""Through the real UI at 390 px: a grid worker opens "my visits this week", records a visit
to the most overdue person with a referral flag, and finds the next one moved on. Every page
visited passes axe, the staff home with its care panel included."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.care import service
from portal.care.models import CarePerson, CareVisit
from portal.clock import today
from tests.browser.test_minutes_notices_flow import sign_in


class _System:
    id = None


def _person(app, db, worker, name, due_in_days):
    with app.test_request_context():
        person = service.add_person(db, _System(), {
            "name": name, "phone": None, "building": "5号楼", "unit": "1单元", "room": "101",
            "categories": ["alone", "very_old"], "needs": ["home_visit"],
            "frequency": "weekly", "risk": "high", "legal_basis": "consent",
            "consent_on": today(), "grid_worker_id": worker.id, "health": "高血压",
            "contacts": "刘明 儿子 13700009999", "id_number": None, "notes": None}, today())
        person.next_visit_on = today() + timedelta(days=due_in_days)
        db.commit()
        return person.id


def test_a_grid_worker_records_a_visit_on_a_phone(live_server, new_page, audit, make_user,
                                                  app, db):
    worker = make_user(Role.GRID_WORKER, name="王网格")
    overdue = _person(app, db, worker, "刘大爷", -4)
    _person(app, db, worker, "陈奶奶", 0)

    page = new_page()
    sign_in(page, live_server, worker.phone, audit)
    page.goto(live_server.url + "/staff/")
    expect(page.locator("#care-panel-heading")).to_be_visible()
    audit(page)

    page.get_by_role("link", name=re.compile("本周应走访")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我本周的走访")
    cards = page.locator(".card-list .card strong")
    expect(cards).to_have_text(["刘大爷", "陈奶奶"])
    expect(page.locator(".card-list .card").first).to_contain_text("已超期 4 天")
    audit(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    cards.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("走访刘大爷")
    audit(page)
    page.get_by_label("走访情况").select_option(label="见到本人，需要帮助")
    page.get_by_label("助餐").check()
    page.get_by_label("需要其他同事帮忙（转介）").check()
    page.get_by_label("转介给").select_option(label="民政专干")
    page.get_by_label("备注").fill("冰箱空了，想订助餐")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="保存走访记录").click()

    expect(page.locator(".flash-success")).to_contain_text("已记录对刘大爷的走访")
    expect(page.get_by_role("heading", level=1)).to_have_text("我本周的走访")
    expect(page.locator(".card-list .card strong")).to_have_text(["陈奶奶"])
    audit(page)

    with app.app_context():
        db.expire_all()
        visit = db.scalar(select(CareVisit).where(CareVisit.person_id == overdue))
        assert visit.outcome == "needs_help" and visit.referral_needed
        assert visit.needs_seen == "meals" and visit.note == "冰箱空了，想订助餐"
        assert db.get(CarePerson, overdue).next_visit_on == today() + timedelta(days=7)
