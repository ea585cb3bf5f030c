"""Care mode (长辈版) on the pages an elderly resident really uses, with the demo data, at 390 px
in Chinese: the home, a notice, a request, an activity and the aid task list; and on the pages
everyone reaches (sign-in, an error page, a staff page), where the 长辈版 button is in the
header and honoured. Text 22 px, headings 30 px, targets 60×60 (or 60 high and full width),
axe clean. Screenshots go to the temporary folder, to be looked at."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.activities.models import Activity
from portal.notices.models import Notice
from portal.service_requests.models import ServiceRequest
from tests.browser.test_care_mode_flow import CARE, MEASURE, SHOTS, _sign_in

RESIDENT_PHONE = "13800000001"  # 张阿姨 of the demo
STAFF_PHONE = "13900000001"  # 王网格


def _load_demo(app, demo_accounts):
    app.config["OFFICE_HOURS"] = "09:00-17:00"  # as shipped: deadlines and the footer
    demo_accounts()
    result = app.test_cli_runner().invoke(args=["portal", "demo"])
    assert result.exit_code == 0, result.output


def _big_enough(page, what: str) -> None:
    measured = page.evaluate(MEASURE)
    assert measured["scroll"] <= measured["inner"], (what, measured["scroll"])
    assert measured["body"] >= 22 and measured["paragraph"] >= 22, (what, measured)
    assert measured["h1"] >= 30 and measured["h1leading"] >= 1.3, (what, measured)
    small = [box for box in measured["boxes"]
             if box["height"] < 60 or (box["width"] < 60 and not box["full"])]
    assert not small, (what, small)


def test_care_mode_on_the_pages_an_elder_uses(app, db, live_server, new_page, audit,
                                              demo_accounts):
    _load_demo(app, demo_accounts)
    resident = db.scalar(select(User).where(User.phone == RESIDENT_PHONE))
    request_ref = db.scalar(select(ServiceRequest.ref).where(
        ServiceRequest.owner_id == resident.id).order_by(ServiceRequest.id.desc()).limit(1))
    notice_id = db.scalar(select(Notice.id).order_by(Notice.id).limit(1))
    activity_id = db.scalar(select(Activity.id).where(Activity.status == "published")
                            .order_by(Activity.id).limit(1))

    page = new_page()
    page.goto(live_server.url + "/auth/login")
    page.get_by_role("button", name="长辈版").click()  # on the sign-in page itself
    expect(page.locator("html")).to_have_class(CARE)
    _big_enough(page, "sign-in")
    audit(page)
    _sign_in(page, live_server, RESIDENT_PHONE)
    pages = {"home": "/", "notice": f"/notices/{notice_id}",
             "request": f"/requests/{request_ref}", "activity": f"/activities/{activity_id}"}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_class(CARE)
        _big_enough(page, name)
        audit(page)

    # The aid task list: the 低保 guide starts an application of its type.
    page.goto(live_server.url + "/aid/types/dibao")
    page.get_by_role("button", name="现在申请").click()
    page.get_by_role("link", name="查看申请的所有步骤").click()
    expect(page.locator(".task-list, .tasks, ol").first).to_be_visible()
    _big_enough(page, "aid task list")
    audit(page)
    pages["aid_tasks"] = page.url.removeprefix(live_server.url)

    page.goto(live_server.url + "/no-such-page")  # an error page has the header too
    expect(page.get_by_role("button", name="标准版")).to_be_visible()
    _big_enough(page, "404")
    audit(page)

    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.screenshot(path=SHOTS / f"care_page_{name}_390.png", full_page=True)


def test_staff_pages_honour_care_mode(app, db, live_server, new_page, audit, demo_accounts):
    _load_demo(app, demo_accounts)
    page = new_page()
    _sign_in(page, live_server, STAFF_PHONE)
    page.goto(live_server.url + "/staff/queue")
    page.get_by_role("button", name="长辈版").click()
    expect(page.locator("html")).to_have_class(CARE)
    expect(page).to_have_url(re.compile(r"/staff/queue$"))
    measured = page.evaluate(MEASURE)
    assert measured["body"] >= 22 and measured["h1"] >= 30, measured
    audit(page)
    page.screenshot(path=SHOTS / "care_page_staff_queue_390.png", full_page=True)
