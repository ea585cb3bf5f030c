"""Finding 2 of issue 12: nobody creates, promotes, reactivates, deactivates or resets the
password of an account that holds permissions they don't hold themselves.

The attack: the technical admin created a director, signed in as it and read aid files;
the admin could also reset the director's password.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User, UserGrant
from portal.accounts.roles import Role
from tests.conftest import csrf_token

REFUSAL = "您自己没有的权限"


def test_admin_cannot_create_a_director_and_so_cannot_sign_in_as_one(staff_client, app, db):
    admin = staff_client(Role.ADMIN)
    page = admin.get("/staff/users").get_data(as_text=True)
    assert 'value="director"' not in page and 'value="deputy_director"' not in page
    assert 'value="admin"' in page  # an account like their own is fine

    token = csrf_token(admin, "/staff/users")
    response = admin.post("/staff/users", data={
        "csrf_token": token, "phone": "139 2222 3333", "name": "假主任", "role": "director",
        "password": "taking over the office"})
    assert response.status_code == 422
    assert db.scalar(select(User).where(User.phone == "13922223333")) is None

    # The attack's next step fails too: there is no such account to sign in with.
    visitor = app.test_client()
    signed_in = visitor.post("/auth/login", data={
        "csrf_token": csrf_token(visitor), "phone": "13922223333",
        "password": "taking over the office"})
    assert signed_in.status_code == 422
    assert visitor.get("/staff/aid").status_code == 302


def test_the_service_refuses_it_even_without_the_form(app, make_user, db):
    from portal.accounts import service
    from portal.errors import DomainError

    admin = make_user(Role.ADMIN)
    with app.test_request_context():
        for role in (Role.DIRECTOR, Role.DEPUTY_DIRECTOR, Role.CIVIL_AFFAIRS, Role.GRID_WORKER):
            try:
                service.create_staff(db, phone="13933334444", name="x", role=role,
                                     password="a long enough phrase", acting=admin)
            except DomainError:
                continue
            raise AssertionError(f"admin created a {role.value}")
    db.rollback()


def test_admin_cannot_reset_the_directors_password(staff_client, make_user, db):
    admin = staff_client(Role.ADMIN)
    director = make_user(Role.DIRECTOR)
    before = director.password_hash
    page = admin.get(f"/staff/users/{director.id}").get_data(as_text=True)
    assert "reset-new_password" not in page and REFUSAL in page
    token = csrf_token(admin, "/staff/users")
    response = admin.post(f"/staff/users/{director.id}/password", data={
        "csrf_token": token, "reset-new_password": "now it is mine"})
    assert response.status_code == 422
    assert REFUSAL in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, director.id).password_hash == before


def test_admin_cannot_reactivate_or_deactivate_a_director(staff_client, make_user, db):
    admin = staff_client(Role.ADMIN)
    token = csrf_token(admin, "/staff/users")
    retired = make_user(Role.DIRECTOR, active=False)
    response = admin.post(f"/staff/users/{retired.id}/active",
                          data={"csrf_token": token, "active": "1"})
    assert response.status_code == 422
    working = make_user(Role.DIRECTOR)
    response = admin.post(f"/staff/users/{working.id}/active",
                          data={"csrf_token": token, "active": "0"})
    assert response.status_code == 422
    db.expire_all()
    assert db.get(User, retired.id).active is False
    assert db.get(User, working.id).active is True


def test_nobody_grants_a_permission_they_do_not_hold(staff_client, make_user, db):
    admin = staff_client(Role.ADMIN)
    other_admin = make_user(Role.ADMIN)
    token = csrf_token(admin, "/staff/users")
    response = admin.post(f"/staff/users/{other_admin.id}/grants", data={
        "csrf_token": token, "grants": ["minutes.publish"]})
    assert response.status_code == 422
    assert db.scalar(select(UserGrant)) is None


def test_director_cannot_create_or_reset_an_admin(staff_client, make_user, db):
    """The director does not hold 'change system settings', so the rule works both ways."""
    director = staff_client(Role.DIRECTOR)
    token = csrf_token(director, "/staff/users")
    response = director.post("/staff/users", data={
        "csrf_token": token, "phone": "13944445555", "name": "管理员", "role": "admin",
        "password": "settings for everyone"})
    assert response.status_code == 422
    admin = make_user(Role.ADMIN)
    response = director.post(f"/staff/users/{admin.id}/password", data={
        "csrf_token": token, "reset-new_password": "settings for everyone"})
    assert response.status_code == 422


def test_director_still_manages_the_team(staff_client, make_user, db):
    director = staff_client(Role.DIRECTOR)
    token = csrf_token(director, "/staff/users")
    for role in ("grid_worker", "civil_affairs", "deputy_director", "director"):
        response = director.post("/staff/users", data={
            "csrf_token": token, "phone": f"1395555000{len(role) % 10}", "name": role,
            "role": role, "password": "first day on the job"})
        assert response.status_code == 303, role
    deputy = make_user(Role.DEPUTY_DIRECTOR)
    response = director.post(f"/staff/users/{deputy.id}/password", data={
        "csrf_token": token, "reset-new_password": "spring cleaning day"})
    assert response.status_code == 303


def test_no_one_resets_their_own_password_from_the_staff_page(staff_client, db):
    director = staff_client(Role.DIRECTOR)
    before = director.user.password_hash
    token = csrf_token(director, "/staff/users")
    response = director.post(f"/staff/users/{director.user.id}/password", data={
        "csrf_token": token, "reset-new_password": "without the old one"})
    assert response.status_code == 422
    assert "“我的”页面" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, director.user.id).password_hash == before


def test_first_director_comes_from_the_command_line(app, db):
    result = app.test_cli_runner().invoke(
        args=["portal", "create-user", "13900009999", "--name", "第一任主任", "--role",
              "director", "--password-stdin"], input="the very first director\n")
    assert result.exit_code == 0, result.output
    assert db.scalar(select(User.role).where(User.phone == "13900009999")) == "director"
