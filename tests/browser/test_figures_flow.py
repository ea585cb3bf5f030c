"""The director's figures in a real browser at 1366 px: the November dashboard with its
rates, numerators and denominators, the requests behind a rate, recording the follow-up of
a bad rating, the monthly report, and the audit log filtered; axe on every page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.clock import FixedClock
from tests.conftest import TEST_PASSWORD
from tests.figures.conftest import NOW, november  # noqa: F401 - the fixture

LAPTOP = {"width": 1366, "height": 768}


def test_the_director_runs_the_month(live_server, new_page, audit, november):  # noqa: F811
    live_server.app.extensions["clock"] = FixedClock(NOW)
    page = new_page(viewport=LAPTOP)
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号").fill(november["director"].phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))

    page.get_by_role("link", name="社区数据").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("社区数据")
    audit(page)
    page.get_by_label("月份").select_option("2026-11")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"month=2026-11"))
    response = page.locator("#rate-response")
    expect(response).to_contain_text("71.4%")
    expect(response).to_contain_text("分子 5")
    expect(response).to_contain_text("分母 7")
    expect(page.locator("#rate-satisfaction")).to_contain_text("50.0%")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.locator("td.worst").first).to_be_visible()
    audit(page)

    # Narrowed to one category, then the requests behind the response rate.
    page.get_by_label("类别").select_option(label="邻里纠纷")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#rate-response")).to_contain_text("分母 2")
    page.locator("#rate-response a[data-figure=response_counted]").click()
    expect(page).to_have_url(re.compile(r"/staff/queue\?.*category=.*figure=response_counted"))
    expect(page.locator("table tbody tr")).to_have_count(2)  # exactly the denominator's two
    audit(page)

    # The open follow-up of B's bad rating.
    page.goto(live_server.url + "/staff/figures?month=2026-11#follow-ups")
    page.get_by_role("link", name=re.compile("记录回访")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("差评回访")
    audit(page)
    page.get_by_role("button", name="保存回访记录").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit(page)
    page.get_by_label("电话回访").check()
    page.get_by_label("居民的意见").fill("居民说维修后又漏水了，约好周五再去。")
    page.get_by_role("button", name="保存回访记录").click()
    expect(page.get_by_text("回访已记录。")).to_be_visible()
    expect(page.get_by_text("没有待回访的差评。")).to_be_visible()

    page.get_by_role("link", name="月度报表").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("月度报表")
    audit(page)
    page.get_by_label("查看某月报表").select_option("2026-11")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026-11 月度工作报表")
    audit(page)

    page.goto(live_server.url + "/staff/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("操作日志")
    page.get_by_label("业务").select_option(label="数据统计")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody")).to_contain_text("记录了差评回访")
    audit(page)
