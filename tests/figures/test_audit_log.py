"""/staff/audit: the director's one audit log, filtered, paged by keyset, in words, and its
download is itself recorded."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.audit.service import record


def _entries(app, db, actor, count, area="aid", action="view", start=None):
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    with app.app_context():
        for number in range(count):
            entry = record(db, actor, area, action, f"A{number:04d}", "")
            entry.at = start + timedelta(minutes=number)
    db.commit()


def _rows(page: str) -> set[tuple[str, str]]:
    """(time, target) of each row on a page of the log."""
    return set(re.findall(r"<tr><td>([^<]+)</td>.*?<td>(A\d{4})</td>", page))


def test_only_the_audit_permission_reads_it(staff_client):
    assert staff_client(Role.DIRECTOR).get("/staff/audit").status_code == 200
    for role in (Role.DEPUTY_DIRECTOR, Role.GRID_WORKER, Role.CIVIL_AFFAIRS, Role.ADMIN,
                 Role.RESIDENT):
        client = staff_client(role)
        assert client.get("/staff/audit").status_code == 403, role
        assert client.get("/staff/audit.csv").status_code == 403, role


def test_filters_paging_and_words(app, db, staff_client, make_user):
    director = staff_client(Role.DIRECTOR)
    worker = make_user(Role.CIVIL_AFFAIRS, name="民政小张")
    _entries(app, db, worker, 120)
    _entries(app, db, director.user, 3, area="figures", action="follow_up",
             start=datetime(2026, 11, 20, tzinfo=UTC))
    page = director.get("/staff/audit").get_data(as_text=True)
    assert page.count("<tr><td>") == 50
    assert "记录了差评回访" in page and "follow_up" not in page.split("<tbody>")[1]
    older = page.split('href="/staff/audit?before=')[1].split('"')[0]
    second = director.get(f"/staff/audit?before={older}").get_data(as_text=True)
    assert second.count("<tr><td>") == 50
    first_rows, second_rows = _rows(page), _rows(second)
    assert len(first_rows) == len(second_rows) == 50
    assert first_rows.isdisjoint(second_rows)
    assert max(second_rows) < min(first_rows)  # the second page is the older one
    only = director.get(f"/staff/audit?actor={director.user.id}").get_data(as_text=True)
    assert only.count("<tr><td>") == 3
    assert director.get("/staff/audit?area=figures&action=follow_up").get_data(
        as_text=True).count("<tr><td>") == 3
    assert director.get("/staff/audit?from=2026-11-20&to=2026-11-20").get_data(
        as_text=True).count("<tr><td>") == 3
    for odd in ("before=abc", "before=99999999999999999", "from=2026-02-30", "actor=-1",
                "action=%00", "area=" + "x" * 500):
        assert director.get(f"/staff/audit?{odd}").status_code == 200, odd


def test_the_download_is_recorded_and_in_words(app, db, staff_client, make_user):
    director = staff_client(Role.DIRECTOR)
    _entries(app, db, make_user(Role.CIVIL_AFFAIRS), 2)
    response = director.get("/staff/audit.csv?area=aid")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith("\ufeff")
    assert "打开" in body or "查看" in body
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.area == "audit", AuditEntry.action == "export")) == 1
    assert director.get("/staff/audit.xlsx").status_code == 200


def test_statements_per_page_do_not_grow(app, db, staff_client, make_user, count_queries):
    director = staff_client(Role.DIRECTOR)
    worker = make_user(Role.CIVIL_AFFAIRS)
    _entries(app, db, worker, 10)
    with count_queries() as few:
        director.get("/staff/audit")
    _entries(app, db, worker, 200, start=datetime(2026, 11, 10, tzinfo=UTC))
    with count_queries() as many:
        director.get("/staff/audit")
    assert many.count == few.count


def test_staff_actions_on_requests_are_in_the_log(app, db, november):
    from tests.conftest import sign_in

    client = app.test_client()
    sign_in(client, november["director"])
    body = client.get("/staff/audit?area=requests").get_data(as_text=True).split("<tbody>")[1]
    assert body.count("受理了诉求") == 6  # I A B F G H
    assert body.count("办结了诉求") == 5 and body.count("合并了重复诉求") == 1
    assert body.count("公开答复了居民") == 1 and "to_accepted" not in body
    client.get("/staff/queue.csv")
    assert "导出名单" in client.get("/staff/audit?area=requests&action=export").get_data(
        as_text=True).split("<tbody>")[1]
