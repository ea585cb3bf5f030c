"""The lobby board at 1920×1080 with the real notices area: it shows an announcement, and a
warning raised by staff through the real back office appears as a banner within one polling
period, without a reload. (Outage and recovery are tested with test sections in
test_board.py.)"""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.clock import to_local_input, utcnow
from portal.notices import service as notices
from tests.browser.conftest import LiveServer
from tests.conftest import TEST_PASSWORD

TV = {"width": 1920, "height": 1080}
DESK = {"width": 1280, "height": 800}
POLL_SECONDS = 1


@pytest.fixture
def board_server(make_app):
    server = LiveServer(make_app(BOARD_POLL_SECONDS=POLL_SECONDS)).start()
    yield server
    server.stop()


def publish_notice(app, author_id, title):
    session = app.extensions["db_sessionmaker"]()
    with session.begin():
        notices.save_notice(session, None, form_key=secrets.token_hex(8), author_id=author_id,
                            attachment=None, kind="notice", title=title,
                            body="周六 8:00–12:00 停水，请提前储水。", pinned=True, expires_at=None)
    session.close()


def test_board_shows_an_announcement_and_a_new_warning_without_reload(board_server, new_page,
                                                                        audit, make_user):
    deputy = make_user(Role.DEPUTY_DIRECTOR, name="周副主任")
    publish_notice(board_server.app, deputy.id, "本周六上午停水通知")

    board = new_page(viewport=TV)
    board.goto(board_server.url + "/board")
    notices_section = board.locator(".board-section-notices")
    expect(notices_section.locator(".board-section-title")).to_have_text("公告")
    expect(notices_section.locator(".board-item.board-pinned")).to_contain_text("本周六上午停水通知")
    expect(board.locator(".board-alert")).to_have_count(0)
    size = notices_section.locator(".board-item-title").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 32  # readable from 3 metres
    audit(board)
    board.evaluate("window.boardTestMarker = 'same page'")

    # Staff raise a red warning through the back office.
    staff = new_page(viewport=DESK)
    staff.goto(board_server.url + "/auth/login")
    staff.get_by_label("手机号").fill(deputy.phone)
    staff.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    staff.get_by_role("button", name="登录", exact=True).click()
    expect(staff).not_to_have_url(re.compile(r"/auth/login"))
    staff.goto(board_server.url + "/staff/notices")
    staff.get_by_role("link", name="紧急预警").click()
    audit(staff)
    ends = to_local_input(utcnow() + timedelta(hours=6))
    staff.get_by_label("预警级别").select_option(label="红色预警")
    staff.get_by_label("预警类别").select_option(label="防汛")
    staff.get_by_label("居民需要知道和做的事").fill("今晚特大暴雨，请把车移出地下车库。")
    staff.get_by_label("结束时间").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_role("button", name="发布预警").click()
    expect(staff.locator(".flash-success")).to_contain_text("预警已发布")
    raised = time.monotonic()

    # The banner is on the board within one polling period (plus the answer itself).
    banner = board.locator(".board-alert.board-alert-red[role=alert]")
    banner.wait_for(timeout=(POLL_SECONDS + 2) * 1000)
    assert time.monotonic() - raised < POLL_SECONDS + 2
    expect(banner).to_contain_text("红色预警")
    expect(banner).to_contain_text("今晚特大暴雨，请把车移出地下车库。")
    assert board.evaluate("window.boardTestMarker") == "same page"  # no reload
    assert banner.bounding_box()["y"] < notices_section.bounding_box()["y"]  # above the rest
    expect(notices_section).to_contain_text("本周六上午停水通知")  # the content is still there
    audit(board)
    audit(staff)
