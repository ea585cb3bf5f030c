"""Through the real UI at 390 px: a grid worker records a visit and refers the family to civil
affairs in the same form; civil affairs signs in, finds it on the staff home, takes it,
starts an aid application on the family's behalf (代办) on the aid area's own pages, and
records the outcome; the grid worker is told and reads the outcome. Every page visited
passes axe."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.aid import service as aid
from portal.aid.models import AidApplication
from portal.care import service
from portal.care.models import CareReferral
from portal.clock import today
from tests.browser.test_minutes_notices_flow import sign_in


class _System:
    id = None


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_grid_worker_refers_a_family_and_civil_affairs_files_aid(live_server, new_page, audit,
                                                                   make_user, app, db):
    worker = make_user(Role.GRID_WORKER, name="王网格")
    civil = make_user(Role.CIVIL_AFFAIRS, name="李民政")
    aid.seed_types(db)
    with app.test_request_context():
        person = service.add_person(db, _System(), {
            "name": "刘大爷", "phone": None, "building": "5号楼", "unit": "1单元",
            "room": "101", "categories": ["alone"], "needs": ["home_visit"],
            "frequency": "weekly", "risk": "high", "legal_basis": "consent",
            "consent_on": today(), "grid_worker_id": worker.id, "health": None,
            "contacts": None, "id_number": None, "notes": None}, today())
        person.next_visit_on = today() - timedelta(days=2)
        db.commit()
        person_id = person.id

    page = new_page()
    sign_in(page, live_server, worker.phone, audit)
    page.goto(f"{live_server.url}/staff/care/{person_id}/visit")
    expect(page.get_by_role("heading", level=1)).to_have_text("走访刘大爷")
    audit(page)
    page.get_by_label("走访情况").select_option(label="见到本人，需要帮助")
    page.get_by_label("需要其他同事帮忙（转介）").check()
    page.get_by_label("转介给").select_option(label="民政专干")
    page.get_by_label("转介说明").fill("冰箱空了，退休金不够买药，想申请临时救助")
    _fits(page)
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.locator(".flash-success")).to_contain_text("转介已发出")
    audit(page)

    other = new_page()
    sign_in(other, live_server, civil.phone, audit)
    other.goto(live_server.url + "/staff/")
    expect(other.locator("#referral-panel-heading")).to_be_visible()
    audit(other)
    other.get_by_role("link", name=re.compile("转介给我")).first.click()
    expect(other.get_by_role("heading", level=1)).to_have_text("转介")
    expect(other.locator(".referral-list .card strong")).to_have_text(["刘大爷 · 5号楼"])
    audit(other)
    _fits(other)
    other.locator(".referral-list .card-link").first.click()
    expect(other.get_by_role("heading", level=1)).to_have_text("转介给民政专干")
    expect(other.locator("dl.facts")).to_contain_text("退休金不够买药")
    audit(other)
    other.get_by_role("button", name="接手办理").click()
    expect(other.locator(".flash-success")).to_contain_text("您已接手这件转介")
    other.get_by_role("link", name="代办救助申请").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("为刘大爷代办救助申请")
    audit(other)
    other.get_by_label("临时救助").check()
    other.get_by_label("急难型").check()
    other.get_by_role("button", name="开始填写申请").click()
    expect(other).to_have_url(re.compile(r"/aid/d[^/]+/applicant$"))
    audit(other)  # the aid area's own page, filled in with the family
    _fits(other)

    with app.app_context():
        db.expire_all()
        application = db.scalars(select(AidApplication)).one()
        assert application.applicant_id is None and application.filed_by_id == civil.id
        referral = db.scalars(select(CareReferral)).one()
        assert referral.aid_application_id == application.id
        referral_id = referral.id

    other.goto(f"{live_server.url}/staff/care/referrals/{referral_id}")
    expect(other.locator("dl.facts")).to_contain_text("代办的救助申请")
    other.get_by_label("已办结").check()
    other.get_by_label("办理情况").fill("已上门为刘大爷代办临时救助申请，材料补齐后提交")
    other.get_by_role("button", name="保存办理结果").click()
    expect(other.locator(".flash-success")).to_contain_text("已通知转介人")
    audit(other)

    page.goto(live_server.url + "/notifications")
    expect(page.locator("main")).to_contain_text("有了结果：已办结")
    audit(page)
    page.goto(live_server.url + "/staff/care/referrals?list=sent")
    expect(page.locator(".referral-list .card").first).to_contain_text("已办结")
    audit(page)
    _fits(page)
    page.locator(".referral-list .card-link").first.click()
    expect(page.locator("dl.facts")).to_contain_text("已上门为刘大爷代办临时救助申请")
    audit(page)
