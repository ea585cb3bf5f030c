"""Likely duplicates on a request's staff page and the one-click merge; a merged request is
read-only on the page and in the service; a request its resident reopens goes back to work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.notifications.models import Notification
from portal.satisfaction import Level
from portal.service_requests import service as s
from portal.service_requests.models import RequestEvent


def test_likely_duplicates_are_alike_in_place_kind_words_and_time(app_context, db, make_user,
                                                                  file_request):
    director = make_user(Role.DIRECTOR)
    one, two = make_user(Role.RESIDENT), make_user(Role.RESIDENT)
    item = file_request(one, description="3号楼2单元的单元门门禁坏了，关不上。")
    alike = file_request(two, description="单元门门禁坏了，一直关不上")
    file_request(two, description="楼道的灯坏了，晚上很黑。")  # same place, other problem
    file_request(two, building="5号楼", description="单元门门禁坏了，关不上。")
    file_request(two, "noise", description="单元门门禁坏了，关不上。")
    old = file_request(two, description="单元门的门禁坏了，关不上。",
                       now=utcnow() - timedelta(days=40))
    s.transition(db, old, s.REJECTED, director, note="已处理")  # closed and not recent
    recent_closed = file_request(two, description="单元门门禁又坏了，关不上。",
                                 now=utcnow() - timedelta(days=10))
    s.transition(db, recent_closed, s.REJECTED, director, note="已处理")
    merged = file_request(two, description="单元门门禁坏了，关不上。")
    s.merge(db, merged, alike, director)
    db.commit()
    found = s.likely_duplicates(db, director, item, utcnow())
    assert {other.ref for other in found} == {alike.ref, recent_closed.ref}
    grid_of_other_team = make_user(Role.GOVERNANCE)
    assert s.likely_duplicates(db, grid_of_other_team, item, utcnow()) == []


def test_the_staff_page_lists_them_and_merges_in_one_click_and_a_confirmation(
        staff_client, make_user, file_request, db, csrf, count_queries):
    director = staff_client(Role.DIRECTOR)
    item = file_request(make_user(Role.RESIDENT), description="单元门门禁坏了，关不上。")
    other = file_request(make_user(Role.RESIDENT), description="单元门的门禁坏了，关不上")
    url = f"/staff/requests/{item.ref}"
    html = director.get(url).get_data(as_text=True)
    assert other.ref in html and 'name="target" value="' + other.ref + '"' in html
    token = csrf(director, url)
    asked = director.post(url + "/merge", data={"csrf_token": token, "target": other.ref})
    assert "confirm-box" in asked.get_data(as_text=True)
    done = director.post(url + "/merge", data={"csrf_token": token, "target": other.ref,
                                               "confirmed": "yes"})
    assert done.status_code == 303
    db.refresh(item)
    assert item.status == s.DUPLICATE and item.merged_into_id == other.id


def test_a_merged_request_is_read_only_on_the_page_and_in_the_service(
        staff_client, make_user, resident, file_request, db, csrf):
    director = staff_client(Role.DIRECTOR)
    item, target = file_request(resident), file_request(resident)
    with director.application.app_context():
        s.merge(db, item, target, director.user)
    db.commit()
    url = f"/staff/requests/{item.ref}"
    html = director.get(url).get_data(as_text=True)
    assert f'href="/staff/requests/{target.ref}"' in html
    for absent in ("/claim", "/reply", "/status", "/note", "/assign", "/edit", "/merge"):
        assert f'action="{url}{absent}"' not in html, absent
    token = csrf(director, url)
    events = db.scalar(select(func.count()).select_from(RequestEvent)
                       .where(RequestEvent.request_id == item.id))
    posts = {"claim": {}, "reply": {"reply-body": "您好"}, "note": {"note-body": "备注"},
             "status": {"status": "accepted", "confirmed": "yes", "note": "好"},
             "assign": {"assignee": "me"}, "edit": {"category": str(item.category_id),
                                                    "priority": "1"},
             "merge": {"target": target.ref, "confirmed": "yes"}}
    for action, data in posts.items():
        response = director.post(f"{url}/{action}", data={"csrf_token": token, **data})
        assert response.status_code == 422, action
        assert target.ref in response.get_data(as_text=True), action
    db.refresh(item)
    assert item.status == s.DUPLICATE and item.priority == 3 and item.assignee_id is None
    assert db.scalar(select(func.count()).select_from(RequestEvent)
                     .where(RequestEvent.request_id == item.id)) == events


def _resolved(db, app, resident, file_request, handler, resolved_at):
    item = file_request(resident, now=resolved_at - timedelta(days=7))
    with app.test_request_context():
        s.assign(db, item, handler, handler, now=resolved_at)
        s.transition(db, item, s.ACCEPTED, handler, now=resolved_at)
        s.transition(db, item, s.RESOLVED, handler, note="已修好", now=resolved_at)
    db.commit()
    return item


def test_an_unhappy_rating_sends_it_back_to_its_handler(app, db, resident, file_request,
                                                        staff_client):
    grid = staff_client(Role.GRID_WORKER)
    item = _resolved(db, app, resident, file_request, grid.user, utcnow() - timedelta(days=3))
    old_deadline = item.resolve_by
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        s.rate(db, item, resident, Level(2), "还是坏的")
    db.commit()
    assert item.status == s.IN_PROGRESS and item.flagged
    assert item.resolve_by > utcnow() > old_deadline  # a new deadline, from now
    told = db.scalar(select(Notification).where(Notification.user_id == grid.user.id,
                                                Notification.link.like(f"%{item.ref}")))
    assert told is not None
    html = grid.get("/staff/queue").get_data(as_text=True)
    back = html.split('id="h-back-with"')[1].split("</section>")[0]
    assert item.ref in back
    page = grid.get(f"/staff/requests/{item.ref}").get_data(as_text=True)
    assert "因评价不满意而重新办理" in page
    inbox = grid.get("/notifications").get_data(as_text=True)
    assert f"诉求 {item.ref}" in inbox and "居民对办理结果不满意" in inbox


def test_a_resident_dispute_reopens_with_their_words_for_them_and_staff_only(
        app, db, make_user, resident, resident_client, file_request, staff_client, csrf):
    director = staff_client(Role.DIRECTOR)
    grid = staff_client(Role.GRID_WORKER)
    item = _resolved(db, app, resident, file_request, grid.user, utcnow() - timedelta(hours=2))
    url = f"/requests/{item.ref}"
    token = csrf(resident_client, url)
    assert resident_client.post(url + "/dispute", data={
        "csrf_token": token, "dispute-reason": " "}).status_code == 422
    stranger = staff_client(Role.RESIDENT)
    assert stranger.post(url + "/dispute", data={
        "csrf_token": csrf(stranger, "/account"),
        "dispute-reason": "没修好"}).status_code == 404
    assert resident_client.post(url + "/dispute", data={
        "csrf_token": token, "dispute-reason": "水管还在漏水"}).status_code == 303
    db.refresh(item)
    assert item.status == s.IN_PROGRESS and item.flagged and item.resolve_by > utcnow()
    page = resident_client.get(url).get_data(as_text=True)
    assert "重新办理：居民反映问题还没解决" in page and "水管还在漏水" in page
    staff_page = director.get(f"/staff/requests/{item.ref}").get_data(as_text=True)
    assert "水管还在漏水" in staff_page
    with app.test_request_context():
        summary = s.public_summary(db, item)
    assert all(event.body != "水管还在漏水" for event in summary.events)
    inbox = grid.get("/notifications").get_data(as_text=True)
    assert "居民反映问题还没解决" in inbox
    # once reopened it is no longer resolved: no second dispute
    assert resident_client.post(url + "/dispute", data={
        "csrf_token": token, "dispute-reason": "还是漏"}).status_code == 303
    assert db.scalar(select(func.count()).select_from(RequestEvent).where(
        RequestEvent.request_id == item.id, RequestEvent.kind == "dispute")) == 1


def test_a_reopened_request_no_one_had_goes_back_to_whoever_resolved_it(app, db, resident,
                                                                         make_user,
                                                                         file_request):
    grid, gone = make_user(Role.GRID_WORKER), make_user(Role.GRID_WORKER, active=False)
    items = []
    for resolver in (grid, gone):
        item = file_request(resident, now=utcnow() - timedelta(days=3))
        with app.test_request_context():
            s.transition(db, item, s.ACCEPTED, resolver)
            s.transition(db, item, s.RESOLVED, resolver, note="已修好")
        items.append(item)
    db.commit()
    with app.test_request_context():
        for item in items:
            s.dispute(db, item, resident, "还没修好")
    db.commit()
    assert [item.assignee_id for item in items] == [grid.id, None]  # not to a closed account
    assert [found.ref for found in s.back_with(db, grid)] == [items[0].ref]
    assert db.scalar(select(func.count()).select_from(Notification)
                     .where(Notification.user_id == gone.id)) == 0
