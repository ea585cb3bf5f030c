"""A grid worker's morning in a real browser: 30 new requests taken on, accepted and answered
with the matching template from the queue's side panel, in at most 4 actions each and without
a page load; the keyboard shortcuts; the queue at 820 px and the staff menu at 1366 px; and
the same work without JavaScript, page by page."""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.service_requests import service
from portal.service_requests.models import RequestEvent, ServiceRequest
from tests.browser.conftest import menu_link
from tests.browser.test_requests_flow import _sign_in

DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}
MORNING = 30
CURRENT = re.compile(r"\bcurrent\b")
ACCEPTED_TEXT = "您好，您反映的问题我们已经收到，网格员会在今天内上门查看，请保持电话畅通。"
PROPERTY_TEXT = "您好，这个问题属于物业公司负责范围，我们已联系物业，请他们尽快处理。"


def _file(app, db, resident, count, start=0):
    categories = {c.key: c for c in service.categories(db)}
    now = utcnow()
    made = []
    with app.app_context():
        for number in range(start, start + count):
            key = "property" if number % 3 == 0 else "repair"
            problem = "电梯又停了" if key == "property" else "楼道灯坏了"
            made.append(service.submit(
                db, resident, category=categories[key],
                description=f"第{number + 1}件：{problem}\n昨晚开始的，老人上下楼很不方便。",
                building=f"{number % 9 + 1}号楼", location="2单元301室", urgent=number % 4 == 0,
                many_households=False, idempotency_key=secrets.token_urlsafe(12),
                now=now - timedelta(minutes=13 * number)))
    db.commit()
    return made


def _morning(app, db, make_user):
    with app.app_context():
        service.seed_reference_data(db)
    db.commit()
    resident = make_user(Role.RESIDENT, name="张阿姨", building="3号楼")
    worker = make_user(Role.GRID_WORKER, name="李网格")
    governance = make_user(Role.GOVERNANCE, name="赵专干")  # property requests are theirs
    return resident, worker, governance


def test_the_mornings_work_in_four_actions_a_request_and_no_page_load(
        app, live_server, new_page, audit, make_user, db):
    resident, _worker, _governance = _morning(app, db, make_user)
    director = make_user(Role.DIRECTOR, name="陈主任")  # sees both teams' requests
    made = _file(app, db, resident, MORNING)
    page = new_page(viewport=DESKTOP)
    _sign_in(page, live_server, director.phone)
    page.goto(live_server.url + "/staff/queue?assignee=unassigned")
    expect(page.locator("[data-shortcuts]")).to_be_visible()
    audit(page)
    loads = []
    page.on("load", lambda: loads.append(page.url))
    page.evaluate("window.__sameDocument = true")

    actions, seconds = [], []
    for number in range(MORNING):
        started, done = time.perf_counter(), 0
        row = page.locator("#queue tr[data-row]", has_text="已提交").first
        ref = row.locator("[data-open]").inner_text()
        row.locator("[data-open]").click()  # 1: open it beside the list
        done += 1
        panel = page.locator("#side-panel #work")
        expect(panel.get_by_role("heading", level=2).first).to_contain_text(ref)
        if number == 0:
            audit(page)
        item = next(item for item in made if item.ref == ref)
        template = "转物业" if item.category.key == "property" else "已受理"
        panel.get_by_label("使用回复模板").select_option(label=template)  # 2: the words
        done += 1
        expect(panel.get_by_role("textbox", name="回复居民")).to_have_value(
            PROPERTY_TEXT if template == "转物业" else ACCEPTED_TEXT)
        panel.get_by_role("button", name="接单并回复").click()  # 3: take it on, accept, send
        done += 1
        expect(panel.locator(".flash")).to_contain_text(ref)
        # the list is read again: taken on, it has left the unassigned ones
        expect(page.locator(f"#row-{ref}")).to_have_count(0)
        actions.append(done)
        seconds.append(time.perf_counter() - started)
        if number == 0:
            audit(page)

    assert max(actions) <= 4
    assert loads == [] and page.evaluate("window.__sameDocument") is True
    print(f"\nmorning of {MORNING}: {sum(actions) / MORNING:.1f} actions a request "
          f"(at most {max(actions)}), {sum(seconds) / MORNING:.2f} s a request "
          f"(slowest {max(seconds):.2f} s), no page load")

    db.expire_all()
    taken = db.scalars(select(ServiceRequest).where(
        ServiceRequest.id.in_([item.id for item in made]))).all()
    assert {(item.status, item.assignee_id) for item in taken} == {("accepted", director.id)}
    replies = dict(db.execute(select(RequestEvent.request_id, RequestEvent.body).where(
        RequestEvent.kind == "reply", RequestEvent.public.is_(True))).all())
    for item in taken:
        assert replies[item.id] == (PROPERTY_TEXT if item.category.key == "property"
                                    else ACCEPTED_TEXT)


