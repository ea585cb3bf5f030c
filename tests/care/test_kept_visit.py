"""A visit typed on a doorstep after the worker's sign-in ended is kept, photo too, and given
back after sign-in; never to someone the back office does not let in."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.accounts.service import end_all_sessions
from portal.care.models import CareVisit
from portal.clock import today
from portal.files.models import StoredFile
from portal.keptforms.models import KeptForm
from tests.conftest import csrf_token
from tests.conftest import sign_in as sign_in_directly
from tests.keptforms.helpers import KEPT, RESTORED, sign_in, sign_in_page

NOTE = "冰箱空了，要送饭"


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 10)).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def _visit_form(token=None):
    return {"csrf_token": token or "", "outcome": "needs_help", "needs_seen": ["meals"],
            "note": NOTE, "visited_on": today().isoformat(), "photo": (_jpeg(), "door.jpg")}


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_visit_sent_after_the_sign_in_ended_comes_back_with_its_photo(app, db, make_user,
                                                                        add_person):
    worker = make_user(Role.GRID_WORKER)
    person = add_person(worker, name="王奶奶")
    page = f"/staff/care/{person.id}/visit"
    phone = app.test_client()
    sign_in_directly(phone, worker)
    token = csrf_token(phone, page)
    end_all_sessions(worker)  # the ten-hour staff sign-in ended while they typed
    db.commit()

    html, next_page = sign_in_page(phone, phone.post(page, data=_visit_form(token),
                                                     content_type="multipart/form-data"))
    assert KEPT in html and next_page == page
    assert _count(db, CareVisit) == 0
    photo = db.scalar(select(StoredFile))
    assert photo is not None and not photo.attached

    assert sign_in(phone, worker, html, next_page).headers["Location"] == page
    again = phone.get(page).get_data(as_text=True)
    assert RESTORED in again and NOTE in again and photo.token in again
    assert _count(db, CareVisit) == 0 and _count(db, KeptForm) == 0  # shown, not sent


def test_a_resident_signing_in_on_that_browser_never_sees_it(app, db, make_user, add_person):
    """With the cookies cleared nothing says whose form it was: whoever signs in first binds
    it, and the form's page still answers only to the back office."""
    person = add_person(make_user(Role.GRID_WORKER), name="王奶奶")
    page = f"/staff/care/{person.id}/visit"
    browser = app.test_client()
    html, next_page = sign_in_page(browser, browser.post(
        page, data=_visit_form(), content_type="multipart/form-data",
        headers={"Referer": f"http://localhost{page}"}))
    assert KEPT in html
    sign_in(browser, make_user(Role.RESIDENT), html, next_page)
    answer = browser.get(page)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert NOTE not in text and "王奶奶" not in text
    assert _count(db, CareVisit) == 0
