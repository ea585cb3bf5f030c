"""Registration, sign-in, passwords, profile and staff accounts, through real requests."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.roles import Role
from tests.conftest import TEST_PASSWORD, csrf_token, sign_in


def register(client, **fields):
    data = {"phone": "138 0013-8000", "name": "张阿姨", "password": "morning tea at nine",
            "building": "3号楼", "unit": "2单元", "room": "502"}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/auth/register")
    return client.post("/auth/register", data=data)


def test_register_strips_spaces_and_dashes_and_signs_in(client, db):
    response = register(client)
    assert response.status_code == 303
    user = db.scalar(select(User).where(User.phone == "13800138000"))
    assert user is not None and user.role == Role.RESIDENT.value
    assert (user.building, user.unit, user.room) == ("3号楼", "2单元", "502")
    assert client.get("/").status_code == 200
    assert "张阿姨" in client.get("/").get_data(as_text=True)


def test_register_takes_a_full_width_number_as_typed_by_a_chinese_keyboard(client, db):
    response = register(client, phone="＋８６ １３８－００１３－８０００")
    assert response.status_code == 303
    assert db.scalar(select(User.phone)) == "13800138000"


def test_register_refuses_digits_of_another_script(client, db):
    assert register(client, phone="١٣٨٠٠١٣٨٠٠٠").status_code == 422
    assert db.scalar(select(User)) is None


def test_register_refuses_bad_phone_keeping_what_was_typed(client, db):
    response = register(client, phone="2380013800", name="李大爷")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="李大爷"' in html
    assert 'href="#phone"' in html  # the error summary links to the field
    assert db.scalar(select(User)) is None


def test_register_refuses_common_password(client, db):
    response = register(client, password="12345678")
    assert response.status_code == 422
    assert db.scalar(select(User)) is None


def test_register_refuses_a_taken_phone(client, resident):
    response = register(client, phone=resident.phone)
    assert response.status_code == 422


def test_password_is_stored_as_argon2id(client, db):
    register(client)
    user = db.scalar(select(User))
    assert user.password_hash.startswith("$argon2id$")
    assert "morning tea" not in user.password_hash


def test_login_and_logout(client, resident):
    token = csrf_token(client)
    response = client.post("/auth/login", data={
        "csrf_token": token, "phone": resident.phone, "password": TEST_PASSWORD})
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    token = csrf_token(client, "/account")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/account").status_code == 302


def test_wrong_password_gives_a_generic_message(client, resident):
    token = csrf_token(client)
    wrong = client.post("/auth/login", data={
        "csrf_token": token, "phone": resident.phone, "password": "not the password"})
    unknown = client.post("/auth/login", data={
        "csrf_token": token, "phone": "13999999999", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    assert "手机号或密码不对" in wrong.get_data(as_text=True)
    assert "手机号或密码不对" in unknown.get_data(as_text=True)


def test_login_starts_a_fresh_session(client, resident):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    token = csrf_token(client)
    client.post("/auth/login", data={
        "csrf_token": token, "phone": resident.phone, "password": TEST_PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_staff_land_on_the_staff_home(client, make_user):
    staff = make_user(Role.GRID_WORKER)
    token = csrf_token(client)
    response = client.post("/auth/login", data={
        "csrf_token": token, "phone": staff.phone, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/staff/"


def test_edit_profile(resident_client, resident, db):
    token = csrf_token(resident_client, "/account")
    response = resident_client.post("/account", data={
        "csrf_token": token, "name": "张秀英", "building": "5号楼", "unit": "1单元",
        "room": "101"})
    assert response.status_code == 303
    db.refresh(resident)
    assert (resident.name, resident.building) == ("张秀英", "5号楼")


def test_change_password_signs_out_other_sessions(app, resident, db):
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, resident)
    sign_in(laptop, resident)
    token = csrf_token(phone, "/account")
    response = phone.post("/account/password", data={
        "csrf_token": token, "pw-current_password": TEST_PASSWORD,
        "pw-new_password": "a new phrase for winter"})
    assert response.status_code == 303
    assert phone.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302


def test_change_password_needs_the_current_one(resident_client):
    token = csrf_token(resident_client, "/account")
    response = resident_client.post("/account/password", data={
        "csrf_token": token, "pw-current_password": "wrong",
        "pw-new_password": "a new phrase for winter"})
    assert response.status_code == 422
    assert "当前密码不对" in response.get_data(as_text=True)


def test_director_creates_deactivates_and_reactivates_staff(staff_client, app, db):
    director = staff_client(Role.DIRECTOR)
    token = csrf_token(director, "/staff/users")
    response = director.post("/staff/users", data={
        "csrf_token": token, "phone": "139 1111 2222", "name": "新网格员",
        "role": "grid_worker", "password": "first day on the job"})
    assert response.status_code == 303
    worker = db.scalar(select(User).where(User.phone == "13911112222"))
    assert worker.role == "grid_worker"

    worker_client = app.test_client()
    sign_in(worker_client, worker)
    assert worker_client.get("/staff/").status_code == 200

    response = director.post(f"/staff/users/{worker.id}/active",
                             data={"csrf_token": token, "active": "0"})
    assert response.status_code == 303
    assert worker_client.get("/staff/").status_code == 302  # signed out at once
    token_for_login = csrf_token(worker_client)
    refused = worker_client.post("/auth/login", data={
        "csrf_token": token_for_login, "phone": worker.phone, "password": "first day on the job"})
    assert refused.status_code == 422

    director.post(f"/staff/users/{worker.id}/active", data={"csrf_token": token, "active": "1"})
    allowed = worker_client.post("/auth/login", data={
        "csrf_token": token_for_login, "phone": worker.phone, "password": "first day on the job"})
    assert allowed.status_code == 303


def test_director_resets_a_password_and_grants_a_permission(staff_client, make_user, db):
    director = staff_client(Role.DIRECTOR)
    worker = make_user(Role.GRID_WORKER)
    token = csrf_token(director, "/staff/users")
    response = director.post(f"/staff/users/{worker.id}/password", data={
        "csrf_token": token, "reset-new_password": "spring cleaning day"})
    assert response.status_code == 303
    response = director.post(f"/staff/users/{worker.id}/grants", data={
        "csrf_token": token, "grants": ["minutes.publish"]})
    assert response.status_code == 303
    db.expire_all()
    worker = db.get(User, worker.id)
    assert worker.can("minutes.publish")
    assert worker.password_hash.startswith("$argon2id$")


def test_only_director_and_admin_manage_staff(staff_client):
    for role, status in [(Role.DIRECTOR, 200), (Role.ADMIN, 200), (Role.DEPUTY_DIRECTOR, 403),
                         (Role.GRID_WORKER, 403), (Role.CULTURE, 403)]:
        assert staff_client(role).get("/staff/users").status_code == status, role


def test_create_user_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "create-user", "139-0000-1234", "--name", "王主任",
                                 "--role", "director", "--password-stdin"],
                           input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    user = db.scalar(select(User).where(User.phone == "13900001234"))
    assert user.role == "director" and user.password_hash.startswith("$argon2id$")

    again = runner.invoke(args=["portal", "create-user", "13900001234", "--name", "x",
                                "--role", "director", "--password-stdin"], input="whatever1\n")
    assert again.exit_code != 0


def test_demo_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "demo"])
    second = runner.invoke(args=["portal", "demo"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "13800000001" in first.output
    roles = {user.role for user in db.scalars(select(User))}
    assert roles == {role.value for role in Role}
    assert len(db.scalars(select(User)).all()) == len(Role) + 1
