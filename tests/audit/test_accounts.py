"""Staff accounts: creating, deactivating, reactivating, resetting and granting are recorded."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.roles import Role
from tests.audit.conftest import line
from tests.conftest import csrf_token


def test_account_changes_are_recorded(staff_client, make_user, db):
    director = staff_client(Role.DIRECTOR)
    token = csrf_token(director, "/staff/users")
    response = director.post("/staff/users", data={
        "csrf_token": token, "phone": "139 5555 0001", "name": "新网格员",
        "role": "grid_worker", "password": "first day on the job"})
    assert response.status_code == 303
    created = db.scalar(select(User).where(User.phone == "13955550001"))
    target = f"#{created.id} 新网格员"
    entry = line(db, "accounts", "staff_created", director.user, target)
    assert "13955550001" not in entry.detail

    base = f"/staff/users/{created.id}"
    assert director.post(f"{base}/active", data={"csrf_token": token, "active": "0"}
                         ).status_code == 303
    line(db, "accounts", "staff_deactivated", director.user, target)
    assert director.post(f"{base}/active", data={"csrf_token": token, "active": "1"}
                         ).status_code == 303
    line(db, "accounts", "staff_reactivated", director.user, target)
    assert director.post(f"{base}/password", data={
        "csrf_token": token, "reset-new_password": "a brand new secret"}).status_code == 303
    line(db, "accounts", "password_reset", director.user, target)
    assert director.post(f"{base}/grants", data={
        "csrf_token": token, "grants": ["minutes.publish"]}).status_code == 303
    assert line(db, "accounts", "permission_granted", director.user,
                target).detail == "minutes.publish"
    assert director.post(f"{base}/grants", data={"csrf_token": token}).status_code == 303
    assert line(db, "accounts", "permission_revoked", director.user,
                target).detail == "minutes.publish"


def test_a_refused_change_records_nothing(staff_client, make_user, db):
    admin = staff_client(Role.ADMIN)
    director = make_user(Role.DIRECTOR)
    token = csrf_token(admin, "/staff/users")
    assert admin.post(f"/staff/users/{director.id}/active",
                      data={"csrf_token": token, "active": "0"}).status_code == 422
    db.expire_all()
    from portal.audit.models import AuditEntry

    assert db.scalar(select(AuditEntry)) is None
