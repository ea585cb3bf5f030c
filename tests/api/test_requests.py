"""GET and POST requests: the filters and limits, privacy, and a created request in the
staff queue with its channel and the key's name."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import insert, select

from portal.accounts.roles import Role
from portal.api import service as api
from portal.api.models import ApiSubmission
from portal.audit.models import AuditEntry
from portal.clock import utcnow
from portal.service_requests import service
from portal.service_requests.models import RequestEvent, ServiceRequest
from tests.api.conftest import xml_of

NEW = {"service_code": "repair", "description": "二楼楼道灯不亮，晚上看不见。",
       "address_string": "5号楼 1单元 302", "first_name": "三", "last_name": "张",
       "phone": "13900001111", "email": "zhang@example.com",
       "media_url": "https://hotline.example/photos/1.jpg"}


def _danger_question(app, db, categories, required=True):
    with app.app_context():
        question = api.save_question(
            db, None, category=categories["repair"], prompt_zh="是否有人有危险？",
            prompt_en="Is anyone in danger?", datatype="singlevaluelist", required=required,
            options="是\n否", position=1, active=True)
    db.commit()
    return question


def test_created_request_is_in_the_staff_queue_with_channel_and_key_name(
        app, db, client, categories, issue_key, staff_client):
    question = _danger_question(app, db, categories)
    secret = issue_key("12345 热线平台")
    response = client.post("/open311/v2/requests.xml",
                           data={**NEW, "api_key": secret, f"attribute[{question.code}]": "是"})
    assert response.status_code == 201
    created = xml_of(response).find("request")
    ref, token = created.findtext("service_request_id"), created.findtext("token")
    item = db.scalar(select(ServiceRequest).where(ServiceRequest.ref == ref))
    assert (item.channel, item.external_ref, item.owner_id) == ("api", "12345 热线平台", None)
    assert (item.building, item.location, item.status) == ("5号楼", "1单元 302", "submitted")
    note = db.scalar(select(RequestEvent).where(RequestEvent.request_id == item.id,
                                                RequestEvent.kind == "note"))
    assert not note.public
    assert "张 三" in note.body and "13900001111" in note.body
    assert "是否有人有危险？: 是" in note.body
    director = staff_client(Role.DIRECTOR)
    assert ref in director.get("/staff/queue").get_data(as_text=True)
    page = director.get(f"/staff/requests/{ref}").get_data(as_text=True)
    assert "12345 热线平台" in page and "13900001111" in page
    assert client.get(f"/open311/v2/tokens/{token}.json").get_json() == [
        {"service_request_id": ref, "token": token}]
    audit = db.scalars(select(AuditEntry).where(AuditEntry.area == "api")
                       .order_by(AuditEntry.id)).all()  # PostgreSQL keeps no order unasked
    assert [entry.action for entry in audit] == ["key_issued", "request_created"]
    assert "13900001111" not in " ".join(entry.detail for entry in audit)


def test_post_refuses_what_is_missing_or_wrong(app, db, client, categories, issue_key):
    question = _danger_question(app, db, categories)
    secret = issue_key()
    answer = {f"attribute[{question.code}]": "是"}
    cases = [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "no-such-thing"}, 404, "no-such-thing"),
        ({"description": ""}, 400, "description"),
        ({"address_string": ""}, 400, "address_string"),
        ({"address_string": "x" * 30 + " 1单元"}, 400, "address_string"),
        # 20 characters as sent, 60 once normalised ("½" is "1⁄2"): measured as stored.
        ({"address_string": "½" * 20 + " 1单元"}, 400, "address_string"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"email": "not-an-address"}, 400, "email"),
        ({f"attribute[{question.code}]": ""}, 400, "Is anyone in danger?"),
        ({f"attribute[{question.code}]": "也许"}, 400, "Is anyone in danger?"),
    ]
    for change, status, words in cases:
        data = {**NEW, **answer, "api_key": secret, **change}
        response = client.post("/open311/v2/requests.json?locale=en", data=data)
        assert response.status_code == status, change
        assert words in response.get_json()[0]["description"], change
    assert db.scalar(select(ServiceRequest.id)) is None


def test_multivalue_attribute(app, db, client, categories, issue_key):
    with app.app_context():
        question = api.save_question(
            db, None, category=categories["repair"], prompt_zh="哪些设施？",
            prompt_en="What is broken?", datatype="multivaluelist", required=True,
            options="灯\n门\n电梯", position=1, active=True)
    db.commit()
    response = client.post("/open311/v2/requests.json", data={
        **NEW, "api_key": issue_key(), f"attribute[{question.code}][]": ["灯", "门"]})
    assert response.status_code == 201
    note = db.scalar(select(RequestEvent.body).where(RequestEvent.kind == "note"))
    assert "哪些设施？: 灯, 门" in note


def test_public_output_has_no_private_detail(app, db, client, resident, resident_request,
                                             staff_client, issue_key):
    director = staff_client(Role.DIRECTOR)
    item = db.get(ServiceRequest, resident_request.id)
    with app.app_context():
        service.reply(db, item, director.user, "明天上午师傅上门。", public=True)
        service.reply(db, item, director.user, "住户脾气不好，注意", public=False)
    db.commit()
    for path in ("requests", f"requests/{item.ref}"):
        for fmt in ("json", "xml"):
            body = client.get(f"/open311/v2/{path}.{fmt}").get_data(as_text=True)
            assert item.ref in body and "明天上午师傅上门。" in body  # status_notes
            for private in ("门禁坏了", "13812345678", "501", "2单元", resident.name,
                            resident.phone, "注意", "description", "media_url"):
                assert private not in body, (path, fmt, private)
    [public] = client.get(f"/open311/v2/requests/{item.ref}.json").get_json()
    assert public["status_notes"] == "明天上午师傅上门。"
    assert public["address"] == "3号楼"
    creator = issue_key("creator", read=False, create=True)
    body = client.get(f"/open311/v2/requests.json?api_key={creator}").get_data(as_text=True)
    assert "门禁坏了" not in body  # creating is not reading descriptions
    reader = issue_key("reader", read=True, create=False)
    [detailed] = client.get(f"/open311/v2/requests/{item.ref}.json",
                            headers={"X-Api-Key": reader}).get_json()
    assert "门禁坏了" in detailed["description"]
    assert "2单元" not in str(detailed) and resident.phone not in detailed["description"][:5]
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.area == "api")).all()
    assert "requests_read_details" in actions


def test_media_url_for_a_key_that_reads_details(client, db, categories, issue_key):
    both = issue_key(read=True, create=True)
    [created] = client.post("/open311/v2/requests.json",
                            data={**NEW, "api_key": both}).get_json()
    ref = created["service_request_id"]
    [public] = client.get(f"/open311/v2/requests/{ref}.json").get_json()
    assert "media_url" not in public and "description" not in public
    [detailed] = client.get(f"/open311/v2/requests/{ref}.json?api_key={both}").get_json()
    assert detailed["media_url"] == NEW["media_url"]
    assert detailed["description"] == NEW["description"]
    assert db.scalar(select(ApiSubmission.media_url)) == NEW["media_url"]


def test_filters(app, db, client, resident, categories):
    now = utcnow()

    def filed(key, days_ago, status="submitted"):
        with app.app_context():
            item = service.submit(db, resident, category=categories[key], description="问题描述",
                                  building="3号楼", location="", urgent=False,
                                  many_households=False,
                                  idempotency_key=secrets.token_urlsafe(16),
                                  now=now - timedelta(days=days_ago))
        item.status = status
        db.commit()
        return item.ref

    noise, repair = filed("noise", 1), filed("repair", 2)
    closed, old = filed("repair", 3, status="closed"), filed("noise", 100)

    def refs(query=""):
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["service_request_id"] for item in response.get_json()]

    assert refs() == [noise, repair, closed]  # newest first, the last 90 days
    assert refs("service_code=repair") == [repair, closed]
    assert refs("service_code=repair,noise&status=open") == [noise, repair]
    assert refs("status=closed") == [closed]
    assert refs(f"service_request_id={old},{noise}&status=closed") == [noise, old]
    start = (now - timedelta(days=120)).isoformat()
    end = (now - timedelta(days=50)).isoformat()
    assert refs(urlencode({"start_date": start, "end_date": end})) == [old]
    assert refs(urlencode({"start_date": start})) == [old]
    assert refs(f"start_date={start}") == [old]  # a + left unencoded still reads
    end = (now - timedelta(days=2, hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert refs(f"end_date={end}") == [closed]  # the 90 days before end_date
    for query in ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
                  "start_date=2026-06-01&end_date=2026-05-01", "start_date=yesterday",
                  "start_date=9999-12-31", "end_date=0001-01-01", "status=open,maybe",
                  "service_request_id=abc"):
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 400, query


def test_at_most_1000_results_in_constant_queries(app, db, client, resident, categories,
                                                  count_queries):
    now = utcnow()
    category = categories["noise"]
    rows = [{"ref": f"R20200101-{n:04d}", "idempotency_key": f"k{n}", "owner_id": resident.id,
             "category_id": category.id, "description": "x", "building": "3号楼",
             "location": "", "channel": "web", "urgent": False, "many_households": False,
             "priority": 3, "status": "submitted", "role": "grid_worker", "flagged": False,
             "created_at": now - timedelta(minutes=n), "respond_by": now,
             "resolve_by": now, "last_activity_at": now} for n in range(1, 1006)]
    db.execute(insert(ServiceRequest), rows)
    db.commit()
    with count_queries() as log:
        response = client.get("/open311/v2/requests.json")
    items = response.get_json()
    assert len(items) == 1000 and items[0]["service_request_id"] == "R20200101-0001"
    with count_queries() as small:
        client.get("/open311/v2/requests.json?service_request_id=R20200101-0001")
    assert log.count == small.count <= 4, log.statements