def test_the_keys_move_open_take_and_reply(app, live_server, new_page, audit, make_user, db):
    resident, worker, _governance = _morning(app, db, make_user)
    made = [item for item in _file(app, db, resident, 4) if item.category.key == "repair"]
    page = new_page(viewport=DESKTOP)
    _sign_in(page, live_server, worker.phone)
    page.goto(live_server.url + "/staff/queue")
    rows = page.locator("#queue tr[data-row]")
    expect(rows).to_have_count(len(made))
    page.locator("body").press("j")
    expect(rows.nth(0)).to_have_class(CURRENT)
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(CURRENT)
    first = rows.nth(0).locator("[data-open]").inner_text()
    page.keyboard.press("c")  # opens it beside the list, then takes it
    expect(page.locator("#side-panel .panel-title")).to_contain_text(first)
    expect(page.locator("#side-panel .flash")).to_contain_text(first)
    page.keyboard.press("r")
    box = page.locator("#side-panel textarea[name='reply-body']")
    expect(box).to_be_focused()
    box.fill("下午三点上门查看。")
    box.press("Control+Enter")
    expect(page.locator("#side-panel .timeline")).to_contain_text("下午三点上门查看。")
    audit(page)
    db.expire_all()
    item = db.scalar(select(ServiceRequest).where(ServiceRequest.ref == first))
    assert (item.assignee_id, item.status) == (worker.id, "accepted")
    # the list is read again (it now says 已受理), and o opens the row the keys moved to
    expect(page.locator(f"#row-{first}")).to_contain_text("已受理")
    page.keyboard.press("Escape")  # from the reply box back to the list
    expect(page.locator("#queue tr.current [data-open]")).to_be_focused()
    page.keyboard.press("k")
    current = page.locator("#queue tr.current [data-open]").inner_text()
    if current == first:  # answered, its next deadline is now the resolution: it may lead
        page.keyboard.press("j")
        current = page.locator("#queue tr.current [data-open]").inner_text()
    assert current != first
    page.keyboard.press("o")
    expect(page.locator("#side-panel .panel-title")).to_contain_text(current)


def test_the_queue_at_820_px_and_the_staff_menu_at_1366_px(
        app, live_server, new_page, audit, make_user, db):
    resident, _worker, _governance = _morning(app, db, make_user)
    director = make_user(Role.DIRECTOR, name="陈主任")
    _file(app, db, resident, 6)
    tablet = new_page(viewport=TABLET)
    _sign_in(tablet, live_server, director.phone)
    tablet.goto(live_server.url + "/staff/queue")
    lines = tablet.evaluate("""() => {
      const lines = element => {
        const range = document.createRange();
        range.selectNodeContents(element);
        return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
      };
      return [...document.querySelectorAll('#queue tr[data-row]')].map(row => [
        lines(row.cells[4]), lines(row.cells[5].querySelector('.tag'))]);
    }""")
    assert lines and all(pair == [1, 1] for pair in lines), lines
    audit(tablet)

    desk = new_page(viewport=DESKTOP)
    _sign_in(desk, live_server, director.phone)
    desk.goto(live_server.url + "/staff/")
    tops = desk.evaluate("""() => [...document.querySelectorAll('.site-nav > ul > li')]
        .map(item => Math.round(item.getBoundingClientRect().top))""")
    assert len(set(tops)) == 1, tops  # one line
    assert desk.evaluate("""() => { const nav = document.querySelector('.site-nav > ul');
        return nav.scrollWidth <= nav.clientWidth; }""")
    desk.locator(".site-nav summary", has_text="设置与记录").click()
    audit(desk)
    menu_link(desk, "工作人员账号").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("工作人员账号")


def test_without_javascript_a_row_is_a_page_and_the_work_still_gets_done(
        app, live_server, chromium, make_user, db):
    resident, worker, _governance = _morning(app, db, make_user)
    item = next(item for item in _file(app, db, resident, 2) if item.category.key == "repair")
    context = chromium.new_context(locale="zh-CN", viewport=DESKTOP, java_script_enabled=False,
                                   timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        _sign_in(page, live_server, worker.phone)
        page.goto(live_server.url + "/staff/queue")
        expect(page.locator("[data-shortcuts]")).to_be_hidden()
        page.get_by_role("link", name=item.ref).click()
        expect(page).to_have_url(live_server.url + f"/staff/requests/{item.ref}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(item.ref)
        page.get_by_label("使用回复模板").select_option(label="已受理")
        page.get_by_role("button", name="使用模板").click()
        expect(page.get_by_role("textbox", name="回复居民")).to_have_value(ACCEPTED_TEXT)
        page.get_by_role("button", name="接单并回复").click()
        expect(page.locator(".flash")).to_contain_text(item.ref)
        expect(page.locator(".timeline")).to_contain_text(ACCEPTED_TEXT)
    finally:
        context.close()
