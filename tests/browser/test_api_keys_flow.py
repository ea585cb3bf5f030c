"""The API's back office in a real browser: the director issues a key (shown once), a system
files a request with it over real HTTP, staff find it in the queue with its channel and the
key's name, a category gets an extra question, and a revoked key stops working."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.service_requests import service
from tests.browser.conftest import menu_link
from tests.conftest import TEST_PASSWORD

DESKTOP = {"width": 1280, "height": 900}


def _post(url: str, fields: dict) -> tuple[int, object]:
    data = urllib.parse.urlencode(fields).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data)) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_issue_use_find_and_revoke_a_key(live_server, new_page, audit, make_user, db):
    service.seed_categories(db)
    db.commit()
    director = make_user(Role.DIRECTOR, name="陈主任")
    page = new_page(viewport=DESKTOP)
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号").fill(director.phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))

    menu_link(page, "接口密钥").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("接口密钥")
    audit(page)
    page.get_by_role("button", name="发放密钥").click()  # nothing filled in: refused, kept
    expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
    audit(page)
    page.get_by_label("哪个系统使用").fill("12345 热线平台")
    page.get_by_label("可以提交诉求").check()
    page.get_by_role("button", name="发放密钥").click()
    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("linli_")
    audit(page)

    status, created = _post(live_server.url + "/open311/v2/requests.json", {
        "api_key": secret, "service_code": "hazard", "description": "楼道里堆满纸箱，挡住消防通道",
        "address_string": "5号楼 2单元", "first_name": "三", "last_name": "张",
        "phone": "13900001111"})
    assert status == 201, created
    ref = created[0]["service_request_id"]

    page.reload()
    expect(page.locator("code.secret")).to_have_count(0)  # shown once only
    page.goto(live_server.url + "/staff/queue")
    page.get_by_role("link", name=ref).click()
    work = page.locator("#work")
    expect(work).to_contain_text("其他系统（接口）")
    expect(work).to_contain_text("12345 热线平台")
    expect(work).to_contain_text("13900001111")
    audit(page)

    page.goto(live_server.url + "/staff/api-keys/questions")
    expect(page.get_by_role("heading", level=1)).to_have_text("类别的补充问题")
    page.get_by_label("类别").select_option(label="安全隐患")
    page.get_by_label("中文问题").fill("是否有人有危险？")
    page.get_by_label("英文问题").fill("Is anyone in danger?")
    page.get_by_label("回答方式").select_option(label="单选")
    page.get_by_label("选项，每行一个").fill("是\n否")
    page.get_by_label("必答").check()
    page.get_by_role("button", name="保存问题").click()
    expect(page.locator("table")).to_contain_text("是否有人有危险？")
    audit(page)

    page.goto(live_server.url + "/staff/api-keys")
    page.get_by_role("button", name="停用").click()
    expect(page.locator(".flash")).to_contain_text("已停用")
    audit(page)
    status, refused = _post(live_server.url + "/open311/v2/requests.json",
                            {"api_key": secret, "service_code": "noise"})
    assert status == 403 and refused[0]["code"] == 403
