"""Navigation that fits a phone, and care mode (长辈版) to MIIT's 适老化 rules, in a real
Chromium at 320 and 390 px: no sideways scrolling, every tab visible and tappable, a header
on one line; in care mode text of 22 px, headings of 30 px, line spacing of 1.3 and tap
targets of 60×60 (or 60 high and full width); axe passes in both modes."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.service_requests import service
from tests.conftest import TEST_PASSWORD

WIDTHS = [320, 390]
SHOTS = Path(tempfile.gettempdir())  # care_*.png: to look at, not compared
CARE = re.compile(r"\bcare\b")
TABS = ["首页", "诉求", "救助", "活动", "我的"]

MEASURE = """() => {
  const px = (el, prop) => parseFloat(getComputedStyle(el)[prop]);
  const boxes = [...document.querySelectorAll(
      '.site-nav a, .site-header a, .site-header button, main form button, main form a, '
      + 'main form input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
      + 'main form select')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .map(el => { const r = el.getBoundingClientRect();
                 const form = el.closest('form, nav, header');
                 return {what: el.outerHTML.slice(0, 80), width: r.width, height: r.height,
                         full: r.width >= form.getBoundingClientRect().width - 40}; });
  const body = document.querySelector('main p, main .lead') || document.body;
  const h1 = document.querySelector('h1');
  return {scroll: document.scrollingElement.scrollWidth, inner: innerWidth,
          body: px(document.body, 'fontSize'), paragraph: px(body, 'fontSize'),
          leading: px(body, 'lineHeight') / px(body, 'fontSize'),
          h1: px(h1, 'fontSize'), h1leading: px(h1, 'lineHeight') / px(h1, 'fontSize'),
          header: document.querySelector('.site-header .bar').getBoundingClientRect().height,
          boxes};
}"""


def _sign_in(page, live_server, phone):
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def _fits(page, width):
    measured = page.evaluate(MEASURE)
    wide = page.evaluate("() => [...document.querySelectorAll('body *')].filter("
                         "e => e.getBoundingClientRect().right > innerWidth + 1)"
                         ".map(e => e.outerHTML.slice(0, 100))")
    assert measured["scroll"] <= measured["inner"] == width, (page.url, measured["scroll"], wide)
    return measured


def _tabs_are_tappable(page):
    nav = page.get_by_role("navigation", name="主菜单")
    for name in TABS:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
        assert box["y"] + box["height"] <= page.viewport_size["height"]
        # What a finger at the middle of the tab touches is the tab itself.
        assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('a')?.innerText",
                             [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]) == name


@pytest.mark.parametrize("width", WIDTHS)
def test_phone_navigation_and_care_mode(width, live_server, new_page, audit, make_user, db):
    service.seed_categories(db)
    db.commit()
    resident = make_user(Role.RESIDENT, name="张阿姨", building="3号楼", unit="2单元")
    page = new_page(viewport={"width": width, "height": 740})

    # Signed out: the header holds the brand, 长辈版 and the language on one line.
    page.goto(live_server.url + "/")
    standard = _fits(page, width)
    assert standard["header"] < 80, standard["header"]
    audit(page)
    page.get_by_role("button", name="长辈版").click()
    expect(page.get_by_role("button", name="标准版")).to_be_visible()
    expect(page.locator("html")).to_have_class(CARE)
    page.screenshot(path=SHOTS / f"care_signed_out_{width}.png")
    care = _fits(page, width)
    assert care["header"] < 90, care["header"]
    audit(page)

    # Signing in keeps it; the bottom tabs all show, in both modes.
    _sign_in(page, live_server, resident.phone)
    expect(page.locator("html")).to_have_class(CARE)
    for path in ("/", "/requests/new", "/account", "/notices/"):
        page.goto(live_server.url + path)
        measured = _fits(page, width)
        assert measured["header"] < 90, (path, measured["header"])
        assert measured["body"] >= 22 and measured["paragraph"] >= 22, (path, measured)
        assert measured["h1"] >= 30 and measured["h1leading"] >= 1.3, (path, measured)
        assert measured["leading"] >= 1.3, (path, measured)
        small = [box for box in measured["boxes"]
                 if box["height"] < 60 or (box["width"] < 60 and not box["full"])]
        assert not small, (path, small)
        _tabs_are_tappable(page)
        audit(page)
        if width == 390 and path in ("/", "/requests/new"):
            name = "home" if path == "/" else "request_new"
            page.screenshot(path=SHOTS / f"care_{name}_{width}.png", full_page=True)

    # The care home: the four most used tasks, big, first.
    page.goto(live_server.url + "/")
    tasks = page.locator(".care-task")
    expect(tasks).to_have_text(["我要反映问题", "申请救助", "活动报名", "通知公告"])
    tasks.first.click()
    expect(page).to_have_url(re.compile(r"/requests/new$"))
    tab = page.get_by_role("link", name="诉求", exact=True)
    expect(tab).to_have_attribute("aria-current", "true")

    # Back to standard: the tabs still fit, with the usual sizes.
    page.get_by_role("button", name="标准版").click()
    expect(page.locator("html")).not_to_have_class(CARE)
    for path in ("/", "/requests/new"):
        page.goto(live_server.url + path)
        measured = _fits(page, width)
        assert measured["header"] < 80, (path, measured["header"])
        _tabs_are_tappable(page)
        audit(page)
        if width == 390:
            name = "std_home" if path == "/" else "std_request_new"
            page.screenshot(path=SHOTS / f"care_{name}_{width}.png", full_page=True)

    # In English, in both modes, the header and the tabs still fit.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for _mode in ("standard", "care"):
        measured = _fits(page, width)
        assert measured["header"] < 90, measured["header"]
        nav = page.get_by_role("navigation", name="Main")
        for name in ["Home", "Report", "Aid", "Events", "Me"]:
            box = nav.get_by_role("link", name=name, exact=True).bounding_box()
            assert box["x"] + box["width"] <= width and box["height"] >= 44, (name, box)
        audit(page)
        if _mode == "standard":
            page.get_by_role("button", name="Large text").click()
            expect(page.get_by_role("button", name="Standard")).to_be_visible()
    page.screenshot(path=SHOTS / f"care_en_home_{width}.png")


def test_desktop_keeps_a_top_bar_with_every_service(live_server, new_page, audit, make_user):
    resident = make_user(Role.RESIDENT, name="张阿姨")
    page = new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, live_server, resident.phone)
    nav = page.get_by_role("navigation", name="主菜单")
    for name in ["首页", "反映问题", "申请救助", "社区活动", "公告", "会议纪要", "问卷调查",
                 "我的"]:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    box = nav.bounding_box()
    assert box["y"] < 200  # at the top, under the header
    home = nav.get_by_role("link", name="首页", exact=True)
    expect(home).to_have_attribute("aria-current", "page")
    audit(page)


FAKE_VOICE = """(() => {
  const voice = {lang: 'zh-CN', name: 'Test voice', voiceURI: 'test', default: true,
                 localService: true};
  window.__spoken = []; window.__cancelled = 0;
  Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
    getVoices: () => [voice], speak: (u) => window.__spoken.push(u),
    cancel: () => { window.__cancelled += 1; }, addEventListener: () => {}}});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();"""


def test_reading_a_notice_aloud(live_server, new_page, audit, make_user, db):
    from portal.notices.service import save_notice

    resident = make_user(Role.RESIDENT, name="张阿姨")
    notice = save_notice(db, None, form_key="speak-test", author_id=None, attachment=None,
                         kind="notice", title="停水通知", body="明天上午停水。请提前储水！",
                         pinned=False, expires_at=None)
    db.commit()

    # Without a voice for the page's language, there is no button to press.
    page = new_page()
    _sign_in(page, live_server, resident.phone)
    page.goto(f"{live_server.url}/notices/{notice.id}")
    has_voice = page.evaluate("(window.speechSynthesis?.getVoices() || [])"
                              ".some(v => v.lang.toLowerCase().startsWith('zh'))")
    if not has_voice:
        expect(page.locator("button[data-speak]")).to_be_hidden()

    # With one: 朗读 reads the title and the text in pieces, in Chinese; 停止朗读 stops it.
    page = new_page()
    page.add_init_script(FAKE_VOICE)
    _sign_in(page, live_server, resident.phone)
    page.goto(f"{live_server.url}/notices/{notice.id}")
    button = page.get_by_role("button", name="朗读", exact=True)
    expect(button).to_be_visible()
    audit(page)
    button.click()
    stop = page.get_by_role("button", name="停止朗读", exact=True)
    expect(stop).to_be_visible()
    spoken = page.evaluate("window.__spoken.map(u => [u.text, u.lang])")
    assert spoken == [["停水通知", "zh-CN"], ["明天上午停水。", "zh-CN"], ["请提前储水！", "zh-CN"]]
    audit(page)
    stop.click()
    expect(page.get_by_role("button", name="朗读", exact=True)).to_be_visible()
    assert page.evaluate("window.__cancelled") >= 1

    # Reading to the end puts the button back as well.
    page.get_by_role("button", name="朗读", exact=True).click()
    page.evaluate("window.__spoken[window.__spoken.length - 1].onend()")
    expect(page.get_by_role("button", name="朗读", exact=True)).to_be_visible()
