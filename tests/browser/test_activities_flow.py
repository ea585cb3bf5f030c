"""Activities through the real UI: staff publish, one resident signs up with a companion, a
second is waitlisted, the first cancels, the second is promoted and told, staff take
attendance on a phone. Every page visited passes the axe-core audit."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.clock import utcnow
from tests.browser.conftest import menu_link
from tests.conftest import TEST_PASSWORD

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(value) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _sign_in(page, live_server, phone):
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def test_signup_waitlist_promotion_and_attendance(live_server, new_page, audit, make_user):
    officer = make_user(Role.CULTURE, name="孙文体")
    first = make_user(Role.RESIDENT, name="张阿姨")
    second = make_user(Role.RESIDENT, name="刘大爷")

    # Staff publish an activity with two seats; each person may bring one companion.
    staff = new_page(viewport={"width": 1280, "height": 900})
    _sign_in(staff, live_server, officer.phone)
    menu_link(staff, "社区活动").click()
    audit(staff)
    staff.get_by_role("link", name="新建活动").click()
    audit(staff)
    now = utcnow()
    staff.get_by_label("活动名称").fill("剪纸非遗体验")
    staff.get_by_label("活动介绍").fill("非遗传承人**现场教学**")
    staff.get_by_label("类别").select_option("heritage")
    staff.get_by_label("地点").fill("社区服务中心二楼")
    staff.get_by_label("开始时间").fill(_local(now + timedelta(days=2)))
    staff.get_by_label("结束时间").fill(_local(now + timedelta(days=2, hours=2)))
    staff.get_by_label("名额", exact=True).fill("2")
    staff.get_by_label("每人最多可带几位同行人").select_option("1")
    staff.get_by_label("报名开始").fill(_local(now - timedelta(hours=1)))
    staff.get_by_label("报名截止").fill(_local(now + timedelta(days=1)))
    staff.get_by_label("状态").select_option("published")
    staff.get_by_role("button", name="保存").click()
    expect(staff.locator(".flash")).to_contain_text("活动已保存")
    audit(staff)
    activity_url = staff.url

    # 1. A resident signs up with a companion, on a phone.
    page_a = new_page()
    _sign_in(page_a, live_server, first.phone)
    page_a.get_by_role("link", name="社区活动").first.click()
    audit(page_a)
    page_a.get_by_label("类别").select_option("sports")
    page_a.get_by_role("button", name="筛选").click()
    expect(page_a).to_have_url(re.compile(r"category=sports"))
    expect(page_a.get_by_role("link", name="剪纸非遗体验")).to_have_count(0)
    page_a.get_by_label("类别").select_option("heritage")
    page_a.get_by_label("只看还有名额的").check()
    page_a.get_by_role("button", name="筛选").click()
    expect(page_a).to_have_url(re.compile(r"category=heritage&seats=1"))
    audit(page_a)
    page_a.get_by_role("link", name="剪纸非遗体验").click()
    expect(page_a.locator("#seats-left")).to_contain_text("还剩 2 个")
    audit(page_a)
    page_a.get_by_label("同行人数").select_option("1")
    page_a.get_by_role("button", name="我要报名").click()
    expect(page_a.locator(".flash")).to_contain_text("报名成功")
    expect(page_a.locator("#seats-left")).to_contain_text("还剩 0 个")
    audit(page_a)

    # 2. A second resident finds it full and joins the waitlist.
    page_b = new_page()
    _sign_in(page_b, live_server, second.phone)
    page_b.goto(page_a.url)
    page_b.get_by_role("button", name="排队候补").click()
    expect(page_b.locator(".flash")).to_contain_text("候补名单第 1 位")
    audit(page_b)

    # 3. The first cancels; the second is promoted and sees a notification.
    page_a.get_by_role("button", name="取消报名").click()
    expect(page_a.locator(".flash")).to_contain_text("已取消报名")
    audit(page_a)

    page_b.goto(live_server.url + "/notifications")
    expect(page_b.locator(".inbox")).to_contain_text("“剪纸非遗体验”给您留了名额")
    audit(page_b)
    page_b.goto(live_server.url + "/activities/mine")
    expect(page_b.locator(".activity-card")).to_contain_text("报名成功")
    code = page_b.locator(".checkin-code").first.inner_text()
    expect(page_b.locator(".qr-box svg")).to_be_visible()
    audit(page_b)

    # 4. Staff take attendance on a phone: tap the name.
    phone_staff = new_page()
    _sign_in(phone_staff, live_server, officer.phone)
    phone_staff.goto(activity_url)
    audit(phone_staff)
    phone_staff.get_by_role("link", name="候补名单").click()
    audit(phone_staff)
    phone_staff.get_by_role("link", name="签到", exact=True).click()
    audit(phone_staff)
    phone_staff.get_by_role("button", name="刘大爷").click()
    expect(phone_staff.get_by_role("button", name="刘大爷")).to_have_attribute(
        "aria-pressed", "true")
    audit(phone_staff)
    # Typing the code works too (already here: stays checked in).
    phone_staff.get_by_label("签到码").fill(code)
    phone_staff.get_by_role("button", name="签到", exact=True).click()
    expect(phone_staff.locator(".flash")).to_contain_text("刘大爷 已签到")
    audit(phone_staff)
