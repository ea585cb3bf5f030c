"""The staff queue: the ID-number search by POST, the export, the audit lines, the photos a
refused household visit keeps, and the labels the check page shows."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.aid import service
from portal.aid.models import AidFile, AidType
from portal.audit.models import AuditEntry
from tests.aid.conftest import jpeg_bytes
from tests.conftest import csrf_token

LONG_NUMBER = re.compile(r"\d{11,}")  # an ID number (15 or 18) or a phone number (11)


def _urls(html: str) -> list[str]:
    # A static file's ?v= is its content hash, which may happen to be all digits.
    return [re.sub(r"\?v=[0-9a-f]+$", "", url)
            for url in re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"', html)]


@pytest.fixture
def sent(app, db, build_application, make_user):
    """Two sent applications; the first names a child whose ID number we search for."""
    first = build_application(make_user(Role.RESIDENT), stage="submitted")
    second = build_application(make_user(Role.RESIDENT), stage="submitted")
    with app.app_context():
        child = service.reveal_ids(first)[first.members[0].id]
    return first, second, child


def test_id_number_search_is_a_post_and_no_url_carries_a_number(db, sent, staff_client):
    first, second, child = sent
    client = staff_client(Role.CIVIL_AFFAIRS)
    response = client.post("/staff/aid/search", data={
        "csrf_token": csrf_token(client, "/staff/aid"), "id_number": child})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert first.ref in html and second.ref not in html
    assert child not in html and child[:6] + "********" + child[-4:] in html  # masked only
    assert not [url for url in _urls(html) if LONG_NUMBER.search(url)]
    assert db.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() \
        == "search"

    # The old address no longer searches: a number in the URL is ignored.
    listing = client.get(f"/staff/aid?id={child}").get_data(as_text=True)
    assert first.ref in listing and second.ref in listing
    for path in ("/staff/aid", "/staff/aid?stage=submitted", f"/staff/aid/{first.ref}",
                 "/staff/audit?area=aid"):
        page = staff_client(Role.DIRECTOR).get(path).get_data(as_text=True)
        assert not [url for url in _urls(page) if LONG_NUMBER.search(url)], path
    assert client.get("/staff/aid/search").status_code in (404, 405)  # never a GET search


def test_a_bad_id_number_search_answers_422_and_keeps_the_queue(sent, staff_client):
    first, _second, _child = sent
    client = staff_client(Role.CIVIL_AFFAIRS)
    response = client.post("/staff/aid/search", data={
        "csrf_token": csrf_token(client, "/staff/aid"), "id_number": "12345"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "身份证号码应为 18 位" in html and first.ref in html


def test_export_is_excel_ready_csv_and_xlsx_with_labels(db, sent, types, staff_client):
    first, _second, _child = sent
    db.get(AidType, types["dibao"].id).name_zh = "=HYPERLINK(\"http://x\")"
    db.commit()
    client = staff_client(Role.CIVIL_AFFAIRS)
    response = client.get("/staff/aid/export.csv?stage=submitted")
    assert response.status_code == 200
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "编号,救助类型,办理阶段,提交时间,本阶段截止日期,办结时限"
    row = next(line for line in lines if line.startswith(first.ref))
    assert "已提交" in row and "submitted" not in row
    assert "'=HYPERLINK" in row  # the formula guard
    assert db.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() \
        == "export"

    workbook = load_workbook(io.BytesIO(client.get("/staff/aid/export.xlsx").get_data()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "救助类型", "办理阶段")
    assert any(row[0] == first.ref and row[2] == "已提交" for row in rows[1:])
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)


def test_audit_lines_read_in_words(db, sent, staff_client):
    first, _second, _child = sent
    client = staff_client(Role.CIVIL_AFFAIRS)
    client.get(f"/staff/aid/{first.ref}")
    client.post(f"/staff/aid/{first.ref}/accept",
                data={"csrf_token": csrf_token(client, f"/staff/aid/{first.ref}")})
    entries = db.scalars(select(AuditEntry).where(AuditEntry.area == "aid")
                         .order_by(AuditEntry.id)).all()
    assert [(e.action, e.target) for e in entries][-3:] == [
        ("view", first.ref), ("view", first.ref), ("accept", first.ref)]
    director = staff_client(Role.DIRECTOR)
    log = director.get("/staff/audit?area=aid").get_data(as_text=True)
    assert "受理" in log and "查看" in log


def test_a_refused_household_visit_keeps_its_photos(app, db, build_application, make_user,
                                                    staff_client):
    staff = make_user(Role.CIVIL_AFFAIRS)
    application = build_application(make_user(Role.RESIDENT), stage="accepted", staff=staff)
    client = staff_client(Role.CIVIL_AFFAIRS)
    path = f"/staff/aid/{application.ref}"
    form = {"csrf_token": csrf_token(client, path), "investigator_1": "王",
            "investigator_2": "", "visited_on": "2026-11-03", "findings": "属实"}
    response = client.post(path + "/investigation", content_type="multipart/form-data",
                           data={**form, "photos": [(io.BytesIO(jpeg_bytes()), "door.jpg")]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    kept = re.search(r'name="kept"[^>]*value="([^"]+)"', html).group(1)
    assert "属实" in html
    response = client.post(path + "/investigation", content_type="multipart/form-data",
                           data={**form, "investigator_2": "李", "kept": kept})
    assert response.status_code == 303
    photos = db.scalars(select(AidFile).where(AidFile.application_id == application.id,
                                              AidFile.item == "investigation")).all()
    assert [photo.stored_file.original_name for photo in photos] == ["door.jpg"]
    assert photos[0].stored_file.attached is True


def test_short_labels_read_right_in_their_place(app, db, build_application, resident,
                                                resident_client):
    draft = build_application(resident)
    check = resident_client.get(f"/aid/{draft.key}/check").get_data(as_text=True)
    assert "<dt>住房情况</dt>" in check and "首页</dt>" not in check
    sent = build_application(resident, stage="submitted")
    progress = resident_client.get(f"/aid/{sent.ref}").get_data(as_text=True)
    assert '<span class="tag">下一步</span>' in progress and "下一页" not in progress
