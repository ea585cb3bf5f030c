"""The security baseline every page inherits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from tests.conftest import csrf_token, sign_in
from tests.web import staff_world


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


# Which permission each back-office URL needs: a blueprint's, unless the endpoint says otherwise.
# A new staff blueprint fails the test below until it is named here.
BLUEPRINT_PERMISSION = {
    "staff": Permission.MANAGE_STAFF,
    "staff_requests": Permission.TRIAGE_REQUESTS,
    "request_settings": Permission.MANAGE_REQUEST_SETTINGS,
    "aid_staff": Permission.REVIEW_AID,
    "activities_staff": Permission.MANAGE_ACTIVITIES,
    "staff_minutes": Permission.PUBLISH_MINUTES,
    "staff_notices": Permission.PUBLISH_NOTICES,
    "surveys_staff": Permission.MANAGE_SURVEYS,
    "board_staff": Permission.MANAGE_BOARD,
    "aid_settings": Permission.MANAGE_AID_TYPES,
    "api_keys": Permission.MANAGE_API_KEYS,
    "staff_figures": Permission.VIEW_FIGURES,
    "staff_audit": Permission.READ_AUDIT_LOG,
    "staff_care": Permission.MANAGE_CARE,
    "staff_referrals": Permission.REFER_CASES,
    "staff_checkins": Permission.FOLLOW_CHECKINS,
}
ENDPOINT_PERMISSION = {
    "staff_care.index": Permission.VISIT_CARE,
    "staff_care.person": Permission.VISIT_CARE,
    "staff_care.visits_due": Permission.VISIT_CARE,
    "staff_care.visit": Permission.VISIT_CARE,
    "staff_care.refer_person": Permission.VISIT_CARE,
    "staff_referrals.referral_aid": Permission.REVIEW_AID,
    "staff_checkins.open_checkin": Permission.MANAGE_CHECKINS,
    "staff_checkins.close": Permission.MANAGE_CHECKINS,
    "staff.home": Permission.STAFF_AREA,
    "staff_requests.urge": Permission.URGE_REQUESTS,
    "api_keys.questions": Permission.MANAGE_REQUEST_SETTINGS,
    "api_keys.save_question": Permission.MANAGE_REQUEST_SETTINGS,
}
# Answers that end an object's use in the world (or another object's): sent last.
ENDING = ("remove", "delete", "withdraw", "merge", "close")


def _permission(endpoint: str) -> Permission:
    blueprint = endpoint.split(".", 1)[0]
    permission = ENDPOINT_PERMISSION.get(endpoint, BLUEPRINT_PERMISSION.get(blueprint))
    assert permission, f"{endpoint}: name the permission that guards it in this test"
    return permission


def _least_holder(permission: Permission) -> Role:
    """The role with the fewest permissions that still holds this one: the tightest fit."""
    holders = [role for role in Role if permission in ROLE_PERMISSIONS[role]]
    return min(holders, key=lambda role: len(ROLE_PERMISSIONS[role]))


def _staff_urls(app, world):
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/staff"):
            continue
        blueprint = rule.endpoint.split(".", 1)[0]
        missing = [a for a in rule.arguments if a not in world.ids and a != "ref"]
        assert not missing, f"{rule.rule}: the staff world has no object for {missing}"
        url = adapter.build(rule.endpoint, {argument: world.value(blueprint, argument)
                                            for argument in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_staff_url_answers_its_roles_and_refuses_the_others(app, db, demo_accounts):
    """Each back-office URL, with the ids of real objects: 403 for every role without its
    permission, and the page (or the action's normal answer) for a role with it."""
    world = staff_world.build(app, db, demo_accounts)
    clients, tokens = {}, {}
    resident = db.scalar(select(User).where(User.role == Role.RESIDENT.value).limit(1))
    for role, user in {**world.users, Role.RESIDENT: resident}.items():
        clients[role] = app.test_client()
        sign_in(clients[role], user)
        tokens[role] = csrf_token(clients[role], "/account")

    def ask(role, method, url):
        return clients[role].open(url, method=method, data={"csrf_token": tokens[role]}).status_code

    urls = list(_staff_urls(app, world))
    assert len(urls) >= 80
    wrong = []
    # One role of each set of permissions (the grid worker stands for the safety officer too).
    kinds = list({ROLE_PERMISSIONS[role]: role for role in reversed(Role)}.values())
    for endpoint, method, url in urls:  # refusals first: they must change nothing
        permission = _permission(endpoint)
        for role in kinds:
            if permission not in ROLE_PERMISSIONS[role]:
                status = ask(role, method, url)
                if status != 403:
                    wrong.append((role.value, method, url, status, "expected 403"))
    for endpoint, method, url in urls:
        if method == "GET":
            role = _least_holder(_permission(endpoint))
            status = ask(role, method, url)
            if status != 200:
                wrong.append((role.value, method, url, status, "expected 200"))
    posts = [u for u in urls if u[1] == "POST"]
    for endpoint, method, url in sorted(posts, key=lambda u: any(w in u[0] for w in ENDING)):
        role = _least_holder(_permission(endpoint))
        status = ask(role, method, url)
        # An empty form is refused (400/422) or the action is done (redirect); never "not found"
        # or "forbidden" for someone who may use it.
        if status in (403, 404, 405) or status >= 500:
            wrong.append((role.value, method, url, status, "expected its normal answer"))
    assert not wrong, "\n".join(map(str, wrong))


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
