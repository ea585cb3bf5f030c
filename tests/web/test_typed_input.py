"""Issue 17: what a Chinese input method types (full-width digits and letters, Chinese
punctuation) is taken as the plain number on the real forms, and a form shows every
field's message at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.web import typed
from tests.conftest import csrf_token


def _register(client, **fields):
    data = {"phone": "13800138000", "name": "张阿姨", "password": "morning tea at nine",
            "building": "3", "unit": "2", "room": "502", **fields}
    data["csrf_token"] = csrf_token(client, "/auth/register")
    return client.post("/auth/register", data=data)


@pytest.mark.parametrize("typed_phone", ["１３５１２３４５６７８", "１３５－１２３４－５６７８",
                                         "135—1234—5678", "135–1234–5678", "135 1234 5678",
                                         "135。1234。5678", "＋８６ １３５ １２３４ ５６７８",
                                         "86 135 1234 5678", "（135）1234·5678"])
def test_registration_takes_the_phone_as_typed(client, db, typed_phone):
    response = _register(client, phone=typed_phone)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert db.scalar(select(User.phone)) == "13512345678"


def test_registration_takes_the_address_as_typed(client, db):
    assert _register(client, building="３号楼", unit="２ 单元", room="３０１室").status_code == 303
    user = db.scalar(select(User))
    assert (user.building, user.unit, user.room) == ("3号楼", "2单元", "301")


def test_a_full_width_phone_gets_no_wrong_message(client, db):
    """The wrong message of the issue: "１３５…" was said not to start with 1."""
    html = _register(client, phone="１３５１２３４５６７", password="x").get_data(as_text=True)
    assert "以 1 开头" not in html and "starts with 1" not in html
    assert "11" in html  # how many digits a mobile number has, and how many it got


def test_registration_shows_every_fields_message_at_once(client, db):
    response = _register(client, phone="2380013800", name="", password="12345678",
                         building="", unit="", room="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    for field in ("phone", "name", "password", "building", "unit", "room"):
        assert f'href="#{field}"' in summary, field
    assert db.scalar(select(User)) is None


def test_the_account_page_takes_the_address_as_typed(resident_client, resident, db):
    token = csrf_token(resident_client, "/account")
    response = resident_client.post("/account", data={
        "csrf_token": token, "name": "王大爷", "building": "１２Ａ栋", "unit": "１单元",
        "room": "１０２号"})
    assert response.status_code == 303
    db.refresh(resident)
    assert (resident.building, resident.unit, resident.room) == ("12A号楼", "1单元", "102")


def test_staff_accounts_take_the_phone_as_typed_and_show_every_message(staff_client, db):
    director = staff_client("director")
    token = csrf_token(director, "/staff/users")
    response = director.post("/staff/users", data={
        "csrf_token": token, "phone": "１３９ ００００ １１１１", "name": "李主任",
        "role": "grid_worker", "password": "a long enough phrase"})
    assert response.status_code == 303
    assert db.scalar(select(User).where(User.phone == "13900001111")) is not None
    response = director.post("/staff/users", data={
        "csrf_token": token, "phone": "１２３", "name": "", "role": "grid_worker",
        "password": "12345678"})
    summary = response.get_data(as_text=True).split('class="error-summary"')[1]
    assert all(f'href="#{name}"' in summary for name in ("phone", "name", "password"))


def test_the_building_of_a_request_as_typed(resident_client, db, app):
    from portal.service_requests import service
    from portal.service_requests.models import ServiceRequest

    service.seed_categories(db)
    db.commit()
    html = resident_client.get("/requests/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)
    category = service.categories(db)[0]
    response = resident_client.post("/requests/new", data={
        "csrf_token": token, "idempotency_key": key, "category": category.id,
        "description": "楼道的灯坏了好几天了。", "building": "３号楼", "location": ""})
    assert response.status_code == 303
    assert db.scalar(select(ServiceRequest.building)) == "3号楼"  # as the board profile has it


def test_the_one_place():
    assert typed.phone_number("００８６－１３５ １２３４ ５６７８") == "13512345678"
    assert typed.id_number("１１０１０５ １９４９１２３１ ００２ｘ") == "11010519491231002X"
    assert typed.amount("１，２３４。５ 元") == "1234.5"
    assert typed.amount("￥８５０．５０") == "850.50"
    for typed_building in ("3", "３", "3号楼", "３号楼", "3栋", "3 号楼", "3幢"):
        assert typed.building(typed_building) == "3号楼", typed_building
    assert typed.building("东区3号楼") == "东区3号楼"  # more than a number: kept
    assert typed.unit("２") == "2单元" and typed.unit("二单元") == "二单元"
    assert typed.room("３０１室") == "301" and typed.room("a-301") == "A-301"
    assert typed.digits_only(None) is None
