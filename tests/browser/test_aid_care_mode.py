"""The aid journey in care mode (长辈版) at 390 px, as an elderly resident sees it: every page
from the aid home to the confirmation (with its "take it back" panel), the progress page and
the letter fit the width, keep text at 22 px and headings at 30 px, have tap targets of 60 px,
and pass axe. Screenshots are written at the end, to look at."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.aid import service
from tests.browser.test_care_mode_flow import _fits, _sign_in

SHOTS = Path(tempfile.gettempdir())  # aid_care_*.png: to look at, not compared
WIDTH = 390


def _draft(app, db, user):
    """A 低保 draft for two with every part but the materials done."""
    with app.test_request_context():
        aid_type = service.get_type(db, "dibao")
        application = service.start_application(db, user, aid_type, None, "care-start")
        service.save_applicant(application, name="张阿姨", id_number="11010519491231002X",
                               phone="13800138000")
        service.add_member(db, application, name="张小明", relation="child",
                           id_number="110105199001010030", status="working")
        service.mark_done(application, "household")
        service.save_income(application, applicant_fen=120000, member_fen={}, irregular=False,
                            housing="rent", vehicles=0, savings_fen=300000, circumstances="")
        service.save_consent(application, datetime.now(UTC))
    db.commit()
    return application


def _large_enough(page):
    measured = _fits(page, WIDTH)
    assert measured["body"] >= 22 and measured["paragraph"] >= 22, (page.url, measured)
    assert measured["h1"] >= 30 and measured["h1leading"] >= 1.3, (page.url, measured)
    small = [box for box in measured["boxes"]
             if box["height"] < 60 or (box["width"] < 60 and not box["full"])]
    assert not small, (page.url, small)


def test_the_aid_pages_in_care_mode(app, live_server, new_page, audit, make_user, db):
    service.seed_types(db)
    db.commit()
    resident = make_user(Role.RESIDENT, name="张阿姨", care_mode=True)
    draft = _draft(app, db, resident)
    page = new_page(viewport={"width": WIDTH, "height": 844})
    _sign_in(page, live_server, resident.phone)
    base = f"/aid/{draft.url_key}"
    paths = ["/aid/", "/aid/types/dibao", "/aid/new", "/aid/new?type=temporary", base,
             base + "/applicant", base + "/household", base + "/income", base + "/materials",
             base + "/consent", base + "/check"]
    for path in paths:
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_class("care")
        _large_enough(page)
        audit(page)
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    expect(page.locator(".aid-undo")).to_contain_text("前可以撤回修改")
    confirmation = page.url.removeprefix(live_server.url)
    ref = confirmation.split("/")[2]
    sent = [confirmation, f"/aid/{ref}", f"/aid/{ref}/withdraw", f"/aid/{ref}/letter"]
    for path in sent:
        page.goto(live_server.url + path)
        _large_enough(page)
        audit(page)
    _shoot(page, live_server, ["/aid/types/dibao", "/aid/new?type=temporary", *sent],
           ref, draft.key)
    # Taken back (the screenshots need the draft pages again): the task list, all kept
    page.goto(live_server.url + f"/aid/{ref}")
    page.get_by_role("button", name="撤回修改").click()
    expect(page.locator(".flash-success")).to_contain_text("社区还没看到")
    base = f"/aid/{ref}"
    _shoot(page, live_server, [base, base + "/household", base + "/income",
                               base + "/materials", base + "/check"], ref, "draft")


def _shoot(page, live_server, paths, ref, key):
    for path in paths:
        page.goto(live_server.url + path)
        name = path.strip("/").replace("/", "_").replace("?type=", "_")
        name = name.replace(ref, "ref").replace(key, "draft")
        page.screenshot(path=SHOTS / f"aid_care_{name}.png", full_page=True)
