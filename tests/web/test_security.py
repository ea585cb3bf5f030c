"""The security baseline every page inherits."""

from __future__ import annotations

import re

import pytest

from portal.accounts.roles import Role
from tests.conftest import csrf_token


def test_csp_is_strict_with_a_fresh_nonce(client):
    first = client.get("/auth/login")
    second = client.get("/auth/login")
    policy = first.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "default-src 'self'"):
        assert directive in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert nonce != re.search(r"'nonce-([^']+)'",
                              second.headers["Content-Security-Policy"]).group(1)
    html = first.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "style=" not in html  # inline styles would need 'unsafe-inline'


def test_other_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_are_not_stored(resident_client, client):
    assert resident_client.get("/").headers["Cache-Control"] == "no-store"
    assert resident_client.get("/account").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_post_without_csrf_token_is_refused(resident_client, resident, db):
    response = resident_client.post("/account", data={"name": "改名了"})
    assert response.status_code == 422
    db.refresh(resident)
    assert resident.name != "改名了"
    html = response.get_data(as_text=True)
    assert 'value="改名了"' in html  # what they typed is still there
    assert "这个页面打开太久了" in html  # and they are asked to submit again


def test_button_post_without_csrf_token_is_refused(resident_client):
    response = resident_client.post("/auth/logout")
    assert response.status_code == 400
    assert resident_client.get("/account").status_code == 200  # still signed in


def test_htmx_post_with_csrf_header_is_accepted(resident_client, resident, db):
    token = csrf_token(resident_client, "/account")
    response = resident_client.post(
        "/account", data={"name": "张秀英"},
        headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303
    db.refresh(resident)
    assert resident.name == "张秀英"


def test_csrf_token_has_no_timer(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def _sample(rule, argument):
    """A value the URL rule accepts: 1, or the first choice of an <any(...)> argument."""
    choices = getattr(rule._converters.get(argument), "items", None)
    return sorted(choices)[0] if choices else 1


def test_resident_is_refused_every_staff_url(app, resident_client):
    token = csrf_token(resident_client, "/account")  # a valid token: only the role is wrong
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        url = app.url_map.bind("localhost").build(
            rule.endpoint, {argument: _sample(rule, argument) for argument in rule.arguments})
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = resident_client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code in (403, 404), (method, url, response.status_code)
            checked += 1
    assert checked >= 5


def test_visitor_is_sent_to_sign_in_from_staff_pages(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [r for r in Role if r.is_staff])
def test_every_staff_role_reaches_the_staff_home(staff_client, role):
    assert staff_client(role).get("/staff/").status_code == 200


def test_login_rate_limit_per_account(make_app):
    app = make_app(LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    client = app.test_client()
    token = csrf_token(client)
    statuses = [
        client.post("/auth/login", data={"csrf_token": token, "phone": "13712345678",
                                         "password": "wrong password"}).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
    html = client.post("/auth/login", data={"csrf_token": token, "phone": "137 1234 5678",
                                            "password": "x"}).get_data(as_text=True)
    assert "登录尝试次数太多" in html
    assert 'value="13712345678"' in html
    # Another account from the same address is not blocked by this one's limit.
    other = client.post("/auth/login", data={"csrf_token": token, "phone": "13787654321",
                                             "password": "wrong password"})
    assert other.status_code == 422


def test_login_rate_limit_per_ip(make_app):
    app = make_app(LOGIN_RATE_LIMIT_PER_IP="2 per 15 minutes")
    client = app.test_client()
    token = csrf_token(client)
    statuses = [
        client.post("/auth/login", data={"csrf_token": token, "phone": f"1371234567{n}",
                                         "password": "wrong password"}).status_code
        for n in range(3)
    ]
    assert statuses == [422, 422, 429]


def test_open_redirect_after_login_is_ignored(client, resident):
    from tests.conftest import TEST_PASSWORD

    token = csrf_token(client)
    response = client.post("/auth/login?next=//evil.example/", data={
        "csrf_token": token, "phone": resident.phone, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/"
