"""The session goes while a resident fills in a request with a photo (here: the cookies are
cleared mid-form). Sending it leads to the sign-in page, which says the form was kept; after
signing in the form is back with the text and the photo, and sending it files the request."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.service_requests import service
from tests.conftest import TEST_PASSWORD

DESCRIPTION = "五楼楼道的窗户玻璃碎了，风很大，怕掉下去伤人。"


def _sign_in(page, phone):
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def test_cookies_cleared_mid_form_keep_the_text_and_the_photo(live_server, new_page, audit,
                                                               make_user, db, tmp_path):
    service.seed_categories(db)
    db.commit()
    resident = make_user(Role.RESIDENT, name="赵阿姨", building="5号楼", unit="1单元")
    photo = tmp_path / "窗户.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    page = new_page()
    page.goto(live_server.url + "/auth/login")
    _sign_in(page, resident.phone)
    expect(page).not_to_have_url(re.compile(r"/auth/login"))
    page.goto(live_server.url + "/requests/new")
    page.get_by_label("设施报修").check()
    page.get_by_label("具体情况").fill(DESCRIPTION)
    page.get_by_label("照片").set_input_files(str(photo))

    page.context.clear_cookies()  # the session is gone while the form is open
    page.get_by_role("button", name="提交诉求").click()

    expect(page).to_have_url(re.compile(r"/auth/login\?next=/requests/new$"))
    expect(page.locator(".flash")).to_have_text(
        "您已退出登录。请重新登录，刚才填写的内容已为您保存。")
    audit(page)
    _sign_in(page, resident.phone)

    expect(page).to_have_url(re.compile(r"/requests/new$"))
    expect(page.get_by_label("具体情况")).to_have_value(DESCRIPTION)
    expect(page.get_by_label("设施报修")).to_be_checked()
    expect(page.locator(".error-summary")).to_contain_text("这是您退出登录前填写的内容")
    kept = page.locator(".photo-list img")
    expect(kept).to_have_count(1)
    assert kept.evaluate("img => img.complete && img.naturalWidth > 0")
    audit(page)

    page.get_by_role("button", name="提交诉求").click()
    expect(page.get_by_role("heading", name="您的诉求已提交")).to_be_visible()
    expect(page.locator(".photo-list img")).to_have_count(1)
    audit(page)
