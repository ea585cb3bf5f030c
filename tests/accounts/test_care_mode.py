"""Care mode (长辈版): remembered by the browser before sign-in, by the account after it,
and carried from the one to the other when a browser in care mode signs in."""

from __future__ import annotations

import re

from portal.accounts.models import User
from tests.conftest import TEST_PASSWORD, csrf_token, sign_in

CARE_HTML = re.compile(r'<html lang="[^"]+" class="[^"]*\bcare\b')


def _toggle(client, on: bool, next_url: str = "/"):
    token = csrf_token(client, "/")
    return client.post("/care-mode", data={"csrf_token": token, "care": "1" if on else "0",
                                           "next": next_url})


def test_signed_out_the_switch_sets_a_cookie_and_every_page_follows(client, db):
    page = client.get("/auth/login").get_data(as_text=True)
    assert not CARE_HTML.search(page)
    assert 'name="care" value="1"' in page and "长辈版" in page

    response = _toggle(client, True, "/auth/login")
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert client.get_cookie("care").value == "1"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/auth/login").get_data(as_text=True)
    assert CARE_HTML.search(page)
    assert 'name="care" value="0"' in page and "标准版" in page

    _toggle(client, False)
    assert client.get_cookie("care").value == "0"
    assert not CARE_HTML.search(client.get("/").get_data(as_text=True))


def test_signed_in_the_switch_is_stored_on_the_account(resident_client, resident, db):
    _toggle(resident_client, True)
    db.expire_all()
    assert db.get(User, resident.id).care_mode is True

    # Another browser, the same account: care mode without any cookie.
    other = resident_client.application.test_client()
    sign_in(other, resident)
    assert CARE_HTML.search(other.get("/").get_data(as_text=True))

    _toggle(other, False)
    db.expire_all()
    assert db.get(User, resident.id).care_mode is False
    # The account wins over this browser's older cookie.
    assert not CARE_HTML.search(resident_client.get("/").get_data(as_text=True))


def test_the_account_page_shows_the_preference_and_switches_it(resident_client, resident, db):
    page = resident_client.get("/account").get_data(as_text=True)
    assert "<title>我的 · 邻里</title>" in page
    assert "使用长辈版" in page
    token = csrf_token(resident_client, "/account")
    response = resident_client.post("/care-mode", data={"csrf_token": token, "care": "1",
                                                        "next": "/account"})
    assert response.headers["Location"] == "/account"
    page = resident_client.get("/account").get_data(as_text=True)
    assert "已开启长辈版" in page and "改回标准版" in page
    db.expire_all()
    assert db.get(User, resident.id).care_mode is True


def test_signing_in_keeps_the_care_mode_of_the_browser(client, resident, db):
    assert resident.care_mode is False
    _toggle(client, True, "/auth/login")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={
        "csrf_token": token, "phone": resident.phone, "password": TEST_PASSWORD})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(User, resident.id).care_mode is True
    assert CARE_HTML.search(client.get("/").get_data(as_text=True))


def test_signing_in_without_the_cookie_keeps_the_accounts_choice(client, make_user, db):
    keen = make_user(care_mode=True)
    token = csrf_token(client, "/auth/login")
    client.post("/auth/login", data={"csrf_token": token, "phone": keen.phone,
                                     "password": TEST_PASSWORD})
    db.expire_all()
    assert db.get(User, keen.id).care_mode is True
    assert CARE_HTML.search(client.get("/").get_data(as_text=True))


def test_a_new_account_from_a_browser_in_care_mode_has_it(client, db):
    _toggle(client, True, "/auth/register")
    token = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data={
        "csrf_token": token, "phone": "13912345678", "name": "王奶奶",
        "password": "a long enough pass", "building": "3号楼", "unit": "1单元", "room": "101"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.expire_all()
    user = db.query(User).filter_by(phone="13912345678").one()
    assert user.care_mode is True


def test_odd_values_and_next_urls_are_safe(client, db):
    token = csrf_token(client, "/")
    response = client.post("/care-mode", data={"csrf_token": token, "care": "yes\x00",
                                                "next": "https://evil.example/"})
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert response.headers["Location"] == "/"
        assert client.get_cookie("care").value == "0"


def test_the_care_home_puts_the_four_tasks_first(resident_client, resident, db):
    resident.care_mode = True
    db.commit()
    page = resident_client.get("/").get_data(as_text=True)
    tasks = re.findall(r'<a class="care-task" href="([^"]+)">([^<]+)</a>', page)
    assert tasks == [("/requests/new", "我要反映问题"), ("/aid/", "申请救助"),
                     ("/activities/", "活动报名"), ("/notices/", "通知公告")]
    assert "更多服务" in page and "/minutes/" in page and "/surveys/" in page
