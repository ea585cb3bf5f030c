"""The queue's bulk bar in a real browser: select all, one action, a result line per request;
a likely duplicate merged in one click and a confirmation, the merged page read-only; a
resident says a resolved request is not solved and it is back above its handler's queue."""

from __future__ import annotations

import secrets
from datetime import timedelta

from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.service_requests import service
from tests.browser.test_requests_flow import DESKTOP, _sign_in


def _file(app, db, owner, description, now=None):
    with app.app_context():
        category = {c.key: c for c in service.categories(db)}["repair"]
        item = service.submit(db, owner, category=category, description=description,
                              building="3号楼", location="2单元", urgent=False,
                              many_households=False, idempotency_key=secrets.token_urlsafe(8),
                              now=now)
    db.commit()
    return item


def test_select_all_bulk_accept_merge_and_dispute(app, live_server, new_page, audit, make_user,
                                                  db):
    service.seed_categories(db)
    db.commit()
    director = make_user(Role.DIRECTOR, name="陈主任")
    resident = make_user(Role.RESIDENT, name="张阿姨", building="3号楼")
    items = [_file(app, db, resident, text) for text in (
        "单元门门禁坏了，关不上。", "单元门的门禁坏了，一直关不上", "楼道灯不亮了")]
    with app.app_context():
        service.transition(db, items[2], service.ACCEPTED, director)
    db.commit()

    staff = new_page(viewport=DESKTOP)
    _sign_in(staff, live_server, director.phone)
    staff.goto(live_server.url + "/staff/queue")
    audit(staff)
    select_all = staff.get_by_label("全选本页")
    select_all.check()
    for item in items:
        expect(staff.get_by_label(f"选择 {item.ref}")).to_be_checked()
    staff.get_by_label(f"选择 {items[0].ref}").uncheck()
    expect(select_all).not_to_be_checked()
    staff.get_by_label(f"选择 {items[0].ref}").check()
    expect(select_all).to_be_checked()
    staff.locator(".bulk").get_by_role("button", name="受理", exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("受理")
    results = staff.locator(".bulk-results")
    expect(staff.locator("main")).to_contain_text("2 项已办，1 项未改动。")
    expect(results.locator(".bulk-done")).to_have_count(2)
    expect(results.locator(".bulk-refused")).to_contain_text(items[2].ref)
    expect(results.locator(".bulk-refused")).to_contain_text("不能改为")
    audit(staff)

    # the first two say the same: merge one into the other, in one click and a confirmation
    staff.goto(live_server.url + f"/staff/requests/{items[1].ref}")
    expect(staff.locator(".duplicates")).to_contain_text(items[0].ref)
    audit(staff)
    staff.get_by_role("button", name=f"把本条合并到 {items[0].ref}").click()
    expect(staff.locator(".confirm-box")).to_contain_text(items[0].ref)
    audit(staff)
    staff.get_by_role("button", name=f"确认合并到 {items[0].ref}").click()
    expect(staff.locator("#h-merged")).to_be_visible()
    expect(staff.get_by_role("button", name="我来处理")).to_have_count(0)
    expect(staff.get_by_role("textbox", name="回复居民")).to_have_count(0)
    expect(staff.locator("#work").get_by_role("link", name=items[0].ref)).to_be_visible()
    audit(staff)

    # a resolved request the resident says is not solved comes back above the queue
    done = _file(app, db, resident, "水管漏水", now=utcnow() - timedelta(days=2))
    with app.app_context():
        service.assign(db, done, director, director)
        service.transition(db, done, service.ACCEPTED, director)
        service.transition(db, done, service.RESOLVED, director, note="已修好")
    db.commit()
    phone = new_page()
    _sign_in(phone, live_server, resident.phone)
    phone.goto(live_server.url + f"/requests/{done.ref}")
    audit(phone)
    phone.get_by_role("textbox", name="还有什么问题？").fill("还在漏水")
    phone.get_by_role("button", name="重新办理").click()
    expect(phone.locator(".timeline")).to_contain_text("重新办理：居民反映问题还没解决")
    audit(phone)
    staff.goto(live_server.url + "/staff/queue")
    expect(staff.locator(".back-with")).to_contain_text(done.ref)
    audit(staff)
