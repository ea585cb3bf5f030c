"""A sign-in about to end on an open page: the warning shows in good time (an alert, a big 继续使用
button in care mode), the button starts the sign-in again, and the page is still signed in
past the first sign-in's end. The server's clock is moved, not slept on; the lifetime is a
setting of seconds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.clock import FixedClock
from tests.browser.test_care_mode_flow import SHOTS
from tests.conftest import TEST_PASSWORD

START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in the community


def _sign_in(page, url, phone):
    page.goto(url + "/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def test_the_warning_comes_in_time_and_carry_on_extends(app, live_server, new_page, audit,
                                                        make_user):
    clock = app.extensions["clock"] = FixedClock(START)
    app.config["RESIDENT_SESSION_DAYS"] = 600 / 86400  # ten minutes
    app.config["SIGN_IN_WARNING_SECONDS"] = 60
    resident = make_user(Role.RESIDENT, name="钱奶奶", care_mode=True)
    page = new_page()
    _sign_in(page, live_server.url, resident.phone)

    page.goto(live_server.url + "/account")
    warning = page.locator(".sign-in-warning")
    expect(warning).to_be_hidden()  # nine minutes and more to go: no warning yet

    clock.advance(seconds=550)
    page.goto(live_server.url + "/account")
    expect(warning).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("自动退出登录")
    carry_on = page.get_by_role("button", name="继续使用")
    box = carry_on.bounding_box()
    assert box["width"] >= 60 and box["height"] >= 60, box
    audit(page)

    carry_on.click()
    expect(warning).to_be_hidden()
    clock.advance(seconds=100)  # past the first sign-in's end
    page.goto(live_server.url + "/account")
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(live_server.url + "/board")  # the lobby board never warns anyone
    assert page.locator(".sign-in-timer").count() == 0


def test_without_carry_on_the_page_says_it_ended(app, live_server, new_page, make_user):
    app.extensions["clock"] = FixedClock(START)
    app.config["RESIDENT_SESSION_DAYS"] = 3 / 86400  # three seconds: the page sees it end
    app.config["SIGN_IN_WARNING_SECONDS"] = 3
    resident = make_user(Role.RESIDENT)
    page = new_page()
    _sign_in(page, live_server.url, resident.phone)
    expect(page.locator(".sign-in-over")).to_be_visible()
    expect(page.get_by_role("button", name="继续使用")).to_be_hidden()


def test_without_javascript_nothing_shows_and_the_page_works(app, live_server, chromium,
                                                              make_user):
    clock = app.extensions["clock"] = FixedClock(START)
    app.config["RESIDENT_SESSION_DAYS"] = 600 / 86400
    resident = make_user(Role.RESIDENT)
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN",
                                   viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        _sign_in(page, live_server.url, resident.phone)
        clock.advance(seconds=590)
        page.goto(live_server.url + "/account")
        expect(page.locator(".sign-in-warning")).to_be_hidden()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    finally:
        context.close()


def test_the_warning_in_care_mode_at_390_px(app, live_server, new_page, audit, make_user):
    """The panel as an elder sees it: above the tab bar, the end time, one big button."""
    clock = app.extensions["clock"] = FixedClock(START)
    app.config["RESIDENT_SESSION_DAYS"] = 600 / 86400
    app.config["SIGN_IN_WARNING_SECONDS"] = 60
    resident = make_user(Role.RESIDENT, name="孙爷爷", care_mode=True)
    page = new_page()
    _sign_in(page, live_server.url, resident.phone)
    clock.advance(seconds=560)
    page.goto(live_server.url + "/requests/new")
    expect(page.locator(".sign-in-warning")).to_be_visible()
    expect(page.locator(".sign-in-ends")).to_have_text("2026年12月7日 10:10")
    size = page.evaluate("() => parseFloat(getComputedStyle("
                         "document.querySelector('.sign-in-soon')).fontSize)")
    assert size >= 22, size
    audit(page)
    page.screenshot(path=SHOTS / "care_sign_in_warning_390.png")
