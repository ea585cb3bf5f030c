"""Findings 6 and 9 of issue 12: sign-in and registration limits.

The attacks: with the default memory:// store every gunicorn worker kept its own count, so
with 2 workers the first 429 came on the 10th wrong password instead of the 6th; and
registration told whether a phone number had an account, with no limit at all.

The counts now live in the database (portal/accounts/throttle.py). Only a wrong password
counts towards the sign-in limits; a refusal, an error or a CSRF failure does not.
Registration keeps its helpful "this number already has an account" (many residents forget
they registered) and is limited hard per address instead: see the report of issue 12.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import session as flask_session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from portal.accounts import throttle
from portal.accounts.models import AuthAttempt, User
from portal.clock import FixedClock
from tests.activities import wave
from tests.conftest import TEST_PASSWORD, csrf_token

START = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
TOO_MANY = "登录尝试次数太多"


WRONG = "not the password"


def login(client, phone, password=WRONG, token=None):
    return client.post("/auth/login", data={
        "csrf_token": token or csrf_token(client), "phone": phone, "password": password})


def test_the_sixth_wrong_password_is_refused_even_when_right(make_app, make_user):
    app = make_app(LOGIN_RATE_LIMIT_PER_ACCOUNT="5 per 15 minutes")
    resident = make_user()
    client = app.test_client()
    token = csrf_token(client)
    assert [login(client, resident.phone, token=token).status_code
            for _ in range(5)] == [422] * 5
    sixth = login(client, resident.phone, TEST_PASSWORD, token=token)
    assert sixth.status_code == 429
    assert TOO_MANY in sixth.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_refusals_and_csrf_failures_do_not_count(make_app, make_user):
    app = make_app(LOGIN_RATE_LIMIT_PER_ACCOUNT="5 per 15 minutes")
    clock = app.extensions["clock"] = FixedClock(START)
    resident = make_user()
    client = app.test_client()
    token = csrf_token(client)
    for _ in range(10):  # no token: refused before any password is checked
        assert client.post("/auth/login", data={
            "phone": resident.phone, "password": "guess"}).status_code == 422
    for _ in range(5):
        assert login(client, resident.phone, token=token).status_code == 422
    clock.advance(minutes=10)
    for _ in range(5):  # if these 429s counted, the window would still be full below
        assert login(client, resident.phone, token=token).status_code == 429
    clock.advance(minutes=5, seconds=1)
    assert login(client, resident.phone, TEST_PASSWORD, token=token).status_code == 303


def test_an_error_while_checking_does_not_count(app, db):
    """The attempt is reserved before the password is checked and released when anything
    but a wrong password ends it, a 500 included."""
    make_session = app.extensions["db_sessionmaker"]
    try:
        limits = [(throttle.LOGIN_ACCOUNT, "13700000000", "5 per minute")]
        with throttle.Attempt(make_session, "secret", limits, START):
            assert db.scalar(select(func.count()).select_from(AuthAttempt)) == 1
            raise RuntimeError("the database went away")
    except RuntimeError:
        pass
    assert db.scalar(select(func.count()).select_from(AuthAttempt)) == 0


def test_a_right_password_clears_the_accounts_count(make_app, make_user):
    app = make_app(LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    resident = make_user()
    client, other = app.test_client(), app.test_client()
    token = csrf_token(client)
    login(client, resident.phone, token=token)
    login(client, resident.phone, token=token)
    assert login(client, resident.phone, TEST_PASSWORD, token=token).status_code == 303
    other_token = csrf_token(other)
    statuses = [login(other, resident.phone, token=other_token).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_the_table_holds_no_phone_number_or_address(make_app, make_user, db):
    app = make_app()
    resident = make_user()
    client = app.test_client()
    login(client, resident.phone)
    subjects = db.scalars(select(AuthAttempt.subject)).all()
    assert len(subjects) == 2  # the account and the address
    assert all(resident.phone not in s and "127.0.0.1" not in s for s in subjects)


GOOD = "morning tea at nine"


def register(client, phone, password=GOOD, token=None):
    return client.post("/auth/register", data={
        "csrf_token": token or csrf_token(client, "/auth/register"), "phone": phone,
        "name": "张阿姨", "password": password, "building": "3号楼", "unit": "2单元",
        "room": "502"})


def test_registration_is_limited_per_address(make_app, make_user):
    app = make_app(REGISTER_RATE_LIMIT_PER_IP="3 per day")
    known = make_user()
    taken = register(app.test_client(), known.phone)
    assert taken.status_code == 422 and "已经注册过" in taken.get_data(as_text=True)
    register(app.test_client(), "13811110001")
    register(app.test_client(), "13811110002")
    # The 4th from this address is refused whatever the number, and says nothing about it.
    for phone in (known.phone, "13811110003"):
        refused = register(app.test_client(), phone)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 429
        assert "注册的次数太多" in html and "已经注册过" not in html
        assert 'value="张阿姨"' in html  # what was typed is kept


def test_registration_limit_does_not_count_a_weak_password(make_app):
    app = make_app(REGISTER_RATE_LIMIT_PER_IP="2 per day")
    for _ in range(5):
        assert register(app.test_client(), "13811110009", password="12345678").status_code == 422
    assert register(app.test_client(), "13811110009").status_code == 303


def test_registration_limit_is_per_address(make_app):
    app = make_app(REGISTER_RATE_LIMIT_PER_IP="1 per day")
    assert register(app.test_client(), "13811110004").status_code == 303
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert register(elsewhere, "13811110005").status_code == 303
    assert register(app.test_client(), "13811110006").status_code == 429


@contextmanager
def gunicorn(test_config, settings, *args):
    """gunicorn serving wsgi:app on a free port of 127.0.0.1, as tests/activities/wave.py
    starts it, with extra settings and arguments."""
    port = wave.free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": test_config["DATABASE_URL"],
           "PORTAL_SECRET_KEY": test_config["SECRET_KEY"],
           "PORTAL_UPLOAD_DIR": test_config["UPLOAD_DIR"], "PORTAL_DEVELOPMENT": "1",
           **settings}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *args, "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=wave.ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if wave.request("127.0.0.1", port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)  # waiting for a server to start, not for time to pass
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def anonymous_cookie(app):
    """A session cookie holding a CSRF token, as the sign-in page would leave."""
    serializer = app.session_interface.get_signing_serializer(app)
    with app.test_request_context():
        token = generate_csrf()
        value = serializer.dumps(dict(flask_session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}", token


def _workers_in(log) -> set[str]:
    return {line.split()[0] for line in log.read_text().splitlines()}


def _until_both_workers_answer(port, log):
    """Under load the second worker can take seconds to load the app, and until it has,
    the first answers everything. Two requests at once reach two sync workers."""
    deadline = time.monotonic() + 60
    while len(_workers_in(log)) < 2:
        assert time.monotonic() < deadline, "the second gunicorn worker never answered"
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: wave.request("127.0.0.1", port, "GET", "/auth/login"),
                          range(4)))


def test_the_limit_is_exact_across_two_gunicorn_workers(app, db, make_user, test_config,
                                                        tmp_path):
    """A real `gunicorn -w 2` with the default limit (5 wrong passwords per 15 minutes):
    for each of three accounts the 6th wrong password is refused, whichever worker answers,
    and the access log shows that both workers answered sign-ins.

    The three accounts are tried at once, so that both (sync) workers must answer; each
    account's six attempts come one after another, so the 6th is the one refused."""
    users = [make_user() for _ in range(3)]
    cookie, token = anonymous_cookie(app)
    log = tmp_path / "access.log"
    settings = {"PORTAL_LOGIN_RATE_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
                "PORTAL_LOGIN_RATE_LIMIT_PER_IP": "1000 per 15 minutes"}

    def six_wrong_passwords(user):
        body = urllib.parse.urlencode({"csrf_token": token, "phone": user.phone,
                                       "password": "not the password"})
        return [wave.request("127.0.0.1", port, "POST", "/auth/login", body, cookie)[0]
                for _ in range(6)]

    with gunicorn(test_config, settings, "-w", "2", "--access-logfile", str(log),
                  "--access-logformat", "%(p)s %(m)s %(U)s %(s)s") as port:
        _until_both_workers_answer(port, log)
        with ThreadPoolExecutor(len(users)) as pool:
            for statuses in pool.map(six_wrong_passwords, users):
                assert statuses == [422] * 5 + [429], statuses
    workers = {line.split()[0] for line in log.read_text().splitlines()
               if re.search(r" POST /auth/login ", line)}
    assert len(workers) == 2, "only one worker answered; the test proved nothing"
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User)) == 3
