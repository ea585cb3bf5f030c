"""On a 390 px phone, a grid worker files what they found on patrol, with a real photo, and
records a request for a resident who phoned (代录): found by their number, it lands in the
resident's own list. Every page passes axe and nothing scrolls sideways."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.service_requests import service
from tests.browser.test_requests_flow import _sign_in


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_patrol_report_and_recording_for_a_resident(live_server, new_page, audit, make_user,
                                                    db, tmp_path):
    service.seed_categories(db)
    db.commit()
    worker = make_user(Role.GRID_WORKER, name="李网格")
    deputy = make_user(Role.DEPUTY_DIRECTOR, name="周副主任")
    resident = make_user(Role.RESIDENT, name="王秀兰", phone="13912345678", building="5号楼")
    photo = tmp_path / "消防通道.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (120, 90, 60)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    page = new_page()  # 390 × 844
    _sign_in(page, live_server, worker.phone)
    page.goto(live_server.url + "/staff/requests/patrol")
    expect(page.get_by_role("heading", level=1)).to_have_text("网格巡查上报")
    audit(page)
    _fits(page)
    page.get_by_role("button", name="提交巡查上报").click()  # nothing filled in yet
    expect(page.locator(".error-summary")).to_be_visible()
    audit(page)
    page.get_by_label("设施报修").check()
    page.get_by_label("楼栋").fill("8号楼")
    page.get_by_label("具体情况").fill("北侧消防通道的应急灯不亮，晚上一片漆黑。")
    page.get_by_label("照片").set_input_files(str(photo))
    page.get_by_role("button", name="提交巡查上报").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("设施报修")
    expect(page.locator(".facts")).to_contain_text("网格巡查")
    expect(page.locator(".photo-list img")).to_have_count(1)
    audit(page)
    _fits(page)

    page.goto(live_server.url + "/staff/requests/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("代居民登记诉求")
    audit(page)
    _fits(page)
    page.get_by_label("来电").check()
    page.get_by_label("居民手机号").fill("139 1234 5678")
    page.get_by_label("具体情况").fill("家里厨房的下水道堵了，水排不下去。")
    page.get_by_role("button", name="查找居民").click()
    expect(page.locator(".found")).to_contain_text("王秀兰")
    expect(page.get_by_label("具体情况")).to_have_value("家里厨房的下水道堵了，水排不下去。")
    audit(page)
    page.get_by_label("设施报修").check()
    page.get_by_label("楼栋").fill("5号楼")
    page.get_by_role("button", name="登记诉求").click()
    expect(page.locator(".facts")).to_contain_text("王秀兰")
    ref = re.search(r"R\d{8}-\d{4}", page.get_by_role("heading", level=1).inner_text())[0]
    audit(page)

    # A deputy urges it from a desktop; the chasing panel passes axe too.
    desk = new_page(viewport={"width": 1280, "height": 900})
    _sign_in(desk, live_server, deputy.phone)
    desk.goto(live_server.url + f"/staff/requests/{ref}")
    audit(desk)
    desk.get_by_label("催办要求").fill("居民腿脚不便，请今天上门疏通。")
    desk.get_by_role("button", name="催办", exact=True).click()
    expect(desk.locator(".flash")).to_contain_text("已催办")
    expect(desk.locator("#work")).to_contain_text("已催办：")
    audit(desk)

    mine = new_page()
    _sign_in(mine, live_server, resident.phone)
    mine.goto(live_server.url + "/requests/")
    expect(mine.locator("main")).to_contain_text(ref)
    audit(mine)
