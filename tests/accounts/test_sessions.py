"""Finding 3 of issue 12: signing out ends the session on the server.

The attack: a copied session cookie kept working after POST /auth/logout, and so did the
remember_token cookie, which lasted a year.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

from portal.accounts.roles import Role
from portal.clock import FixedClock
from tests.conftest import TEST_PASSWORD, csrf_token

START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in the community


def sign_in_for_real(client, user, remember=False):
    data = {"csrf_token": csrf_token(client), "phone": user.phone, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 303
    return response


def copy_of(app, client, *names):
    """A second browser holding copies of these cookies, as an attacker who copied them."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, resident):
    sign_in_for_real(client, resident)
    thief = copy_of(app, client, "session")
    assert thief.get("/account").status_code == 200  # the copy works while signed in
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get("/account").status_code == 302
    assert thief.get("/account").status_code == 302


def test_a_copied_remember_me_cookie_stops_working_after_sign_out(app, client, resident):
    sign_in_for_real(client, resident, remember=True)
    thief = copy_of(app, client, "remember_token")  # no session cookie: only "remember me"
    assert thief.get("/account").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/account")})
    fresh_thief = copy_of(app, thief, "remember_token")
    assert fresh_thief.get("/account").status_code == 302


def test_remember_me_lasts_at_most_30_days_for_a_resident(app, client, resident):
    clock = app.extensions["clock"] = FixedClock(START)
    response = sign_in_for_real(client, resident, remember=True)
    cookies = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookies.load(header)
    expires = parsedate_to_datetime(cookies["remember_token"]["expires"])
    assert expires <= datetime.now(UTC) + timedelta(days=30, minutes=1)
    thief = copy_of(app, client, "remember_token")

    clock.advance(days=29, hours=23)
    assert copy_of(app, thief, "remember_token").get("/account").status_code == 200
    clock.advance(hours=2)  # past 30 days: the cookie is still sent, the server says no
    assert copy_of(app, thief, "remember_token").get("/account").status_code == 302
    assert client.get("/account").status_code == 302


def test_without_remember_me_the_cookie_ends_with_the_browser(client, resident):
    response = sign_in_for_real(client, resident)
    session_cookie = next(header for header in response.headers.getlist("Set-Cookie")
                          if header.startswith("session="))
    assert "Expires" not in session_cookie and "Max-Age" not in session_cookie
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_a_staff_session_ends_after_a_working_day(app, client, make_user):
    clock = app.extensions["clock"] = FixedClock(START)
    worker = make_user(Role.CIVIL_AFFAIRS)
    sign_in_for_real(client, worker, remember=True)
    thief = copy_of(app, client, "remember_token")
    clock.advance(hours=9, minutes=50)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=20)  # ten hours after signing in
    assert client.get("/staff/").status_code == 302
    assert copy_of(app, thief, "remember_token").get("/staff/").status_code == 302
    sign_in_for_real(client, worker)  # a new day: signing in again works
    assert client.get("/staff/").status_code == 200


def test_the_working_day_is_configurable(make_app, make_user):
    app = make_app(STAFF_SESSION_HOURS=4)
    clock = app.extensions["clock"] = FixedClock(START)
    worker = make_user(Role.GRID_WORKER)
    client = app.test_client()
    sign_in_for_real(client, worker)
    clock.advance(hours=3, minutes=59)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=2)
    assert client.get("/staff/").status_code == 302


def test_changing_the_password_does_not_restart_the_working_day(app, client, make_user):
    clock = app.extensions["clock"] = FixedClock(START)
    worker = make_user(Role.GRID_WORKER)
    sign_in_for_real(client, worker)
    clock.advance(hours=8)
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account"), "pw-current_password": TEST_PASSWORD,
        "pw-new_password": "an afternoon phrase"})
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 200
    clock.advance(hours=2, minutes=1)
    assert client.get("/staff/").status_code == 302


def test_sign_out_on_all_devices(app, resident):
    phone, laptop = app.test_client(), app.test_client()
    sign_in_for_real(phone, resident)
    sign_in_for_real(laptop, resident, remember=True)
    page = phone.get("/account").get_data(as_text=True)
    assert "/account/sign-out-everywhere" in page and "在所有设备上退出登录" in page
    response = phone.post("/account/sign-out-everywhere",
                          data={"csrf_token": csrf_token(phone, "/account")})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 302
    assert copy_of(app, laptop, "remember_token").get("/account").status_code == 302


def test_sign_out_everywhere_needs_the_csrf_token(resident_client):
    response = resident_client.post("/account/sign-out-everywhere")
    assert response.status_code == 422
    assert resident_client.get("/account").status_code == 200


def test_an_old_style_cookie_without_a_sign_in_time_is_refused(app, client, resident):
    with client.session_transaction() as session:
        session["_user_id"] = f"{resident.id}:{resident.session_token}"
    assert client.get("/account").status_code == 302


def test_sign_in_time_from_a_forged_future_does_not_extend_a_session(app, client, make_user):
    """The time is part of the signed cookie, so it can't be edited; and a session that
    began 'later' than now (a clock moved back) is still bounded by the same rule."""
    clock = app.extensions["clock"] = FixedClock(START)
    worker = make_user(Role.GRID_WORKER)
    later = int((START + timedelta(hours=5)).timestamp())
    with client.session_transaction() as session:
        session["_user_id"] = f"{worker.id}:{worker.session_token}:{later}"
    assert client.get("/staff/").status_code == 200
    clock.advance(hours=15, minutes=1)
    assert client.get("/staff/").status_code == 302
