"""The audit lines of chasing and intake: 催办, 上报街道 and its answer, the scheduler's
escalation (by the system), and a request recorded for someone (their phone masked)."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.accounts.roles import Role
from portal.clock import to_local_input, utcnow
from portal.service_requests import service
from tests.audit.conftest import line
from tests.conftest import csrf_token


def test_chasing_is_in_the_audit_log(app, db, staff_client, resident, file_request):
    item = file_request(resident)
    url = f"/staff/requests/{item.ref}"
    director = staff_client(Role.DIRECTOR)
    token = csrf_token(director, url)
    due = to_local_input(utcnow() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert director.post(url + "/urge", data={"urge-csrf_token": token, "urge-note": "请今天处理",
                                              "urge-due_at": due}).status_code == 303
    assert "请今天处理" in line(db, "requests", "urge", director.user, item.ref).detail
    assert director.post(url + "/street", data={"street-csrf_token": token,
                                                "street-street_ref": "JD-88"}).status_code == 303
    line(db, "requests", "to_with_street", director.user, item.ref)
    assert director.post(url + "/street-answer", data={
        "answer-csrf_token": token, "answer-answer": "街道已派人处理",
        "answer-outcome": "in_progress"}).status_code == 303
    assert line(db, "requests", "street_answer", director.user, item.ref).detail == "JD-88"


def test_the_scheduler_escalation_is_the_system_s(app, db, resident, file_request):
    item = file_request(resident, now=utcnow() - timedelta(days=5))
    with app.app_context():
        assert service.escalate_long_overdue(db) == 1
        db.commit()
    assert line(db, "requests", "escalate", target=item.ref).actor_id is None


def test_a_recorded_contact_s_phone_is_masked(app, db, staff_client, categories):
    worker = staff_client(Role.GRID_WORKER)
    html = worker.get("/staff/requests/new").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)
    response = worker.post("/staff/requests/new", data={
        "csrf_token": csrf_token(worker, "/staff/requests/new"), "idempotency_key": key,
        "channel": "phone", "phone": "13800002222", "contact_name": "赵阿姨",
        "category": categories["repair"].id, "building": "1号楼",
        "description": "家门口的下水道堵了两天了"})
    assert response.status_code == 303
    entry = line(db, "requests", "record", worker.user)
    assert "赵阿姨" in entry.detail and "13800002222" not in entry.detail
    assert "[phone]" in entry.detail
