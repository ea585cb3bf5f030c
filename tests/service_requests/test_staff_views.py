"""The back office through HTTP: the queue, its filters and query budget, one request's
actions, bulk actions, CSV export, settings, the /staff/ panel and permissions."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.service_requests import service as s
from portal.service_requests.models import ReplyTemplate, RequestCategory, RequestEvent


def test_queue_needs_the_triage_permission(app, staff_client, resident_client):
    assert staff_client(Role.CULTURE).get("/staff/queue").status_code == 403
    assert resident_client.get("/staff/queue").status_code == 403
    signed_out = app.test_client().get("/staff/queue")
    assert signed_out.status_code == 302 and "/auth/login" in signed_out.headers["Location"]
    assert staff_client(Role.GRID_WORKER).get("/staff/requests/settings").status_code == 403


def test_front_line_see_their_team_director_sees_all(staff_client, resident, file_request):
    noise = file_request(resident, "noise")
    dispute = file_request(resident, "dispute")
    grid = staff_client(Role.GRID_WORKER)
    html = grid.get("/staff/queue").get_data(as_text=True)
    assert noise.ref in html and dispute.ref not in html
    assert grid.get(f"/staff/requests/{dispute.ref}").status_code == 404
    html = grid.get("/staff/queue?team=governance").get_data(as_text=True)
    assert dispute.ref not in html  # the team filter is for those who assign
    director = staff_client(Role.DIRECTOR)
    html = director.get("/staff/queue").get_data(as_text=True)
    assert noise.ref in html and dispute.ref in html
    html = director.get("/staff/queue?team=governance").get_data(as_text=True)
    assert noise.ref not in html and dispute.ref in html


def test_queue_sorted_by_priority_then_waiting(staff_client, resident, file_request):
    now = utcnow()
    old_p3 = file_request(resident, now=now - timedelta(hours=5))
    new_p1 = file_request(resident, urgent=True, many_households=True, now=now)
    old_p1 = file_request(resident, urgent=True, many_households=True,
                          now=now - timedelta(hours=1))
    html = staff_client(Role.DIRECTOR).get("/staff/queue").get_data(as_text=True)
    positions = [html.index(item.ref) for item in (old_p1, new_p1, old_p3)]
    assert positions == sorted(positions)


def test_filters_are_in_the_url(staff_client, make_user, resident, file_request, app, db):
    director = staff_client(Role.DIRECTOR)
    grid = make_user(Role.GRID_WORKER)
    mine = file_request(resident, "repair", building="7号楼")
    theirs = file_request(resident, "noise", description="晚上装修电钻声音很大")
    with app.app_context():
        s.assign(db, mine, director.user, director.user)
        s.assign(db, theirs, director.user, grid)
    db.commit()

    def refs(query):
        html = director.get("/staff/queue?" + query).get_data(as_text=True)
        return {item.ref for item in (mine, theirs) if item.ref in html}

    assert refs("assignee=mine") == {mine.ref}
    assert refs(f"assignee={grid.id}") == {theirs.ref}
    assert refs("assignee=unassigned") == set()
    assert refs("building=7号楼") == {mine.ref}
    assert refs(f"category={mine.category_id}") == {mine.ref}
    assert refs("q=电钻") == {theirs.ref}
    assert refs(f"q={mine.ref.lower()}") == {mine.ref}
    assert refs("priority=3&status=submitted") == {mine.ref, theirs.ref}
    assert refs("status=resolved") == set()
    assert refs("overdue=1") == set()


def test_queue_runs_a_fixed_number_of_queries(staff_client, resident, file_request,
                                              count_queries, make_user, app, db):
    director = staff_client(Role.DIRECTOR)
    grid = make_user(Role.GRID_WORKER)

    def measure(client):
        client.get("/staff/queue")
        with count_queries() as log:
            response = client.get("/staff/queue?page=2&overdue=")
        assert response.status_code == 200
        return log.count

    for number in range(30):
        item = file_request(resident, "noise" if number % 2 else "dispute")
        with app.app_context():
            s.assign(db, item, director.user, grid)
    db.commit()
    few_director = measure(director)
    for _ in range(270):
        file_request(resident, "repair")
    assert measure(director) == few_director <= 10


def test_detail_actions_land_on_the_timeline(app, db, staff_client, resident, file_request,
                                             csrf):
    director = staff_client(Role.DIRECTOR)
    grid_user = None
    item = file_request(resident)
    url = f"/staff/requests/{item.ref}"
    token = csrf(director, url)
    assert director.post(url + "/claim", data={"csrf_token": token}).status_code == 303
    response = director.post(url + "/status", data={"csrf_token": token, "status": "accepted"})
    assert response.status_code == 303
    # An htmx partial request gets the working area back, not a redirect.
    response = director.post(url + "/reply",
                             data={"reply-csrf_token": token, "reply-body": "明天上门"},
                             headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="work">') and "明天上门" in html
    assert director.post(url + "/note", data={"note-csrf_token": token,
                                              "note-body": "需要物业配合"}).status_code == 303
    refused = director.post(url + "/status", data={"csrf_token": token, "status": "closed"})
    assert refused.status_code == 422
    kinds = [(e.kind, e.public, e.actor_id) for e in db.scalars(
        select(RequestEvent).where(RequestEvent.request_id == item.id)
        .order_by(RequestEvent.id))]
    assert kinds == [("status", True, resident.id), ("assign", False, director.user.id),
                     ("status", True, director.user.id), ("reply", True, director.user.id),
                     ("note", False, director.user.id)]
    assert grid_user is None
    # The resident's timeline never shows the internal note.
    from tests.conftest import sign_in

    client = app.test_client()
    sign_in(client, resident)
    page = client.get(f"/requests/{item.ref}").get_data(as_text=True)
    assert "明天上门" in page and "需要物业配合" not in page


def test_front_line_may_claim_but_not_assign_others(staff_client, make_user, resident,
                                                    file_request, csrf):
    grid = staff_client(Role.GRID_WORKER)
    colleague = make_user(Role.GRID_WORKER)
    item = file_request(resident)
    url = f"/staff/requests/{item.ref}"
    token = csrf(grid, url)
    response = grid.post(url + "/assign", data={"csrf_token": token,
                                                "assignee": str(colleague.id)})
    assert response.status_code == 422
    assert grid.post(url + "/claim", data={"csrf_token": token}).status_code == 303


def test_reply_template_fills_the_reply(staff_client, resident, file_request, db):
    template = ReplyTemplate(title="已受理", body="您好，我们已收到。")
    db.add(template)
    db.commit()
    item = file_request(resident)
    html = staff_client(Role.DIRECTOR).get(
        f"/staff/requests/{item.ref}?template={template.id}").get_data(as_text=True)
    assert 'name="reply-body"' in html and "您好，我们已收到。</textarea>" in html


def test_merge_through_the_page(staff_client, make_user, file_request, db, csrf):
    director = staff_client(Role.DIRECTOR)
    first, second = make_user(Role.RESIDENT), make_user(Role.RESIDENT)
    target, duplicate = file_request(first), file_request(second)
    url = f"/staff/requests/{duplicate.ref}"
    token = csrf(director, url)
    assert director.post(url + "/merge", data={"csrf_token": token,
                                               "target": "R00000000-0000"}).status_code == 422
    asked = director.post(url + "/merge", data={"csrf_token": token,
                                                "target": target.ref.lower()})
    assert asked.status_code == 200 and "confirm-box" in asked.get_data(as_text=True)
    db.refresh(duplicate)
    assert duplicate.merged_into_id is None  # nothing merged before the confirmation
    assert director.post(url + "/merge", data={"csrf_token": token, "target": target.ref,
                                               "confirmed": "yes"}).status_code == 303
    db.refresh(duplicate)
    assert duplicate.merged_into_id == target.id


def test_csv_export(staff_client, make_user, resident, file_request, app, db):
    director = staff_client(Role.DIRECTOR)
    item = file_request(resident, building="=HYPERLINK(\"x\")", description="水管漏水\n第二行")
    plain = file_request(resident)
    late = file_request(resident, urgent=True, many_households=True,
                        now=utcnow() - timedelta(hours=3))
    with app.app_context():
        s.assign(db, item, director.user, director.user)
        s.transition(db, item, s.ACCEPTED, director.user,
                     now=item.created_at + timedelta(minutes=42))
        s.transition(db, item, s.RESOLVED, director.user)
    db.commit()
    response = director.get("/staff/queue.csv?status=all")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # Excel on Chinese Windows reads it as UTF-8
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == ["编号", "类别", "楼栋", "诉求内容", "收到时间", "首次回复期限",
                       "办结期限", "受理时间", "办结时间", "关闭时间", "首次回复用时（分钟）",
                       "是否超期", "状态", "处理人", "评价"]
    by_ref = {row[0]: row for row in rows[1:]}
    assert set(by_ref) == {item.ref, plain.ref, late.ref}
    row = by_ref[item.ref]
    assert row[1] == item.category.name_zh
    assert row[2] == "'=HYPERLINK(\"x\")"
    assert row[3] == "水管漏水\n第二行"
    assert row[5] and row[6] and row[5] < row[6]  # both deadlines, the response one first
    assert row[10] == "42" and row[11] == "否" and row[12] == "已办结"
    assert row[13] == director.user.name
    assert by_ref[plain.ref][10] == "" and by_ref[plain.ref][11] == "否"
    assert by_ref[plain.ref][12] == "已提交"
    assert by_ref[late.ref][11] == "是"  # P1 and no response for 3 hours: past its 2 hours
    only_open = director.get("/staff/queue.csv").get_data(as_text=True)
    assert plain.ref in only_open and item.ref not in only_open


def test_xlsx_export_is_a_real_workbook_with_labels(staff_client, resident, file_request, db):
    from openpyxl import load_workbook

    director = staff_client(Role.DIRECTOR, locale="en")
    item = file_request(resident, building="=1+2")
    response = director.get("/staff/queue.xlsx?status=all")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Reference", "Category", "Building")
    assert rows[1][0] == item.ref and rows[1][1] == item.category.name_en
    assert rows[1][2] == "=1+2" and sheet["C2"].data_type == "s"  # text, never a formula
    assert rows[1][3] == item.description and rows[1][11] == "No"
    assert rows[1][12] == "Submitted"


def test_staff_home_panel_counts(staff_client, resident, file_request, app, db):
    director = staff_client(Role.DIRECTOR)
    file_request(resident)
    late = file_request(resident, urgent=True, many_households=True,
                        now=utcnow() - timedelta(hours=3))
    with app.app_context():
        s.assign(db, late, director.user, director.user)
    db.commit()
    with app.app_context():
        counts = s.panel_counts(db, director.user, utcnow())
    assert (counts["new"], counts["mine"], counts["overdue"], counts["awaiting_rating"]) == \
        (2, 1, 1, 0)
    html = director.get("/staff/").get_data(as_text=True)
    assert "/staff/queue?overdue=1" in html


def test_settings_edit_category_and_add_template(staff_client, categories, db, csrf):
    director = staff_client(Role.DIRECTOR)
    token = csrf(director, "/staff/requests/settings")
    category = categories["other"]
    response = director.post(f"/staff/requests/settings/categories/{category.id}", data={
        f"c{category.id}-csrf_token": token, f"c{category.id}-name_zh": "其他问题",
        f"c{category.id}-name_en": "Something else", f"c{category.id}-role": "governance",
        f"c{category.id}-position": "5", f"c{category.id}-active": "y"})
    assert response.status_code == 303
    db.refresh(category)
    assert (category.name_zh, category.role, category.position) == ("其他问题", "governance", 5)
    response = director.post("/staff/requests/settings/categories", data={
        "new-csrf_token": token, "new-name_zh": "宠物", "new-name_en": "Pets",
        "new-role": "grid_worker", "new-position": "200", "new-active": "y"})
    assert response.status_code == 303
    assert db.scalar(select(RequestCategory).where(RequestCategory.name_en == "Pets"))
    bad = director.post("/staff/requests/settings/templates", data={
        "tpl-csrf_token": token, "tpl-title": "", "tpl-body": "正文"})
    assert bad.status_code == 422 and "正文" in bad.get_data(as_text=True)
    director.post("/staff/requests/settings/templates", data={
        "tpl-csrf_token": token, "tpl-title": "已办结", "tpl-body": "已处理完毕"})
    assert db.scalar(select(ReplyTemplate.body)) == "已处理完毕"


def test_recategorising_out_of_sight_sends_back_to_the_queue(staff_client, resident,
                                                            file_request, categories, csrf):
    grid = staff_client(Role.GRID_WORKER)
    item = file_request(resident, "noise")
    url = f"/staff/requests/{item.ref}"
    token = csrf(grid, url)
    data = {"csrf_token": token, "category": categories["dispute"].id, "priority": 3}
    response = grid.post(url + "/edit", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/staff/queue"
    assert grid.get(url).status_code == 404


def test_the_status_control_starts_where_the_request_is_and_endings_are_confirmed(
        app, db, staff_client, resident, file_request, csrf):
    director = staff_client(Role.DIRECTOR)
    item = file_request(resident)
    db.add(ReplyTemplate(title="已办结", body="您反映的问题已经处理好了。"))
    db.commit()
    url = f"/staff/requests/{item.ref}"
    page = director.get(url).get_data(as_text=True)
    status_select = page.split('id="status"')[1].split("</select>")[0]
    assert re.search(r'<option selected value="submitted">已提交（当前状态）</option>',
                     status_select), status_select
    picker = page.split('id="template"')[1].split("</select>")[0]
    assert re.search(r'<option value="">请选择模板</option>', picker) and "selected" not in picker
    token = csrf(director, url)

    unchanged = director.post(url + "/status", data={"csrf_token": token, "status": "submitted"})
    assert unchanged.status_code == 422 and "已经是“已提交”" in unchanged.get_data(as_text=True)
    assert director.post(url + "/status", data={"csrf_token": token, "status": "accepted"}
                         ).status_code == 303

    silent = director.post(url + "/status", data={"csrf_token": token, "status": "resolved"})
    assert silent.status_code == 422 and "请写上告诉居民的话" in silent.get_data(as_text=True)
    asked = director.post(url + "/status", data={"csrf_token": token, "status": "resolved",
                                                  "note": "灯泡已经换好了。"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and f"把 {item.ref} 标记为“已办结”吗？" in html
    assert 'name="confirmed" value="yes"' in html and "灯泡已经换好了。" in html
    db.expire_all()
    assert db.get(type(item), item.id).status == s.ACCEPTED  # nothing changed yet

    done = director.post(url + "/status", data={"csrf_token": token, "status": "resolved",
                                                 "note": "灯泡已经换好了。", "confirmed": "yes"})
    assert done.status_code == 303
    db.expire_all()
    changed = db.get(type(item), item.id)
    assert changed.status == s.RESOLVED
    last = db.scalars(select(RequestEvent).where(RequestEvent.request_id == item.id)
                      .order_by(RequestEvent.id.desc())).first()
    assert (last.kind, last.public, last.body) == ("status", True, "灯泡已经换好了。")
