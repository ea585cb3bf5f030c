"""The whole aid journey in a real browser at 390 px, every page audited:
a 低保 application for a household of two, from the aid home page to the confirmation, in at
most 12 screens and 30 inputs (both printed), with one item left out; staff return it listing
the missing item; the resident adds it and resends; staff take it through investigation, public
notice and approval; the resident sees every stage with its due date.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pikepdf
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select, update

from portal.accounts.roles import Role
from portal.aid import service
from portal.aid.idnumber import check_digit
from portal.aid.models import AidApplication
from portal.clock import FixedClock, utcnow
from portal.clock import today as local_today
from tests.browser.conftest import menu_link
from tests.conftest import TEST_PASSWORD

DESKTOP = {"width": 1280, "height": 900}
MAX_SCREENS = 12
MAX_INPUTS = 30


def _photo(name: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 90, 160)).save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _pdf(name: str) -> dict:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return {"name": name, "mimeType": "application/pdf", "buffer": buffer.getvalue()}


def _sign_in(page, live_server, phone):
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


class Walk:
    """Counts what the resident sees and does: each full page load and each boosted
    navigation that replaces the page is a screen (an htmx swap of part of a page is not);
    each field filled, box ticked, option chosen or file input given is an input."""

    def __init__(self, page):
        self.page, self.screens, self.inputs = page, 0, 0
        page.on("load", self._loaded)
        page.on("request", self._requested)

    def _loaded(self, _page):
        self.screens += 1

    def _requested(self, request):
        # htmx 4 marks a request whose answer replaces the whole body "full".
        if request.headers.get("hx-request-type") == "full" and request.redirected_from is None:
            self.screens += 1

    def fill(self, locator, value):
        self.inputs += 1
        locator.fill(value)

    def check(self, locator):
        self.inputs += 1
        locator.check()

    def select(self, locator, value):
        self.inputs += 1
        locator.select_option(value)

    def files(self, locator, files):
        self.inputs += 1
        locator.set_input_files(files)

    def stop(self):
        self.page.remove_listener("load", self._loaded)
        self.page.remove_listener("request", self._requested)


def test_aid_journey(app, live_server, new_page, audit, make_user, db):
    clock = app.extensions["clock"] = FixedClock(utcnow())  # moved on by hand, never slept
    service.seed_types(db)
    db.commit()
    resident = make_user(Role.RESIDENT, name="张阿姨")
    officer = make_user(Role.CIVIL_AFFAIRS, name="李民政")
    first17 = "11010519600315002"
    own_id = first17 + check_digit(first17)
    child17 = "11010519900101003"
    child_id = child17 + check_digit(child17)

    page = new_page()
    _sign_in(page, live_server, resident.phone)
    expect(page.get_by_role("heading", level=1)).to_contain_text("张阿姨")
    walk = Walk(page)
    h1 = page.get_by_role("heading", level=1)

    # The aid home page, the 低保 guide, and its own button starts a 低保 application
    page.goto(live_server.url + "/aid/")
    expect(h1).to_have_text("申请救助")
    audit(page)
    page.get_by_role("link", name=re.compile("最低生活保障")).click()
    expect(h1).to_have_text("最低生活保障（低保）")
    expect(page.locator("main")).not_to_contain_text("急难型")  # only 临时救助 asks it
    expect(page.locator("main")).not_to_contain_text("核对授权书")  # made, not uploaded
    audit(page)
    page.get_by_role("button", name="现在申请").click()

    # 1. About you: one mistyped ID number, told exactly what is wrong
    expect(h1).to_have_text("申请人信息")
    expect(page.locator(".aid-part")).to_contain_text("第 1 步，共 5 步")
    expect(page.get_by_role("link", name="查看申请的所有步骤")).to_be_visible()
    expect(page.get_by_label("姓名（与身份证一致）")).to_have_value("张阿姨")
    audit(page)
    walk.fill(page.get_by_label("身份证号码"), own_id[:17] + ("1" if own_id[-1] != "1" else "2"))
    page.get_by_role("button", name="保存并继续").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("校验不通过")
    audit(page)
    walk.fill(page.get_by_label("身份证号码"), f"{own_id[:6]} {own_id[6:14]} {own_id[14:].lower()}")
    page.get_by_role("button", name="保存并继续").click()

    # 2. Household: straight here, the second person added inline with htmx
    expect(h1).to_have_text("家庭成员")
    audit(page)
    walk.fill(page.get_by_label("姓名", exact=True), "张小明")
    walk.select(page.get_by_label("与您的关系"), "child")
    walk.fill(page.get_by_label("身份证号码"), child_id)
    walk.select(page.get_by_label("状态"), "working")
    page.get_by_role("button", name="添加此人").click()
    expect(page.locator("#members")).to_contain_text("张小明")
    expect(page.locator("#members")).to_contain_text("110105********")
    audit(page)
    page.get_by_role("button", name="家人已填全，继续").click()

    # 3. Income and assets
    expect(h1).to_have_text("收入和财产")
    walk.fill(page.get_by_label("您本人的月收入（元）"), "1,200")
    walk.fill(page.get_by_label("张小明 的月收入（元）"), "０")
    walk.fill(page.get_by_label("家庭拥有的汽车数量"), "0")
    walk.fill(page.get_by_label("全家存款及金融资产（元）"), "3000")
    audit(page)
    page.get_by_role("button", name="保存并继续").click()

    # 4. Materials: every item on one page, several files for an item, one submit;
    # 收入证明 (proof of income) left out
    expect(h1).to_have_text("申请材料")
    expect(page.locator('input[type="file"]')).to_have_count(5)
    audit(page)
    materials_height = page.evaluate("document.documentElement.scrollHeight")
    walk.files(page.locator("#files-hukou"), [_photo("户口簿首页.jpg"), _photo("户口簿本人页.jpg")])
    walk.files(page.locator("#files-id_card"), [_photo("身份证正面.jpg"), _pdf("身份证反面.pdf")])
    walk.files(page.locator("#files-assets_statement"), [_pdf("财产状况说明.pdf")])
    page.get_by_role("button", name="保存并继续").click()

    # 5. Consent, two separate boxes
    expect(h1).to_have_text("授权同意")
    audit(page)
    walk.check(page.get_by_label(re.compile("我同意社区居委会")))
    walk.check(page.get_by_label(re.compile("我授权核对")))
    page.get_by_role("button", name="保存并继续").click()

    # Check answers, and send
    expect(h1).to_have_text("提交前请核对信息")
    expect(page.locator("main")).to_contain_text(own_id[:6] + "********" + own_id[-4:])
    expect(page.locator("main")).not_to_contain_text(own_id)
    expect(page.locator("main")).to_contain_text("尚未添加")
    expect(page.locator("main")).to_contain_text("2 个文件")
    audit(page)
    page.get_by_role("button", name="提交申请").click()
    expect(h1).to_have_text("申请已提交")
    ref = page.locator(".aid-ref strong").inner_text()
    assert re.fullmatch(r"A\d{8}-0001", ref)
    expect(page.locator(".aid-receipt")).to_contain_text("收入证明")
    audit(page)
    walk.stop()
    print(f"\n低保, household of two, aid home page to confirmation: {walk.screens} screens, "
          f"{walk.inputs} inputs; the materials page {materials_height} px long at 390 px")
    assert walk.screens <= MAX_SCREENS
    assert walk.inputs <= MAX_INPUTS
    assert materials_height < 2000  # was ~2,600 px with a panel and a button per item

    # The application letter and authorisation, made from the answers, to print and sign
    page.get_by_role("link", name="打印申请书签字").click()
    expect(h1).to_have_text("申请书和核对授权书")
    expect(page.locator("main")).to_contain_text(
        "本人张阿姨，代表全家 2 口人申请最低生活保障（低保）")
    expect(page.locator("main")).to_contain_text("张小明")
    expect(page.locator("main")).to_contain_text("已于")
    expect(page.locator("main")).not_to_contain_text(own_id)
    audit(page)

    # Within 10 minutes she takes it back to change it: a draft again, everything kept, and
    # sent again under the same reference; nobody at the office saw it go
    page.goto(live_server.url + f"/aid/{ref}/confirmation")
    expect(page.locator(".aid-undo")).to_contain_text("前可以撤回修改")
    page.get_by_role("button", name="撤回修改").click()
    expect(page.locator(".flash-success")).to_contain_text("社区还没看到")
    expect(h1).to_have_text("我的申请")
    expect(page.locator("#status-applicant")).to_have_text("已完成")
    audit(page)
    page.get_by_role("link", name="核对信息并提交").click()
    expect(page.locator("main")).to_contain_text("张小明")
    expect(page.locator("main")).to_contain_text("2 个文件")
    page.get_by_role("button", name="提交申请").click()
    expect(h1).to_have_text("申请已提交")
    assert page.locator(".aid-ref strong").inner_text() == ref
    clock.advance(minutes=10)
    page.reload()
    expect(page.locator(".aid-undo")).to_have_count(0)  # the 10 minutes are over

    # Staff return it, listing the missing item
    staff = new_page(viewport=DESKTOP)
    _sign_in(staff, live_server, officer.phone)
    expect(staff.locator("main")).to_contain_text("件新申请")
    audit(staff)
    staff.get_by_role("link", name="救助申请", exact=True).first.click()
    audit(staff)
    staff.get_by_role("link", name=ref).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(ref)
    expect(staff.locator("main")).not_to_contain_text(own_id)
    audit(staff)
    staff.get_by_role("button", name="一次性告知并退回").click()
    expect(staff.locator(".flash-success")).to_contain_text("已退回")
    audit(staff)

    # The resident adds it and resends
    page.goto(live_server.url + f"/aid/{ref}")
    expect(page.locator(".aid-returned")).to_contain_text("收入证明")
    audit(page)
    expect(page.locator("#status-materials")).to_have_text("还缺 1 项")  # done means done
    page.get_by_role("link", name="申请材料").click()
    page.locator("#files-income_proof").set_input_files(_photo("收入证明.jpg"))
    page.get_by_role("button", name="保存并继续").click()
    # everything else was done: straight on to check answers
    expect(page.get_by_role("heading", level=1)).to_have_text("提交前请核对信息")
    page.get_by_role("link", name="修改 申请材料").click()
    expect(page.locator("#item-income_proof")).to_contain_text("收入证明.jpg")
    page.get_by_role("link", name="查看申请的所有步骤").click()
    expect(page.locator("#status-materials")).to_have_text("已完成")
    audit(page)
    page.get_by_role("link", name="核对信息并提交").click()
    page.get_by_role("button", name="再次提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    assert page.locator(".aid-ref strong").inner_text() == ref

    # Staff: accept, investigate, public notice, approve (once the 10 minutes are over)
    clock.advance(minutes=10)
    staff.reload()
    staff.get_by_role("button", name="受理").click()
    expect(staff.locator(".flash-success")).to_contain_text("已受理")
    audit(staff)
    staff.get_by_label("调查人员一").fill("李民政")
    staff.get_by_label("调查人员二").fill("王网格")
    staff.get_by_label("调查情况").fill("家中确有困难，与申报一致。")
    staff.get_by_role("button", name="保存入户调查").click()
    expect(staff.locator(".flash-success")).to_contain_text("入户调查已登记")
    staff.get_by_label("拟发放月金额（元）").fill("950")
    staff.get_by_role("button", name="开始公示", exact=True).click()
    expect(staff.locator(".flash-success")).to_contain_text("公示已开始")
    audit(staff)

    public = new_page()
    public.goto(live_server.url + "/aid/notices")
    expect(public.locator("main")).to_contain_text("张**")
    expect(public.locator("main")).not_to_contain_text("张阿姨")
    audit(public)

    # seven days pass
    today = local_today()
    db.execute(update(AidApplication).where(AidApplication.ref == ref).values(
        notice_starts_on=today - timedelta(days=8), notice_ends_on=today - timedelta(days=2)))
    db.commit()
    staff.reload()
    staff.get_by_label("批准", exact=True).check()
    staff.get_by_label("每月金额（元）").fill("950")
    staff.get_by_label("起始发放月份（YYYY-MM）").fill(f"{today.year}-{today.month:02d}")
    staff.get_by_role("button", name="登记审批决定").click()
    expect(staff.locator(".flash-success")).to_contain_text("审批决定已登记")
    audit(staff)

    # The resident sees every stage with its date and due date
    page.goto(live_server.url + f"/aid/{ref}")
    steps = page.locator(".aid-step")
    expect(steps).to_have_count(5)
    for index in range(5):
        expect(steps.nth(index)).to_contain_text("已完成")
    expect(steps.nth(1)).to_contain_text("办理期限")
    expect(steps.nth(2)).to_contain_text("办理期限")
    expect(steps.nth(4)).to_contain_text("每月 950 元")
    expect(page.locator(".aid-history")).to_contain_text("收入证明")
    audit(page)
    assert db.scalar(select(AidApplication.stage).where(AidApplication.ref == ref)) == \
        "approved"


def test_director_pages_and_withdrawal(live_server, new_page, audit, make_user, db):
    service.seed_types(db)
    db.commit()
    director = make_user(Role.DIRECTOR, name="陈主任")
    resident = make_user(Role.RESIDENT, name="刘大爷")

    page = new_page()
    _sign_in(page, live_server, resident.phone)
    expect(page.get_by_role("heading", level=1)).to_contain_text("刘大爷")
    page.goto(live_server.url + "/aid/types/temporary")  # its guide asks its own question
    page.get_by_role("button", name="现在申请").click()
    expect(page.locator(".error-summary")).to_contain_text("急难型还是支出型")
    audit(page)
    page.get_by_label("急难型", exact=True).check()
    page.get_by_role("button", name="现在申请").click()
    page.get_by_role("link", name="查看申请的所有步骤").click()
    page.get_by_role("link", name="撤回这件申请").click()
    audit(page)
    page.get_by_role("button", name="确定撤回").click()
    expect(page.locator(".flash-success")).to_contain_text("已撤回")
    audit(page)

    staff = new_page(viewport=DESKTOP)
    _sign_in(staff, live_server, director.phone)
    expect(staff.locator("main")).to_contain_text("件新申请")
    for link, heading in (("救助申请", "救助申请"), ("操作日志", "操作日志"),
                          ("救助类别", "救助类别")):
        menu_link(staff, link, exact=True).click()
        expect(staff.get_by_role("heading", level=1)).to_have_text(heading)
        audit(staff)
    staff.get_by_role("link", name="养老服务").click()
    expect(staff.get_by_label("材料清单")).to_contain_text("身份证 | ID card")
    audit(staff)
    staff.goto(live_server.url + "/staff/aid/holidays")
    staff.get_by_label("日期", exact=True).fill("2031-01-02")
    staff.get_by_role("button", name="保存").click()
    expect(staff.locator(".flash-success")).to_be_visible()
    audit(staff)
