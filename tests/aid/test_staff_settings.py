"""Aid types and the holiday table that staff maintain; the append-only audit table."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal.accounts.roles import Role
from portal.aid import service
from portal.aid.models import AidAudit, AidHoliday, AidType
from tests.conftest import csrf_token


def test_staff_edit_a_type_and_its_checklist(db, types, staff_client):
    client = staff_client(Role.CIVIL_AFFAIRS)
    page = client.get("/staff/aid/types/disability").get_data(as_text=True)
    assert "残疾人证 | Disability card" in page
    response = client.post("/staff/aid/types/disability", data={
        "csrf_token": csrf_token(client, "/staff/aid/types/disability"),
        "description_zh": "新的说明", "description_en": "New text",
        "eligibility_zh": "持证残疾人", "eligibility_en": "Card holders",
        "materials": "身份证 | ID card\n残疾人证 | Disability card\n"
                     "康复评估 | Rehab report | optional"})
    assert response.status_code == 303
    db.expire_all()
    aid_type = db.scalar(select(AidType).where(AidType.code == "disability"))
    assert aid_type.description_zh == "新的说明"
    keys = [item["key"] for item in aid_type.materials]
    assert keys[:2] == ["id_card", "disability_card"]  # uploads stay linked
    assert aid_type.materials[2]["optional"] is True
    assert len(set(keys)) == 3
    empty = client.post("/staff/aid/types/disability", data={
        "csrf_token": csrf_token(client, "/staff/aid/types/disability"), "materials": ""})
    assert empty.status_code == 422


def test_holiday_table_drives_fallback_years(app, db, staff_client):
    client = staff_client(Role.CIVIL_AFFAIRS)
    response = client.post("/staff/aid/holidays", data={
        "csrf_token": csrf_token(client, "/staff/aid/holidays"), "day": "2031-01-02",
        "note": "元旦"})
    assert response.status_code == 303
    assert db.get(AidHoliday, date(2031, 1, 2)).is_workday is False
    with app.app_context():
        # Wed 1 Jan 2031 + 1 working day skips the staff-entered holiday on Thursday
        assert service.add_working_days(db, date(2031, 1, 1), 1) == date(2031, 1, 3)
    assert staff_client(Role.CULTURE).get("/staff/aid/holidays").status_code == 403


def test_audit_rows_cannot_be_changed_on_postgresql(db, staff_client):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    user = staff_client(Role.DIRECTOR).user
    db.add(AidAudit(actor_id=user.id, action="view"))
    db.commit()
    with pytest.raises(DBAPIError):
        db.execute(text("UPDATE aid_audit SET action = 'x'"))
    db.rollback()
    with pytest.raises(DBAPIError):
        db.execute(text("DELETE FROM aid_audit"))
    db.rollback()
