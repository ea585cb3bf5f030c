"""Chasing (催办, the scheduler's escalation, 上报街道) and the requests staff record (代录, a
12345 order, a patrol report): through HTTP, the job and the figures."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.clock import to_local_input, utcnow
from portal.notifications.models import Notification
from portal.service_requests import service as s
from portal.service_requests.models import RequestEvent, ServiceRequest
from portal.service_requests.service import rates
from tests.service_requests.test_resident_views import jpeg

KEY = re.compile(r'name="idempotency_key"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _messages(db, user):
    db.expire_all()
    return [n for n in db.scalars(select(Notification).where(Notification.user_id == user.id))]


def _local(moment):
    return to_local_input(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_director_urges_and_the_assignee_is_told(app, db, staff_client, make_user,
                                                     resident, file_request, csrf):
    grid = make_user(Role.GRID_WORKER)
    item = file_request(resident)
    with app.app_context():
        s.assign(db, item, grid, grid)
    db.commit()
    url = f"/staff/requests/{item.ref}"
    deputy = staff_client(Role.DEPUTY_DIRECTOR)
    token = csrf(deputy, url)
    # A deadline already past is refused, and what was typed stays.
    late = deputy.post(url + "/urge", data={"urge-csrf_token": token, "urge-note": "今天务必上门",
                                            "urge-due_at": _local(utcnow() - timedelta(hours=1))})
    assert late.status_code == 422 and "今天务必上门" in late.get_data(as_text=True)
    due = utcnow() + timedelta(hours=5)
    done = deputy.post(url + "/urge", data={"urge-csrf_token": token, "urge-note": "今天务必上门",
                                            "urge-due_at": _local(due)})
    assert done.status_code == 303
    db.expire_all()
    item = db.get(ServiceRequest, item.id)
    assert item.urged_at is not None and abs(item.urge_due_at - due) < timedelta(minutes=1)
    event = db.scalar(select(RequestEvent).where(RequestEvent.kind == "urge"))
    assert (event.public, event.body, event.actor_id) == (False, "今天务必上门", deputy.user.id)
    told = [n for n in _messages(db, grid) if n.params.get("ref") == item.ref]
    assert told and told[0].link == url
    assert not [n for n in _messages(db, resident) if "urge" in (n.message or "")]
    queue = staff_client(Role.GRID_WORKER).get("/staff/queue").get_data(as_text=True)
    assert "已催办" in queue
    # A grid worker may not urge.
    worker = staff_client(Role.GRID_WORKER)
    assert worker.post(url + "/urge", data={"urge-csrf_token": csrf(worker, url),
                                            "urge-note": "x", "urge-due_at": _local(due)}
                       ).status_code == 403


def test_long_overdue_requests_go_to_the_deputies_once(app, db, make_user, resident,
                                                       file_request):
    deputy = make_user(Role.DEPUTY_DIRECTOR)
    now = utcnow()
    long_late = file_request(resident, now=now - timedelta(days=3))  # P3: due in 24 h
    just_late = file_request(resident, now=now - timedelta(hours=30))
    with app.app_context():
        app.config["REQUEST_ESCALATE_AFTER_HOURS"] = 24
        assert s.escalate_long_overdue(db, now=now) == 1
        db.commit()
        assert s.escalate_long_overdue(db, now=now + timedelta(minutes=15)) == 0
        db.commit()
    db.expire_all()
    assert db.get(ServiceRequest, long_late.id).escalated_at is not None
    assert db.get(ServiceRequest, just_late.id).escalated_at is None
    told = [n.params["ref"] for n in _messages(db, deputy)]
    assert told == [long_late.ref]
    kinds = list(db.scalars(select(RequestEvent.kind).where(
        RequestEvent.request_id == long_late.id, RequestEvent.kind == "escalate")))
    assert kinds == ["escalate"]


def test_the_street_office_pauses_the_clock(app, db, staff_client, resident, file_request,
                                            csrf, client):
    now = utcnow()
    item = file_request(resident, now=now - timedelta(days=6))  # P3: resolve in 7 days
    url = f"/staff/requests/{item.ref}"
    director = staff_client(Role.DIRECTOR)
    token = csrf(director, url)
    empty = director.post(url + "/street", data={"street-csrf_token": token,
                                                 "street-note": "已上报，请耐心等待"})
    assert empty.status_code == 422 and "已上报，请耐心等待" in empty.get_data(as_text=True)
    assert director.post(url + "/street", data={"street-csrf_token": token,
                                                "street-street_ref": "JD20261207-12",
                                                "street-note": "已上报，请耐心等待"}
                         ).status_code == 303
    db.expire_all()
    item = db.get(ServiceRequest, item.id)
    assert (item.status, item.street_ref) == (s.WITH_STREET, "JD20261207-12")
    # Days later, past its resolution deadline, it is not late against the community.
    later = now + timedelta(days=3)
    assert not s.is_overdue(item, later)
    counted = db.scalar(select(rates.resolution_counted(later)).where(
        ServiceRequest.id == item.id))
    assert not counted
    resident_page = resident_client_page(app, resident, item.ref)
    assert "已上报街道办理" in resident_page
    assert "JD20261207-12" not in resident_page  # the street office's reference is internal
    resolve_by = item.resolve_by
    answer = director.post(url + "/street-answer",
                           data={"answer-csrf_token": token, "answer-answer": "街道已协调修复",
                                 "answer-outcome": "resolved"})
    assert answer.status_code == 303
    db.expire_all()
    item = db.get(ServiceRequest, item.id)
    assert item.status == s.RESOLVED and item.resolve_by > resolve_by  # moved by the pause
    assert "街道已协调修复" in resident_client_page(app, resident, item.ref)


def resident_client_page(app, resident, ref):
    from tests.conftest import sign_in

    client = app.test_client()
    sign_in(client, resident)
    return client.get(f"/requests/{ref}").get_data(as_text=True)


def _record_form(client, path="/staff/requests/new"):
    html = client.get(path).get_data(as_text=True)
    return {"csrf_token": TOKEN.search(html).group(1), "idempotency_key": KEY.search(html).group(1)}


def test_recorded_for_a_registered_resident_is_in_their_list(app, db, staff_client, make_user,
                                                              categories):
    owner = make_user(Role.RESIDENT, phone="13912345678", name="王秀兰")
    other = make_user(Role.RESIDENT)
    worker = staff_client(Role.GRID_WORKER)
    form = _record_form(worker)
    fields = {**form, "channel": "phone", "phone": "139 1234 5678",
              "category": categories["repair"].id, "building": "5号楼",
              "description": "楼道灯坏了一个星期了"}
    found = worker.post("/staff/requests/new", data={**fields, "category": "", "find": "1"})
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and "王秀兰" in html and "error-summary" not in html
    assert "楼道灯坏了一个星期了" in html
    response = worker.post("/staff/requests/new", data=fields)
    assert response.status_code == 303
    item = db.scalar(select(ServiceRequest).where(ServiceRequest.channel == "phone"))
    assert item.owner_id == owner.id and item.contact_phone is None
    first = db.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id))
    assert first.actor_id == worker.user.id
    from tests.conftest import sign_in

    mine, theirs = app.test_client(), app.test_client()
    sign_in(mine, owner)
    sign_in(theirs, other)
    assert item.ref in mine.get("/requests/").get_data(as_text=True)
    assert item.ref not in theirs.get("/requests/").get_data(as_text=True)
    assert theirs.get(f"/requests/{item.ref}").status_code == 404
    assert [n.params["ref"] for n in _messages(db, owner)] == [item.ref]


def test_an_unregistered_contact_and_a_hotline_order(app, db, staff_client, categories):
    worker = staff_client(Role.GRID_WORKER)
    fields = {**_record_form(worker), "channel": "visit", "phone": "13800001111",
              "category": categories["repair"].id, "building": "5号楼",
              "description": "楼道灯坏了一个星期了"}
    missing = worker.post("/staff/requests/new", data=fields)
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "楼道灯坏了一个星期了" in html and "13800001111" in html
    assert worker.post("/staff/requests/new",
                       data={**fields, "contact_name": "李先生"}).status_code == 303
    item = db.scalar(select(ServiceRequest).where(ServiceRequest.channel == "visit"))
    assert (item.owner_id, item.contact_name, item.contact_phone) == (None, "李先生",
                                                                      "13800001111")
    page = worker.get(f"/staff/requests/{item.ref}").get_data(as_text=True)
    assert "李先生" in page and "13800001111" in page
    hotline = {**_record_form(worker), "channel": "hotline", "category": categories["repair"].id,
               "building": "2号楼", "description": "12345转来：小区门口积水严重"}
    assert worker.post("/staff/requests/new", data=hotline).status_code == 422
    assert worker.post("/staff/requests/new",
                       data={**hotline, "order_number": "GD2026120700123"}).status_code == 303
    order = db.scalar(select(ServiceRequest).where(ServiceRequest.channel == "hotline"))
    assert order.external_ref == "GD2026120700123"
    # The queue filters by channel.
    director = staff_client(Role.DIRECTOR)
    listed = director.get("/staff/queue?channel=hotline").get_data(as_text=True)
    assert order.ref in listed and item.ref not in listed
    odd = director.get("/staff/queue?channel=fax")
    assert odd.status_code == 200 and "fax" in odd.get_data(as_text=True)


def test_a_patrol_report_with_a_photo(app, db, staff_client, categories):
    worker = staff_client(Role.GRID_WORKER)
    form = _record_form(worker, "/staff/requests/patrol")
    response = worker.post("/staff/requests/patrol", content_type="multipart/form-data", data={
        **form, "category": categories["clutter"].id, "building": "8号楼",
        "location": "北侧消防通道", "description": "消防通道堆满了纸箱和旧家具",
        "photos": [(io.BytesIO(jpeg()), "found.jpg")]})
    assert response.status_code == 303
    item = db.scalar(select(ServiceRequest).where(ServiceRequest.channel == "patrol"))
    assert item.owner_id is None and len(s.photos(db, item.id)) == 1
    if categories["clutter"].role == Role.GRID_WORKER.value:
        assert item.assignee_id == worker.user.id


def test_the_figures_count_by_channel(app, db, staff_client, resident, file_request):
    file_request(resident)
    file_request(resident, channel="hotline", external_ref="GD1")
    html = staff_client(Role.DIRECTOR).get("/staff/figures").get_data(as_text=True)
    assert "按渠道" in html and "12345 热线" in html and "channel=hotline" in html


def test_two_servers_share_the_escalations_out(app, db, make_user, resident, file_request):
    """While one server holds a request's row, the other skips it (SKIP LOCKED) instead of
    waiting or telling the deputies twice; the first then escalates what is left."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    from sqlalchemy.orm import Session

    deputy = make_user(Role.DEPUTY_DIRECTOR)
    items = [file_request(resident, now=utcnow() - timedelta(days=5)) for _ in range(3)]
    engine = app.extensions["db_engine"]
    with app.app_context(), Session(engine) as first, Session(engine) as second:
        first.scalar(select(ServiceRequest).where(ServiceRequest.id == items[0].id)
                     .with_for_update())
        assert s.escalate_long_overdue(second) == 2
        second.commit()
        first.commit()
        assert s.escalate_long_overdue(first) == 1
        first.commit()
        assert s.escalate_long_overdue(second) == 0
    assert sorted(n.params["ref"] for n in _messages(db, deputy)) == sorted(
        item.ref for item in items)
