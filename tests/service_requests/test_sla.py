"""Priority from urgency and scope; SLA deadlines, their configuration, and overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.service_requests import service as s
from portal.service_requests.models import ServiceRequest


@pytest.mark.parametrize(("urgent", "many", "priority"),
                         [(True, True, 1), (True, False, 2), (False, True, 2), (False, False, 3)])
def test_priority(urgent, many, priority):
    assert s.priority_for(urgent, many) == priority


def test_default_deadlines(app_context):
    sla = s.Sla.from_config()
    start = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    assert sla.deadlines(start, 1) == (start + timedelta(hours=2), start + timedelta(hours=24))
    assert sla.deadlines(start, 2) == (start + timedelta(hours=8), start + timedelta(days=3))
    assert sla.deadlines(start, 3) == (start + timedelta(hours=24), start + timedelta(days=7))


def test_deadlines_are_configurable(make_app, monkeypatch):
    monkeypatch.setenv("PORTAL_REQUEST_SLA_P1_RESPONSE_HOURS", "1")
    app = make_app(REQUEST_SLA_P3_RESOLVE_HOURS=240)
    with app.app_context():
        sla = s.Sla.from_config()
    assert sla.hours[1] == (1.0, 24.0)
    assert sla.hours[3] == (24.0, 240.0)


def test_submit_sets_priority_and_deadlines(app_context, db, resident, file_request):
    item = file_request(resident, urgent=True, many_households=True)
    assert item.priority == 1
    assert item.respond_by - item.created_at == timedelta(hours=2)
    assert item.resolve_by - item.created_at == timedelta(hours=24)


def test_staff_can_reprioritise_with_new_deadlines(app_context, db, resident, make_user,
                                                   file_request, categories):
    staff = make_user(Role.DIRECTOR)
    item = file_request(resident)
    s.change_category_priority(db, item, staff, categories["dispute"], 1)
    assert (item.priority, item.role) == (1, Role.GOVERNANCE.value)
    assert item.resolve_by - item.created_at == timedelta(hours=24)


def test_overdue(app_context, db, resident, make_user, file_request):
    staff = make_user(Role.GRID_WORKER)
    now = utcnow()
    late_answer = file_request(resident, urgent=True, many_households=True,
                               now=now - timedelta(hours=3))
    answered = file_request(resident, urgent=True, many_households=True,
                            now=now - timedelta(hours=3))
    s.transition(db, answered, s.ACCEPTED, staff, now=now - timedelta(hours=2, minutes=30))
    late_fix = file_request(resident, now=now - timedelta(days=8))
    s.transition(db, late_fix, s.ACCEPTED, staff, now=now - timedelta(days=8))
    on_time = file_request(resident)
    db.commit()
    assert [s.is_overdue(i, now) for i in (late_answer, answered, late_fix, on_time)] == \
        [True, False, True, False]
    found = set(db.scalars(select(ServiceRequest.ref).where(s.overdue_clause(now))))
    assert found == {late_answer.ref, late_fix.ref}


def test_routing_by_category(app_context, db, resident, file_request):
    assert file_request(resident, "noise").role == Role.GRID_WORKER.value
    assert file_request(resident, "hazard").role == Role.GRID_WORKER.value
    assert file_request(resident, "property").role == Role.GOVERNANCE.value
    assert file_request(resident, "policy").role == Role.CIVIL_AFFAIRS.value
