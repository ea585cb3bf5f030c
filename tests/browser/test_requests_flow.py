"""The whole request loop in a real browser: a resident reports a problem with a real photo
on a 390 px phone, staff accept, reply and resolve it from the queue, the resident follows
every step in the timeline and the inbox and rates it; a neighbour gets 404 on both."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.service_requests import service
from tests.conftest import TEST_PASSWORD

DESKTOP = {"width": 1280, "height": 900}


def _sign_in(page, live_server, phone):
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def test_report_triage_resolve_rate(live_server, new_page, audit, make_user, db, tmp_path):
    service.seed_categories(db)
    db.commit()
    resident = make_user(Role.RESIDENT, name="张阿姨", building="3号楼", unit="2单元")
    director = make_user(Role.DIRECTOR, name="陈主任")
    neighbour = make_user(Role.RESIDENT, name="刘大爷", building="3号楼")
    upstairs = make_user(Role.RESIDENT, name="王奶奶", building="3号楼")
    photo = tmp_path / "楼道灯.jpg"
    image = Image.new("RGB", (800, 600), (40, 40, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    # 1. The resident reports it, with a photo, from the home tile.
    page = new_page()
    _sign_in(page, live_server, resident.phone)
    audit(page)
    page.get_by_role("link", name="反映问题").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的诉求")
    audit(page)
    page.get_by_role("link", name="反映问题").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("反映问题")
    expect(page.get_by_label("楼栋")).to_have_value("3号楼")
    audit(page)
    page.get_by_label("设施报修").check()
    page.get_by_label("具体情况").fill("二楼楼道的灯不亮了，晚上看不见台阶。")
    page.get_by_label("情况紧急").check()
    page.get_by_label("照片").set_input_files(str(photo))
    page.get_by_role("button", name="提交诉求").click()
    expect(page.get_by_role("heading", name="您的诉求已提交")).to_be_visible()
    ref = re.search(r"R\d{8}-\d{4}", page.locator(".confirmation").inner_text()).group(0)
    photo_url = page.locator(".photo-list img").first.get_attribute("src")
    audit(page)

    # A neighbour with the same problem is shown it while filling in the form, and follows it.
    same = new_page()
    _sign_in(same, live_server, upstairs.phone)
    same.goto(live_server.url + "/requests/new")
    same.get_by_label("设施报修").check()
    hint = same.locator("#similar")
    expect(hint).to_contain_text("是同一个问题吗")
    audit(same)
    hint.get_by_role("button", name=f"关注 {ref}").click()
    expect(same.locator(".flash")).to_contain_text(ref)
    expect(same.get_by_role("heading", level=1)).to_contain_text(ref)
    audit(same)

    # 2. Staff find it in the queue, take it, accept, reply and resolve it.
    staff = new_page(viewport=DESKTOP)
    _sign_in(staff, live_server, director.phone)
    expect(staff.locator("#requests-panel-heading")).to_be_visible()
    audit(staff)
    staff.get_by_role("link", name="诉求队列").first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("诉求队列")
    audit(staff)
    staff.get_by_role("link", name=ref).click()  # it opens beside the list
    expect(staff.locator("#side-panel .panel-title")).to_contain_text(ref)
    audit(staff)
    staff.get_by_role("button", name="我来处理").click()
    expect(staff.locator("#work .flash")).to_contain_text(ref)
    staff.get_by_label("新状态").select_option("accepted")
    staff.get_by_role("button", name="更改状态").click()
    expect(staff.locator("#work .flash")).to_contain_text("已受理")
    staff.get_by_role("textbox", name="回复居民").fill("明天上午电工师傅上门更换灯泡。")
    staff.get_by_role("button", name="发送回复").click()
    expect(staff.locator(".timeline")).to_contain_text("明天上午电工师傅上门更换灯泡。")
    staff.get_by_label("新状态").select_option("resolved")
    staff.get_by_role("button", name="更改状态").click()  # an ending needs a word to her
    expect(staff.locator("#work .flash")).to_contain_text("请写上告诉居民的话")
    staff.get_by_label("理由或说明").fill("灯泡已经换好了，有问题再联系我们。")
    staff.get_by_role("button", name="更改状态").click()  # and asks to confirm
    expect(staff.locator(".confirm-box")).to_contain_text("灯泡已经换好了")
    audit(staff)
    staff.get_by_role("button", name="确定，标记为“已办结”").click()
    expect(staff.locator("#work .flash")).to_contain_text("已办结")
    audit(staff)

    # 3. The resident sees every step, in the inbox and on the timeline, and rates it.
    page.goto(live_server.url + "/notifications")
    inbox = page.locator(".inbox")
    about = "您反映的“二楼楼道的灯不亮了，晚上看不见台阶。”"  # in words, not a reference
    expect(inbox).to_contain_text(f"{about}已受理")
    expect(inbox).to_contain_text(f"社区对{about}有了新回复")
    expect(inbox).to_contain_text(f"{about}已办结，请评价")
    expect(page.locator("#bell .badge")).to_contain_text("3")
    audit(page)
    page.goto(live_server.url + f"/requests/{ref}")
    timeline = page.locator(".timeline")
    for step in ("诉求已提交", "状态：已受理", "社区回复", "明天上午电工师傅上门更换灯泡。",
                 "状态：已办结"):
        expect(timeline).to_contain_text(step)
    audit(page)
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".flash")).to_contain_text("谢谢您的评价")
    expect(page.locator(".tag").first).to_have_text("已关闭")
    audit(page)

    same.goto(live_server.url + "/notifications")
    followed = same.locator(".inbox")
    expect(followed).to_contain_text("您关注的诉求（3号楼·设施报修）已办结")
    expect(followed).not_to_contain_text("楼道的灯")  # the owner's words are the owner's

    # 4. A neighbour gets 404 on the request and on its photo.
    other = new_page()
    _sign_in(other, live_server, neighbour.phone)
    assert other.goto(live_server.url + f"/requests/{ref}").status == 404
    audit(other)
    assert other.goto(live_server.url + photo_url).status == 404
    assert page.goto(live_server.url + photo_url).status == 200
