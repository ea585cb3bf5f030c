"""Aid types and the holiday table that staff maintain; aid's lines in the append-only audit log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal.accounts.roles import Role
from portal.aid import service
from portal.aid.models import AidHoliday, AidType
from portal.audit import service as audit
from tests.conftest import csrf_token


def test_staff_edit_a_type_and_its_checklist(db, types, staff_client):
    client = staff_client(Role.CIVIL_AFFAIRS)
    page = client.get("/staff/aid/types/disability").get_data(as_text=True)
    assert "残疾人证 | Disability card" in page
    response = client.post("/staff/aid/types/disability", data={
        "csrf_token": csrf_token(client, "/staff/aid/types/disability"),
        "name_zh": "助残服务", "name_en": "Disability support",
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
    audit.record(db, user, service.AREA, "view", "A20261102-0001")
    db.commit()
    with pytest.raises(DBAPIError):
        db.execute(text("UPDATE audit_entry SET action = 'x'"))
    db.rollback()
    with pytest.raises(DBAPIError):
        db.execute(text("DELETE FROM audit_entry"))
    db.rollback()


NEW_TYPE = {
    "code": "Medical", "name_zh": "医疗救助", "name_en": "Medical assistance",
    "description_zh": "为大病患者家庭报销部分自付医疗费用。",
    "description_en": "Help with the part of medical bills a household pays itself.",
    "eligibility_zh": "低保、特困家庭及因病致贫家庭。",
    "eligibility_en": "Households on dibao, in extreme hardship, or made poor by illness.",
    "needs_notice": "y",
    "materials": "申请书 | Application letter\n医疗费票据 | Medical bills\n"
                 "诊断证明 | Diagnosis | optional",
}


def test_civil_affairs_officer_adds_an_aid_type(db, types, staff_client, resident_client):
    client = staff_client(Role.CIVIL_AFFAIRS)
    page = client.get("/staff/aid/types/new")
    assert page.status_code == 200 and "添加救助类型" in page.get_data(as_text=True)

    # bad input: 422, told what to fix, everything typed kept
    bad = client.post("/staff/aid/types/new", data={
        **NEW_TYPE, "code": "医疗", "name_en": "",
        "csrf_token": csrf_token(client, "/staff/aid/types/new")})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "小写字母" in html and "请填写英文名称" in html and "医疗费票据" in html
    taken = client.post("/staff/aid/types/new", data={
        **NEW_TYPE, "code": "dibao", "csrf_token": csrf_token(client, "/staff/aid/types/new")})
    assert taken.status_code == 422 and "已有" in taken.get_data(as_text=True)

    response = client.post("/staff/aid/types/new", data={
        **NEW_TYPE, "csrf_token": csrf_token(client, "/staff/aid/types/new")})
    assert response.status_code == 303
    db.expire_all()
    added = db.scalar(select(AidType).where(AidType.code == "medical"))
    assert added.needs_notice is True and added.asks_assets is False
    assert [item["zh"] for item in added.materials] == ["申请书", "医疗费票据", "诊断证明"]
    assert added.materials[2]["optional"] is True
    assert added.order > max(t.order for t in types.values())
    # residents are offered it at once, with its guide
    assert "医疗救助" in resident_client.get("/aid/new").get_data(as_text=True)
    assert "医疗费票据" in resident_client.get("/aid/types/medical").get_data(as_text=True)
    # only staff who manage aid types may add one
    assert staff_client(Role.GRID_WORKER).get("/staff/aid/types/new").status_code == 403


def test_an_edited_checklist_keeps_the_keys_of_the_items_it_kept(app, db, types):
    """update_type stores the items with their kept keys, not the list it was given: the kept
    keys used to be overwritten, which only the helper's changing its argument hid."""
    aid_type = db.scalar(select(AidType).where(AidType.code == "disability"))
    given = service.parse_materials("康复评估 | Rehab report\n身份证 | ID card\n"
                                    "残疾人证 | Disability card")
    with app.app_context():
        service.update_type(aid_type, name_zh=aid_type.name_zh, name_en=aid_type.name_en,
                            description_zh="", description_en="", eligibility_zh="",
                            eligibility_en="", needs_notice=False, asks_assets=False,
                            materials=given, actor=None)
    db.commit()
    db.expire_all()
    stored = db.scalar(select(AidType).where(AidType.code == "disability")).materials
    assert [item["key"] for item in stored][1:] == ["id_card", "disability_card"]
    assert stored[0]["key"] not in ("id_card", "disability_card")
    assert [item["key"] for item in given] == ["item1", "item2", "item3"]  # left as given


def test_init_updates_a_seeded_checklist_only_where_staff_left_it(db, types):
    """Installs seeded before the 申请书 and 核对授权书 became a printable page: `portal init`
    drops them from a checklist nobody edited, and leaves an edited one as staff made it."""
    dibao, temporary = types["dibao"], types["temporary"]
    dibao.materials = [dict(item) for item in service.types.EARLIER_SEED_MATERIALS["dibao"]]
    edited = [*service.types.EARLIER_SEED_MATERIALS["temporary"],
              {"key": "item9", "zh": "派出所证明", "en": "Police report", "optional": False}]
    temporary.materials = edited
    db.commit()
    service.seed_types(db)
    db.commit()
    db.refresh(dibao)
    db.refresh(temporary)
    keys = [item["key"] for item in dibao.materials]
    assert keys == ["hukou", "id_card", "income_proof", "assets_statement",
                    "disability_or_diagnosis"]
    assert temporary.materials == edited
