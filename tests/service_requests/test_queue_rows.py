"""The queue's rows tell the story (first line, photos, where, the time left against the next
deadline), in deadline order, paged by key; a request is taken on, accepted and answered in
one action, from templates offered for its category and stage."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select, text

from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.notifications.models import Notification
from portal.service_requests import service
from portal.service_requests.models import ReplyTemplate, RequestEvent, ServiceRequest
from portal.web.i18n import format_until
from portal.web.pagination import keyset_paginate
from tests.service_requests.test_resident_views import form_of, jpeg


def _refs_in_order(html: str) -> list[str]:
    return re.findall(r'name="refs" value="([^"]+)"', html)


def test_the_next_deadline_is_the_response_until_answered_then_the_resolution(
        app, db, resident, file_request, make_user):
    item = file_request(resident)
    assert service.next_deadline(item) == item.respond_by
    staff = make_user(Role.DIRECTOR)
    with app.app_context():
        service.reply(db, item, staff, "明天上门", public=True)
    assert service.next_deadline(item) == item.resolve_by
    item.status = "closed"
    assert service.next_deadline(item) is None
    # the SQL expression the queue is ordered by says the same
    db.commit()
    value = db.scalar(select(service.DEADLINE_ORDER[0]).where(ServiceRequest.id == item.id))
    assert value == item.resolve_by


def test_the_open_queue_comes_nearest_deadline_first_priority_breaking_ties(
        app, db, staff_client, resident, file_request):
    now = utcnow().replace(microsecond=0)
    # P3 answers within 24 h, P2 within 8 h, P1 within 2 h
    p3_fresh = file_request(resident, now=now)                                   # due +24 h
    p1_fresh = file_request(resident, urgent=True, many_households=True, now=now)  # due +2 h
    p2_older = file_request(resident, urgent=True, now=now - timedelta(hours=6))  # due +2 h
    p3_late = file_request(resident, now=now - timedelta(hours=30))              # due -6 h
    answered = file_request(resident, urgent=True, many_households=True,
                            now=now - timedelta(hours=1))  # answered: due at +23 h
    director = staff_client(Role.DIRECTOR)
    with app.app_context():
        service.reply(db, answered, director.user, "已收到", public=True)
    db.commit()
    html = director.get("/staff/queue").get_data(as_text=True)
    assert _refs_in_order(html) == [p3_late.ref, p1_fresh.ref, p2_older.ref, answered.ref,
                                    p3_fresh.ref]
    assert "最近的期限在前" in html
    # finished requests have no deadline left: every status is in priority, then age
    html = director.get("/staff/queue?status=all").get_data(as_text=True)
    assert _refs_in_order(html) == [answered.ref, p1_fresh.ref, p2_older.ref, p3_late.ref,
                                    p3_fresh.ref]


def test_the_deadline_order_pages_by_key_without_gaps_or_repeats(
        app, db, resident, file_request, make_user):
    now = utcnow()
    made = [file_request(resident, urgent=number % 3 == 0, many_households=number % 5 == 0,
                         now=now - timedelta(minutes=7 * number)) for number in range(60)]
    director = make_user(Role.DIRECTOR)
    filters = service.QueueFilters()
    statement = service.queue_statement(director, filters, now)
    order = service.queue_order(filters)
    expected = [item.ref for item in db.scalars(statement)]
    assert sorted(expected) == sorted(item.ref for item in made)
    seen, args = [], {}
    while True:
        page = keyset_paginate(db, statement, order, args, per_page=25)
        seen += [item.ref for item in page.items]
        if not page.next:
            break
        args = {key: str(value) for key, value in page.next.items()}
    assert seen == expected
    # a key (as a Next link past the numbered pages gives) goes on from that row, and back
    first = keyset_paginate(db, statement, order, {}, per_page=25)
    from portal.web.pagination import _encode

    key = _encode(db.execute(statement.with_only_columns(*order).limit(25)).all()[-1])
    after = keyset_paginate(db, statement, order, {"after": key}, per_page=25)
    assert [item.ref for item in after.items] == expected[25:50]
    before = keyset_paginate(db, statement, order, {"before": _encode(
        db.execute(statement.with_only_columns(*order).offset(25).limit(1)).one())},
        per_page=25)
    assert [item.ref for item in before.items] == [item.ref for item in first.items]


def test_the_open_queue_reads_its_deadline_index_and_sorts_nothing(app, db, make_user):
    """Each view of the open queue has an index that gives its rows in order: the first 25
    are read off it, whatever the table's size. Whether the planner takes it depends on the
    data's spread (scripts/sql_timing.py shows it at scale); here the question is whether
    the index can serve the query: SQLite is told to use it, PostgreSQL to avoid the rest."""
    director = make_user(Role.DIRECTOR)
    grid = make_user(Role.GRID_WORKER)
    now = utcnow()
    for user, filters, index in (
            (director, service.QueueFilters(), "ix_service_request_open_due"),
            (director, service.QueueFilters(status="submitted"), "ix_service_request_open_due"),
            (director, service.QueueFilters(overdue=True), "ix_service_request_open_due"),
            (director, service.QueueFilters(assignee="unassigned"),
             "ix_service_request_open_due_assignee"),
            (director, service.QueueFilters(team="grid_worker"),
             "ix_service_request_open_due_role"),
            (grid, service.QueueFilters(), None)):  # their scope is an OR: a bounded sort
        statement = service.queue_statement(user, filters, now).limit(26)
        sql = str(statement.compile(db.get_bind(), compile_kwargs={"literal_binds": True}))
        if db.get_bind().dialect.name == "sqlite":
            if index is None:
                continue
            assert sql.count("FROM service_request ") == 1, sql
            sql = sql.replace("FROM service_request ", f"FROM service_request INDEXED BY {index} ")
            plan = " ".join(str(row[-1]) for row in db.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "TEMP B-TREE" not in plan, (filters, plan)
        else:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                db.execute(text(f"SET LOCAL {setting} = off"))
            plan = " ".join(row[0] for row in db.execute(text(f"EXPLAIN {sql}")))
            assert "ix_service_request_open_due" in plan, (filters, plan)
            assert index is None or "Sort" not in plan, (filters, plan)
        db.rollback()


def test_rows_show_the_first_line_photos_where_and_the_time_left(
        app, db, resident, resident_client, staff_client, categories, file_request):
    response = resident_client.post("/requests/new", data={
        **form_of(resident_client), "category": categories["hazard"].id, "building": "5号楼",
        "location": "2单元301室", "description": "小区东门的井盖松动\n有人差点摔倒，请尽快处理。",
        "photos": [(io.BytesIO(jpeg()), "well.jpg")]}, content_type="multipart/form-data")
    assert response.status_code == 303
    with_photo = db.scalar(select(ServiceRequest).where(ServiceRequest.building == "5号楼"))
    late = file_request(resident, description="楼道灯坏了" + "很久" * 40,
                        now=utcnow() - timedelta(days=3))
    html = staff_client(Role.DIRECTOR).get("/staff/queue").get_data(as_text=True)
    row = html.split(f'id="row-{with_photo.ref}"')[1].split("</tr>")[0]
    assert "小区东门的井盖松动" in row and "有人差点摔倒" not in row
    assert "有照片" in row
    assert "5号楼2单元301室" in row
    assert re.search(r"还剩 \d+ 小时", row) and "回复期限" in row
    assert f'datetime="{with_photo.respond_by.isoformat()}"' in row
    row = html.split(f'id="row-{late.ref}"')[1].split("</tr>")[0]
    assert "超期 2 天" in row and "有照片" not in row and "…" in row


@pytest.mark.parametrize(("delta", "said"), [
    (timedelta(hours=3, minutes=10), "还剩 3 小时"),
    (timedelta(minutes=-1, seconds=-5), "超期 1 分钟"),
    (timedelta(seconds=20), "还剩 1 分钟"),
    (timedelta(hours=47), "还剩 47 小时"),
    (timedelta(days=-2, hours=-5), "超期 2 天"),
])
def test_time_left_is_said_in_minutes_hours_or_days(app, delta, said):
    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert format_until(now + delta, now) == said


def test_the_queue_keeps_its_statement_count_with_photos_and_deadlines(
        app, db, staff_client, resident, resident_client, categories, file_request,
        count_queries):
    director = staff_client(Role.DIRECTOR)

    def measure():
        director.get("/staff/queue")
        with count_queries() as log:
            assert director.get("/staff/queue").status_code == 200
        return log.count

    file_request(resident)
    few = measure()
    for number in range(3):
        resident_client.post("/requests/new", data={
            **form_of(resident_client), "category": categories["hazard"].id,
            "building": "5号楼", "description": f"井盖松动了，第{number}处。",
            "photos": [(io.BytesIO(jpeg(color=(number, 9, 9))), "a.jpg")]},
            content_type="multipart/form-data")
    for _ in range(30):
        file_request(resident)
    assert measure() == few <= 11


def test_take_on_and_reply_claims_accepts_and_answers_at_once(
        app, db, staff_client, resident, file_request, csrf):
    grid = staff_client(Role.GRID_WORKER)
    item = file_request(resident)
    url = f"/staff/requests/{item.ref}"
    html = grid.get(url).get_data(as_text=True)
    assert f'action="{url}/take-and-reply"' in html and "接单并回复" in html
    token = csrf(grid, url)
    response = grid.post(url + "/take-and-reply",
                         data={"reply-csrf_token": token, "reply-body": "今天下午上门"},
                         headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<div id="work">')
    db.refresh(item)
    assert (item.status, item.assignee_id) == ("accepted", grid.user.id)
    assert item.first_response_at is not None
    kinds = [(e.kind, e.to_status, e.body) for e in db.scalars(
        select(RequestEvent).where(RequestEvent.request_id == item.id,
                                   RequestEvent.kind != "status").order_by(RequestEvent.id))]
    assert kinds == [("assign", None, grid.user.name), ("reply", None, "今天下午上门")]
    told = list(db.scalars(select(Notification.message).where(
        Notification.user_id == resident.id, Notification.link == f"/requests/{item.ref}")))
    assert told[-1].startswith("Your request “%(about)s” has been accepted and the community")
    assert len(told) == 1  # one message for taking it on and the reply, not two
    # now it is theirs and accepted: the reply is a plain reply
    html = grid.get(url).get_data(as_text=True)
    assert f'action="{url}/reply"' in html and "接单并回复" not in html


def test_take_on_and_reply_refuses_what_is_finished_and_keeps_the_words(
        app, db, staff_client, resident, file_request, csrf):
    director = staff_client(Role.DIRECTOR)
    item = file_request(resident)
    url = f"/staff/requests/{item.ref}"
    token = csrf(director, url)
    empty = director.post(url + "/take-and-reply", data={"reply-csrf_token": token,
                                                         "reply-body": ""})
    assert empty.status_code == 422
    item.status = "closed"
    db.commit()
    refused = director.post(url + "/take-and-reply", data={"reply-csrf_token": token,
                                                           "reply-body": "我来处理"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "不用再接单了" in html and "我来处理" in html
    db.refresh(item)
    assert item.assignee_id is None
    assert db.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                RequestEvent.kind == "reply")) is None


def test_take_on_and_reply_is_only_for_staff_who_may_see_it(
        app, db, staff_client, resident, resident_client, file_request, csrf):
    item = file_request(resident, "dispute")  # the governance team's
    grid = staff_client(Role.GRID_WORKER)
    token = csrf(grid, "/staff/queue")
    url = f"/staff/requests/{item.ref}/take-and-reply"
    assert grid.post(url, data={"reply-csrf_token": token,
                                "reply-body": "我来"}).status_code == 404
    assert resident_client.post(url, data={"reply-body": "我来"}).status_code in (403, 404)
    db.refresh(item)
    assert item.assignee_id is None


def test_templates_offered_are_those_of_its_category_and_stage(
        app, db, staff_client, resident, file_request, categories):
    db.add_all([
        ReplyTemplate(title="先回复", body="已收到，马上安排。", stage="new"),
        ReplyTemplate(title="办完了", body="已经处理好了。", stage="working"),
        ReplyTemplate(title="找物业", body="已联系物业。", category_id=categories["property"].id),
        ReplyTemplate(title="通用", body="感谢反映。"),
    ])
    db.commit()
    item = file_request(resident, "repair")
    director = staff_client(Role.DIRECTOR)
    html = director.get(f"/staff/requests/{item.ref}").get_data(as_text=True)
    picker = html.split('id="template"')[1].split("</select>")[0]
    assert re.findall(r">([^<]+)</option>", picker)[1:] == ["先回复", "通用"]
    assert "selected" not in picker
    assert 'data-body="已收到，马上安排。"' in picker
    item.status = "accepted"
    db.commit()
    picker = director.get(f"/staff/requests/{item.ref}").get_data(as_text=True) \
        .split('id="template"')[1].split("</select>")[0]
    assert re.findall(r">([^<]+)</option>", picker)[1:] == ["办完了", "通用"]
    assert service.reply_templates(db) and len(service.reply_templates(db)) == 4


def test_a_template_is_saved_with_its_category_and_stage(
        app, db, staff_client, categories, csrf):
    director = staff_client(Role.DIRECTOR)
    token = csrf(director, "/staff/requests/settings")
    response = director.post("/staff/requests/settings/templates", data={
        "tpl-csrf_token": token, "tpl-title": "物业", "tpl-body": "已转物业。",
        "tpl-category": str(categories["property"].id), "tpl-stage": "new"})
    assert response.status_code == 303
    template = db.scalar(select(ReplyTemplate).where(ReplyTemplate.title == "物业"))
    assert (template.category_id, template.stage) == (categories["property"].id, "new")
    refused = director.post("/staff/requests/settings/templates", data={
        "tpl-csrf_token": token, "tpl-title": "坏", "tpl-body": "x", "tpl-stage": "someday"})
    assert refused.status_code == 422


def test_a_row_opens_in_the_side_panel_and_is_a_page_without_javascript(
        staff_client, resident, file_request):
    item = file_request(resident)
    director = staff_client(Role.DIRECTOR)
    html = director.get("/staff/queue").get_data(as_text=True)
    link = re.search(rf'<a href="(/staff/requests/{item.ref})"[^>]*>', html)
    assert link and 'hx-target="#side-panel"' in link.group(0)
    assert f'hx-get="/staff/requests/{item.ref}"' in link.group(0)
    # the row's htmx attributes carry this answer's nonce, built once for the rows
    body_nonce = re.search(r'<body hx-nonce="([^"]+)"', html).group(1)
    assert f'hx-nonce="{body_nonce}"' in link.group(0)
    assert 'id="side-panel"' in html and "data-shortcuts" in html
    page = director.get(link.group(1)).get_data(as_text=True)
    assert page.startswith("<!doctype html>") and 'id="work"' in page
    fragment = director.get(link.group(1), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="work">') and "<h1>" in fragment
    # in the queue's panel it sits under the page's own heading
    panel = director.get(link.group(1), headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/staff/queue?overdue=1"})
    html = panel.get_data(as_text=True)
    assert "<h1>" not in html and '<h2 class="panel-title" data-ref' in html
    assert "在单独的页面打开" in html


def test_the_staff_menu_groups_publishing_and_settings(staff_client):
    html = staff_client(Role.DIRECTOR).get("/staff/").get_data(as_text=True)
    nav = html.split('<nav class="site-nav"')[1].split("</nav>")[0]
    top = re.findall(r'^          <li(?: class="tab")?><a href="([^"]+)"', nav, re.M)
    assert len(top) <= 6, top
    settings = nav.split("<summary>设置与记录</summary>")[1].split("</details>")[0]
    assert "工作人员账号" in settings and "操作日志" in settings
    assert "活动" in nav.split("<summary>发布</summary>")[1].split("</details>")[0]


def test_the_menu_marks_only_where_the_worker_is(staff_client):
    """On the queue, 诉求队列 is current and 概览 (/staff/, which every staff address starts
    with) is not; on the staff home it is the other way round."""
    director = staff_client(Role.DIRECTOR)

    def current(path):
        nav = director.get(path).get_data(as_text=True).split('<nav class="site-nav"')[1]
        return re.findall(r'<a href="([^"]+)" aria-current="[^"]+"', nav.split("</nav>")[0])

    assert current("/staff/queue") == ["/staff/queue"]
    assert current("/staff/") == ["/staff/"]
