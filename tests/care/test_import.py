"""Bringing a register in from Excel: real .xlsx files, good, bad and the same one twice."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.care.models import CareImport, CarePerson
from tests.conftest import csrf_token

HEADER = ["姓名", "手机号", "楼栋", "单元", "房号", "类别", "需求", "走访频次", "风险等级",
          "网格员手机号", "紧急联系人", "健康与残疾情况", "依据", "日期", "备注"]


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _good_rows(worker_phone):
    return [
        ["王奶奶", "13600001001", "2号楼", "1单元", "301", "独居老人、高龄老人", "上门探视，助餐",
         "每周一次", "高", worker_phone, "王强 儿子 13600009001", "行动不便",
         "本人（或监护人）单独同意", "2026-11-30", ""],
        ["李爷爷", None, "6号楼", 2, 502, "残疾人", "康复", "每月一次", "中", None, None, None,
         "public_duty", "2026/12/01", "耳背"],
    ]


@pytest.fixture
def civil(staff_client):
    return staff_client(Role.CIVIL_AFFAIRS)


def _upload(client, data: bytes, name="register.xlsx"):
    token = csrf_token(client, "/staff/care/import")
    return client.post("/staff/care/import", data={
        "csrf_token": token, "register": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def _confirm(client, page: str):
    pending = re.search(r'name="pending"[^>]*value="(\d+)"', page)
    assert pending, page
    token = csrf_token(client, "/staff/care/import")
    return client.post("/staff/care/import/confirm",
                       data={"csrf_token": token, "pending": pending.group(1)})


def _import(client, data: bytes):
    preview = _upload(client, data)
    assert preview.status_code == 200
    return preview.get_data(as_text=True)


def _count(db):
    return db.scalar(select(func.count()).select_from(CarePerson))


def test_the_template_is_a_workbook_with_the_columns(civil):
    answer = civil.get("/staff/care/template.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.data)).active
    assert [cell.value for cell in sheet[1]][0] in ("姓名", "Name")
    assert sheet.max_row == 1


def test_a_good_file_waits_for_confirmation_then_imports(civil, db, make_user, app_context):
    worker = make_user(Role.GRID_WORKER, phone="13900000101")
    page = _import(civil, _xlsx(_good_rows(worker.phone)))
    assert _count(db) == 0  # nothing written by the preview
    assert "2" in page
    assert _confirm(civil, page).status_code == 303
    people = {p.name: p for p in db.scalars(select(CarePerson))}
    assert set(people) == {"王奶奶", "李爷爷"}
    assert people["王奶奶"].grid_worker_id == worker.id
    assert [c.value for c in people["王奶奶"].category_list] == ["alone", "very_old"]
    assert people["李爷爷"].unit == "2单元" and people["李爷爷"].room == "502"
    assert people["李爷爷"].notes == "耳背"
    assert db.scalar(select(func.count()).select_from(CareImport)) == 0


def test_the_same_file_twice_adds_nobody_twice(civil, db, make_user):
    worker = make_user(Role.GRID_WORKER, phone="13900000102")
    data = _xlsx(_good_rows(worker.phone))
    _confirm(civil, _import(civil, data))
    _confirm(civil, _import(civil, data))
    assert _count(db) == 2


def test_bad_rows_are_named_by_row_and_column_and_left_out(civil, db):
    bad = [
        # row 2: no name
        ["", "13600001002", "2号楼", "", "", "独居老人", "", "每周一次", "高", "", "", "",
         "consent", "2026-11-30", ""],
        # row 3: a bad phone, category, grid worker and date
        ["赵伯", "1360000", "2号楼", "", "", "外星人", "", "每周一次", "高", "13911112222", "",
         "", "consent", "明天", ""],
        # row 4: good
        ["钱姨", "", "4号楼", "", "", "空巢老人", "", "每周一次", "低", "", "", "", "consent",
         "2026-11-30", ""],
    ]
    page = _import(civil, _xlsx(bad))
    assert "外星人" in page and "2026-12-01" in page  # what is wrong, and an example
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", page)
    assert ("2", "姓名") in rows or ("2", "Name") in rows
    assert {row for row, _column in rows} == {"2", "3"}
    assert len([1 for row, _c in rows if row == "3"]) == 4
    _confirm(civil, page)
    assert [p.name for p in db.scalars(select(CarePerson))] == ["钱姨"]


def test_a_file_that_is_not_a_workbook_is_refused_clearly(civil, db):
    answer = _upload(civil, b"name,phone\n", name="register.xlsx")
    assert answer.status_code == 422
    assert "Excel" in answer.get_data(as_text=True)


def test_someone_elses_pending_import_is_not_theirs(civil, staff_client, db, make_user):
    page = _import(civil, _xlsx(_good_rows("")))
    other = staff_client(Role.DIRECTOR)
    assert _confirm(other, page).status_code == 404
    assert _count(db) == 0


def test_the_export_comes_back_in_unchanged(civil, db, make_user, app_context):
    worker = make_user(Role.GRID_WORKER, phone="13900000103")
    _confirm(civil, _import(civil, _xlsx(_good_rows(worker.phone))))
    exported = civil.get("/staff/care/export.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert sheet.max_row == 3
    _confirm(civil, _import(civil, exported.data))
    assert _count(db) == 2
    assert {p.version for p in db.scalars(select(CarePerson))} == {1}
