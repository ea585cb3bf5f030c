"""A tap on a page older than the session: the session cookie is gone, the remember-me cookie
signs the person in again, and the page's CSRF token (signed for the lapsed session) still
counts. It answered 400 "page expired" before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.service_requests import service as s
from portal.service_requests.models import ServiceRequest
from tests.conftest import csrf_token

ORIGIN = {"Origin": "http://localhost"}


def status_of(db, item) -> str:
    db.rollback()  # a new transaction: what the requests wrote
    return db.scalar(select(ServiceRequest.status).where(ServiceRequest.id == item.id))


@pytest.fixture
def remembered(app, client, resident, file_request):
    """A resident signed in with "keep me signed in", on their request's page; then the
    session cookie lapses and only the remember-me cookie is left."""
    from tests.accounts.test_sessions import sign_in_for_real

    item = file_request(resident)
    sign_in_for_real(client, resident, remember=True)
    token = csrf_token(client, f"/requests/{item.ref}")
    client.delete_cookie("session")
    assert client.get_cookie("remember_token") is not None
    return item, token


def test_a_button_from_the_old_page_just_works(app, client, db, remembered):
    item, token = remembered
    response = client.post(f"/requests/{item.ref}/withdraw", data={"csrf_token": token},
                           headers=ORIGIN)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert status_of(db, item) == s.WITHDRAWN


def test_the_old_pages_other_forms_keep_working_after_it(app, client, db, remembered):
    item, token = remembered
    assert client.post(f"/requests/{item.ref}/follow", data={"csrf_token": token},
                       headers=ORIGIN).status_code in (200, 303)
    response = client.post(f"/requests/{item.ref}/withdraw", data={"csrf_token": token},
                           headers=ORIGIN)
    assert response.status_code == 303


def test_a_token_we_did_not_sign_is_still_refused(client, db, remembered):
    item, _token = remembered
    response = client.post(f"/requests/{item.ref}/withdraw",
                           data={"csrf_token": "IjEyMyI.forged.signature"}, headers=ORIGIN)
    assert response.status_code == 400
    assert status_of(db, item) != s.WITHDRAWN


def test_a_post_from_another_site_is_still_refused(client, db, remembered):
    item, token = remembered
    response = client.post(f"/requests/{item.ref}/withdraw", data={"csrf_token": token},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert status_of(db, item) != s.WITHDRAWN


def test_a_live_session_still_needs_its_own_token(app, client, resident, db, file_request):
    """With the session alive, another session's token is what it always was: refused."""
    from tests.accounts.test_sessions import sign_in_for_real

    item = file_request(resident)
    other = app.test_client()
    sign_in_for_real(other, resident)
    foreign = csrf_token(other, f"/requests/{item.ref}")
    sign_in_for_real(client, resident)
    client.get(f"/requests/{item.ref}")
    response = client.post(f"/requests/{item.ref}/withdraw", data={"csrf_token": foreign},
                           headers=ORIGIN)
    assert response.status_code == 400


def test_the_sign_in_page_says_until_when_a_kept_form_waits(app, client, categories):
    """The kept form's hours are a time limit too: the person is told it, in good time."""
    from datetime import UTC, datetime

    from portal.clock import FixedClock
    from tests.keptforms.helpers import post_signed_out, sign_in_page

    app.extensions["clock"] = FixedClock(datetime(2026, 12, 7, 6, 30, tzinfo=UTC))  # 14:30
    response = post_signed_out(client, "/requests/new", {
        "category": str(categories["repair"].id), "description": "楼道灯坏了，看不见台阶。",
        "building": "3号楼", "location": "2单元"}, page="/requests/new")
    html, _next = sign_in_page(client, response)
    assert "刚才填写的内容会为您保存到 2026年12月7日 16:30" in html
    assert "保存到" not in app.test_client().get("/auth/login").get_data(as_text=True)
