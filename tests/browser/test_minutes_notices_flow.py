"""Through the real UI at 390 px: minutes with resolutions, a progress update, a red warning,
and a notice previewed with htmx and marked read. Every page visited passes axe."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.clock import to_local_input, utcnow
from tests.browser.conftest import menu_link
from tests.conftest import TEST_PASSWORD


def sign_in(page, live_server, phone, audit):
    page.goto(live_server.url + "/auth/login")
    audit(page)
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def add_resolution(page, audit, text, responsible, due):
    page.get_by_label("决议内容").fill(text)
    page.get_by_label("负责部门").fill(responsible)
    page.get_by_label("完成期限").fill(due)
    page.get_by_role("button", name="添加决议").click()
    expect(page.locator("#resolutions .card", has_text=text)).to_be_visible()
    expect(page.locator(".htmx-request")).to_have_count(0)
    audit(page)


def test_minutes_progress_and_red_warning(live_server, new_page, audit, make_user):
    deputy = make_user(Role.DEPUTY_DIRECTOR, name="周副主任")

    # 1. Staff publish minutes with two resolutions.
    staff = new_page()
    sign_in(staff, live_server, deputy.phone, audit)
    audit(staff)
    menu_link(staff, "会议纪要").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("会议纪要")
    audit(staff)
    staff.get_by_role("link", name="记录一次会议").click()
    audit(staff)
    staff.get_by_label("会议类型").select_option(label="居民议事会")
    staff.get_by_label("标题").fill("十一月居民议事会")
    staff.get_by_label("会议日期").fill("2026-11-20")
    staff.get_by_label("地点").fill("社区党群服务中心")
    staff.get_by_label("出席人数").fill("31")
    staff.get_by_label("议程").fill("1. 楼道照明\n2. 垃圾分类")
    staff.locator("textarea#minutes").fill("## 决定\n\n- 更换楼道灯\n- 增设分类督导")
    staff.get_by_role("button", name="保存草稿").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("十一月居民议事会")
    audit(staff)
    add_resolution(staff, audit, "更换5号楼楼道声控灯", "物业服务中心", "2026-12-31")
    add_resolution(staff, audit, "每天早晚设垃圾分类督导员", "社区居委会", "2027-01-15")
    staff.get_by_role("button", name="发布这份纪要").click()
    expect(staff.locator(".flash-success")).to_contain_text("已发布")
    audit(staff)

    # 2. A resident reads them without signing in.
    resident = new_page()
    resident.goto(live_server.url + "/minutes/")
    audit(resident)
    resident.get_by_label("搜索").fill("没有这个词")
    resident.get_by_role("button", name="筛选").click()
    expect(resident.locator("#meeting-list")).to_contain_text("没有找到相符的会议纪要")
    assert "q=" in resident.url  # the filtered list has its own address
    audit(resident)
    resident.get_by_label("搜索").fill("")
    resident.get_by_label("会议类型").select_option(label="居民议事会")
    resident.get_by_role("button", name="筛选").click()
    expect(resident.locator("#meeting-list")).to_contain_text("十一月居民议事会")
    resident.get_by_role("link", name="十一月居民议事会").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("十一月居民议事会")
    first = resident.locator("#resolutions-heading ~ article").first
    expect(resident.get_by_text("更换5号楼楼道声控灯")).to_be_visible()
    expect(resident.get_by_text("每天早晚设垃圾分类督导员")).to_be_visible()
    expect(first.locator(".progress-figure")).to_have_text("0%")
    audit(resident)
    resident.emulate_media(media="print")  # the print stylesheet keeps only the minutes
    expect(resident.locator(".site-header")).to_be_hidden()
    expect(resident.get_by_text("更换5号楼楼道声控灯")).to_be_visible()
    resident.emulate_media(media="screen")
    resident.get_by_role("link", name="全部会议纪要").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("会议纪要")
    audit(resident)
    resident.get_by_role("link", name="决议进展").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("正在落实的决议")
    audit(resident)

    # 3. Staff add a progress update; the resident sees the new percentage.
    staff.get_by_role("link", name=re.compile("填报进展.*更换5号楼")).click()
    audit(staff)
    staff.get_by_label("状态").select_option(label="进行中")
    staff.get_by_label("进度（%）").fill("60")
    staff.get_by_label("进展情况").fill("已更换3层至6层的灯。")
    staff.get_by_role("button", name="发布进展").click()
    expect(staff.locator(".flash-success")).to_contain_text("进展已发布")
    audit(staff)
    resident.reload()
    card = resident.locator(".card", has_text="更换5号楼楼道声控灯")
    expect(card.locator(".progress-figure")).to_have_text("60%")
    expect(card.locator("progress")).to_have_attribute("value", "60")
    expect(card).to_contain_text("已更换3层至6层的灯。")
    audit(resident)

    # Staff correct the published minutes; the resident can see what changed.
    staff.get_by_role("link", name="十一月居民议事会").click()
    staff.locator("textarea#minutes").fill("## 决定\n\n- 更换楼道灯\n- 增设早晚两班分类督导")
    staff.get_by_role("button", name="保存", exact=True).click()
    expect(staff.locator(".flash-success")).to_contain_text("居民会看到新版本")
    audit(staff)
    resident.get_by_role("link", name=re.compile("出自")).first.click()
    expect(resident.get_by_text(re.compile("更新于"))).to_be_visible()
    audit(resident)
    resident.get_by_role("link", name="查看改动").click()
    expect(resident.locator(".diff del")).to_contain_text("增设分类督导")
    expect(resident.locator(".diff ins")).to_contain_text("增设早晚两班分类督导")
    audit(resident)

    # 4. Staff raise a red warning; it is on the resident's next page.
    menu_link(staff, "公告和预警").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("公告和预警")
    audit(staff)
    staff.get_by_role("link", name="紧急预警").click()
    audit(staff)
    ends = to_local_input(utcnow() + timedelta(hours=6))
    staff.get_by_label("预警级别").select_option(label="红色预警")
    staff.get_by_label("预警类别").select_option(label="防汛")
    staff.get_by_label("居民需要知道和做的事").fill("今晚特大暴雨，请把车移出地下车库。")
    staff.get_by_label("结束时间").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_role("button", name="发布预警").click()
    expect(staff.locator(".flash-success")).to_contain_text("预警已发布")
    audit(staff)
    resident.get_by_role("link", name="当前版本").click()
    banner = resident.locator(".alert-banner.alert-red")
    expect(banner).to_contain_text("红色预警")
    expect(banner).to_contain_text("今晚特大暴雨")
    audit(resident)


def test_notice_preview_with_htmx_and_marked_read(live_server, new_page, audit, make_user):
    deputy = make_user(Role.DEPUTY_DIRECTOR)
    reader = make_user(Role.RESIDENT, name="张阿姨")

    staff = new_page()
    sign_in(staff, live_server, deputy.phone, audit)
    staff.goto(live_server.url + "/staff/notices/new")
    audit(staff)
    staff.get_by_label("公告类型").select_option(label="政策解读")
    staff.get_by_label("标题").fill("高龄津贴怎么领")
    staff.get_by_label("正文").fill("## 谁能领\n\n年满**80周岁**的老人。")
    staff.get_by_role("button", name="预览").click()
    preview = staff.locator("#notice-preview")
    expect(preview.get_by_role("heading", name="高龄津贴怎么领")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("80周岁")
    assert staff.url.endswith("/staff/notices/new")  # swapped in place, nothing saved
    audit(staff)
    staff.get_by_role("button", name="发布", exact=True).click()
    expect(staff.locator(".flash-success")).to_contain_text("已发布")
    audit(staff)

    resident = new_page()
    sign_in(resident, live_server, reader.phone, audit)
    audit(resident)
    resident.goto(live_server.url + "/notices/")
    expect(resident.locator(".unread-mark")).to_have_count(1)
    audit(resident)
    resident.get_by_role("link", name="高龄津贴怎么领").click()
    expect(resident.get_by_text("您已读过这条公告")).to_be_visible()  # htmx POST on load
    audit(resident)
    resident.get_by_role("link", name="全部公告").click()
    expect(resident.locator(".read-mark")).to_have_count(1)
    expect(resident.locator(".unread-mark")).to_have_count(0)
    audit(resident)
