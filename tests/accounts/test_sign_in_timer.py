"""No time limit a person cannot extend: a page knows when its sign-in ends, warns, and
POST /auth/continue starts the sign-in again (the remember-me cookie too)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from portal.accounts.roles import Role
from portal.clock import FixedClock
from tests.accounts.test_sessions import sign_in_for_real
from tests.conftest import csrf_token

START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def _timer(html: str) -> tuple[int, int] | None:
    found = re.search(r'class="sign-in-timer" data-remaining="(\d+)" data-warn="(\d+)"', html)
    return (int(found.group(1)), int(found.group(2))) if found else None


def test_a_page_knows_when_its_sign_in_ends(app, client, resident):
    clock = app.extensions["clock"] = FixedClock(START)
    sign_in_for_real(client, resident)
    clock.advance(days=29, hours=23)
    assert _timer(client.get("/account").get_data(as_text=True)) == (3600, 600)


def test_nobody_signed_in_and_the_board_have_no_timer(app, client, staff_client):
    assert _timer(client.get("/").get_data(as_text=True)) is None
    assert "sign-in-timer" not in staff_client().get("/board").get_data(as_text=True)


def test_carry_on_starts_the_sign_in_again(app, client, make_user):
    clock = app.extensions["clock"] = FixedClock(START)
    staff = make_user(Role.GRID_WORKER)
    sign_in_for_real(client, staff)
    clock.advance(hours=9, minutes=55)  # a staff sign-in lasts 10 hours
    token = csrf_token(client, "/staff/")
    answer = client.post("/auth/continue", data={"csrf_token": token},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json["remaining"] == 10 * 3600
    clock.advance(hours=1)  # past the first sign-in's end
    assert client.get("/staff/").status_code == 200


def test_without_carry_on_the_sign_in_ends(app, client, make_user):
    clock = app.extensions["clock"] = FixedClock(START)
    sign_in_for_real(client, make_user(Role.GRID_WORKER))
    clock.advance(hours=10, minutes=5)
    assert client.get("/staff/").status_code in (302, 403)


def test_carry_on_renews_the_remember_me_cookie(app, client, resident):
    clock = app.extensions["clock"] = FixedClock(START)
    sign_in_for_real(client, resident, remember=True)
    clock.advance(days=29)
    response = client.post("/auth/continue", data={
        "csrf_token": csrf_token(client, "/account"), "next": "/account"})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    clock.advance(days=2)
    client.delete_cookie("session")  # only the renewed remember-me cookie is left
    assert client.get("/account").status_code == 200


def test_carry_on_needs_the_page_token_and_a_sign_in(app, client, resident):
    sign_in_for_real(client, resident)
    assert client.post("/auth/continue", data={}).status_code == 400
    stranger = app.test_client()
    response = stranger.post("/auth/continue",
                             data={"csrf_token": csrf_token(stranger, "/auth/login")})
    assert response.status_code == 303 and "/auth/login" in response.headers["Location"]


def test_the_warning_is_configurable(app, client, resident):
    app.config["SIGN_IN_WARNING_SECONDS"] = 120
    app.config["RESIDENT_SESSION_DAYS"] = 300 / 86400  # five minutes: seconds-scale lifetimes
    app.extensions["clock"] = FixedClock(START)
    sign_in_for_real(client, resident)
    assert _timer(client.get("/account").get_data(as_text=True)) == (300, 120)
