"""Through the real UI at 390 px: register, sign out, sign in, switch language, staff home."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.accounts.roles import Role
from tests.browser.conftest import menu_link
from tests.conftest import TEST_PASSWORD

TEXT = {
    "zh-CN": {"register": "注册账号", "create": "注册", "sign_in": "登录", "sign_out": "退出登录",
              "phone": "手机号", "name": "称呼", "password": "设置密码", "building": "楼栋",
              "unit": "单元", "room": "门牌号", "welcome": "欢迎您", "login_password": "密码",
              "forbidden": "您无权打开这个页面", "hello": "您好"},
    "en-US": {"register": "Create an account", "create": "Create account", "sign_in": "Sign in",
              "sign_out": "Sign out", "phone": "Mobile phone number", "name": "Your name",
              "password": "Choose a password", "building": "Building", "unit": "Unit",
              "room": "Room", "welcome": "Your account is ready", "login_password": "Password",
              "forbidden": "You can't open this page", "hello": "Hello"},
}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_register_sign_out_sign_in(live_server, new_page, audit, locale):
    words = TEXT[locale]
    page = new_page(locale=locale)
    page.goto(live_server.url + "/")
    audit(page)
    page.get_by_role("link", name=words["register"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["register"])
    audit(page)

    # A mistake first: the error summary takes focus and the typed values stay.
    page.get_by_label(words["phone"]).fill("138-0013")
    page.get_by_label(words["name"]).fill("张阿姨")
    page.get_by_role("button", name=words["create"], exact=True).click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_label(words["name"])).to_have_value("张阿姨")
    audit(page)

    page.get_by_label(words["phone"]).fill("138 0013 8000")
    page.get_by_label(words["password"]).fill("morning tea at nine")
    page.get_by_label(words["building"]).fill("3号楼")
    page.get_by_label(words["unit"], exact=True).fill("2单元")
    page.get_by_label(words["room"]).fill("502")
    page.get_by_role("button", name=words["create"], exact=True).click()
    expect(page.locator(".flash")).to_contain_text(words["welcome"])
    expect(page.get_by_role("heading", level=1)).to_contain_text("张阿姨")
    audit(page)

    page.get_by_role("button", name=words["sign_out"]).click()
    expect(page.get_by_role("link", name=words["sign_in"]).first).to_be_visible()
    page.get_by_role("link", name=words["sign_in"]).first.click()
    page.get_by_label(words["phone"]).fill("13800138000")
    page.get_by_label(words["login_password"], exact=True).fill("morning tea at nine")
    page.get_by_role("button", name=words["sign_in"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(words["hello"])
    audit(page)

    page.get_by_role("link", name=re.compile("我的|My account")).first.click()
    expect(page.get_by_label(words["building"])).to_have_value("3号楼")
    audit(page)


def test_switch_language_and_back(live_server, page, audit):
    page.goto(live_server.url + "/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans-CN")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.url.endswith("/auth/login")
    audit(page)
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans-CN")


def _sign_in(page, live_server, phone):
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def test_staff_reach_the_staff_home_and_residents_are_refused(live_server, new_page, audit,
                                                              make_user):
    director = make_user(Role.DIRECTOR, name="陈主任")
    resident = make_user(Role.RESIDENT, name="刘大爷")

    page = new_page()
    _sign_in(page, live_server, director.phone)
    expect(page).to_have_url(live_server.url + "/staff/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("陈主任")
    audit(page)
    menu_link(page, "工作人员账号").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员账号")
    audit(page)

    other = new_page()
    _sign_in(other, live_server, resident.phone)
    expect(other.get_by_role("heading", level=1)).to_contain_text("刘大爷")
    response = other.goto(live_server.url + "/staff/")
    assert response.status == 403
    expect(other.get_by_role("heading", level=1)).to_have_text("您无权打开这个页面")
    audit(other)
