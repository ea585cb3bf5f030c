"""Issue 17: an address is said as people say it, 3号楼2单元301室 (Building 3, Unit 2,
Room 301), everywhere it is shown: one helper, never the bare numbers "3 2 301"."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask_babel import force_locale

from portal.accounts.roles import Role
from portal.web.address import address, address_of


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("parts, chinese, english", [
    (("3", "2", "301"), "3号楼2单元301室", "Building 3, Unit 2, Room 301"),
    (("3号楼", "2单元", "301室"), "3号楼2单元301室", "Building 3, Unit 2, Room 301"),
    (("3号楼", "2单元", "502"), "3号楼2单元502室", "Building 3, Unit 2, Room 502"),
    (("3号楼", None, None), "3号楼", "Building 3"),
    (("12a栋", "", " 1 "), "12A号楼1室", "Building 12A, Room 1"),
    (("东区3号楼", "二单元", "301"), "东区3号楼二单元301室", "东区3号楼, 二单元, Room 301"),
    ((None, None, None), "", ""),
])
def test_the_helper_in_both_languages(in_request, parts, chinese, english):
    with force_locale("zh_Hans_CN"):
        assert address(*parts) == chinese
    with force_locale("en"):
        assert address(*parts) == english


def test_a_request_says_its_place_after_the_building(in_request):
    class Request:
        building, location = "3号楼", "2单元楼道"

    with force_locale("zh_Hans_CN"):
        assert address_of(Request()) == "3号楼2单元楼道"
        assert address_of("5") == "5号楼" and address_of(None) == ""


def _new_request(client, categories, **fields):
    html = client.get("/requests/new").get_data(as_text=True)
    data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1),
            "idempotency_key": re.search(r'name="idempotency_key"[^>]*value="([^"]+)"',
                                         html).group(1),
            "category": categories[0].id, "description": "楼道的灯坏了好几天了。", **fields}
    return client.post("/requests/new", data=data)


@pytest.fixture
def categories(db):
    from portal.service_requests import service

    service.seed_categories(db)
    db.commit()
    return service.categories(db)


def test_request_pages_the_prefill_the_queue_and_the_export(app, db, make_user, categories,
                                                            staff_client):
    from tests.conftest import sign_in

    owner = make_user(Role.RESIDENT, building="3号楼", unit="2单元", room="502")
    client = app.test_client()
    sign_in(client, owner)
    form = client.get("/requests/new").get_data(as_text=True)
    assert 'value="2单元502室"' in form  # the prefilled place, not "2单元 502"
    response = _new_request(client, categories, building="3", location="2单元502室")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3号楼2单元502室" in page

    director = staff_client(Role.DIRECTOR)
    queue = director.get("/staff/queue").get_data(as_text=True)
    assert '<td class="nowrap">3号楼2单元502室</td>' in queue
    ref = re.search(r"R\d{8}-\d{4}", queue).group()
    for typed_building in ("3", "３", "3栋"):  # the filter takes the building as typed
        assert ref in director.get(f"/staff/queue?building={typed_building}").get_data(
            as_text=True), typed_building
    assert ref not in director.get("/staff/queue?building=4").get_data(as_text=True)
    export = director.get("/staff/queue.csv").get_data(as_text=True).removeprefix("\ufeff")
    assert list(csv.reader(io.StringIO(export)))[1][2] == "3号楼"


def test_the_account_page(app, db, make_user):
    from tests.conftest import sign_in

    person = make_user(Role.RESIDENT, building="3", unit="2", room="301")
    client = app.test_client()
    sign_in(client, person)
    page = client.get("/account").get_data(as_text=True)
    assert "3号楼2单元301室" in page
    assert "<title>" in page and "Sign out on all devices" not in page.split("</title>")[0]


def test_the_board_profiles_page(db, staff_client):
    from portal.board.models import BoardProfile

    db.add(BoardProfile(slug="building-3", name="大堂屏", building="3", sections=[]))
    db.commit()
    director = staff_client(Role.DIRECTOR)
    html = director.get("/staff/board").get_data(as_text=True)
    assert "3号楼" in html
