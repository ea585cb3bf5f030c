"""The status state machine: every edge for every kind of actor, allowed or refused."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.clock import utcnow
from portal.errors import DomainError
from portal.notifications.models import Notification
from portal.satisfaction import Level
from portal.service_requests import service as s
from portal.service_requests.models import RequestEvent

EDGES = [(current, target, actor) for current, target, actor in
         product(s.STATUSES, s.STATUSES, (s.STAFF, s.OWNER, s.SYSTEM)) if target != s.DUPLICATE]


def _allowed(current, target, actor):
    return actor in s.TRANSITIONS[current].get(target, frozenset())


def test_the_table_is_the_issue_s_life_cycle():
    assert s.allowed_next(s.SUBMITTED, s.STAFF) == [s.ACCEPTED, s.REJECTED, s.DUPLICATE,
                                                    s.TRANSFERRED, s.WITH_STREET]
    assert s.allowed_next(s.WITH_STREET, s.STAFF) == [s.RESOLVED, s.IN_PROGRESS]
    assert s.allowed_next(s.SUBMITTED, s.OWNER) == [s.WITHDRAWN]
    assert s.allowed_next(s.ACCEPTED, s.OWNER) == []  # no withdrawing once accepted
    assert s.allowed_next(s.RESOLVED, s.SYSTEM) == [s.CLOSED]
    for final in (s.CLOSED, s.REJECTED, s.DUPLICATE, s.TRANSFERRED, s.WITHDRAWN):
        assert s.TRANSITIONS[final] == {}


def test_every_edge(app_context, db, make_user, file_request):
    """All 9 × 8 × 3 (status, target, actor) triples: allowed ones move and leave a public
    event; refused ones raise and change nothing."""
    owner = make_user(Role.RESIDENT)
    staff = make_user(Role.GRID_WORKER)
    item = file_request(owner)
    allowed = 0
    for current, target, actor in EDGES:
        item.status, item.resolved_at = current, utcnow()
        db.flush()
        who = owner if actor == s.OWNER else staff if actor == s.STAFF else None
        events = db.scalar(select(func.count()).select_from(RequestEvent))
        edge = f"{current} -> {target} by {actor}"
        if _allowed(current, target, actor):
            allowed += 1
            s.transition(db, item, target, who, actor_kind=actor, note="理由",
                         transferred_to="区住建委", street_ref="JD-2026-0001")
            db.flush()
            assert item.status == target, edge
            event = db.scalar(select(RequestEvent).order_by(RequestEvent.id.desc()).limit(1))
            assert (event.from_status, event.to_status, event.public) == (current, target,
                                                                          True), edge
        else:
            with pytest.raises(DomainError):
                s.transition(db, item, target, who, actor_kind=actor, note="理由",
                             transferred_to="区住建委")
            db.flush()
            assert item.status == current, edge
            assert db.scalar(select(func.count()).select_from(RequestEvent)) == events, edge
    assert allowed == 19  # 14, and three ways to the street office and two back


def test_refusal_message_names_both_statuses(app, db, resident, file_request):
    item = file_request(resident)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}), \
            pytest.raises(DomainError) as refused:
        s.transition(db, item, s.CLOSED, None, actor_kind=s.STAFF)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        text = str(refused.value.message)
        assert "已提交" in text and "已关闭" in text


def test_reject_needs_a_reason_and_transfer_an_office(app_context, db, resident, make_user,
                                                      file_request):
    staff = make_user(Role.GRID_WORKER)
    item = file_request(resident)
    with pytest.raises(DomainError):
        s.transition(db, item, s.REJECTED, staff)
    with pytest.raises(DomainError):
        s.transition(db, item, s.TRANSFERRED, staff, note="电话 12345")
    s.transition(db, item, s.TRANSFERRED, staff, transferred_to="区城管执法局",
                 note="请拨打 12345")
    assert item.transferred_to == "区城管执法局" and item.closed_at is not None


def test_times_are_stamped(app_context, db, resident, make_user, file_request):
    staff = make_user(Role.GRID_WORKER)
    item = file_request(resident)
    start = utcnow()
    s.transition(db, item, s.ACCEPTED, staff, now=start + timedelta(minutes=30))
    s.transition(db, item, s.IN_PROGRESS, staff, now=start + timedelta(hours=1))
    s.transition(db, item, s.RESOLVED, staff, now=start + timedelta(hours=2))
    assert item.first_response_at == item.accepted_at == start + timedelta(minutes=30)
    assert item.resolved_at == start + timedelta(hours=2)


def test_owner_withdraws_only_before_acceptance(app_context, db, resident, make_user,
                                                file_request):
    other = make_user(Role.RESIDENT)
    item = file_request(resident)
    with pytest.raises(DomainError):
        s.withdraw(db, item, other)
    s.withdraw(db, item, resident)
    assert item.status == s.WITHDRAWN
    later = file_request(resident)
    s.transition(db, later, s.ACCEPTED, make_user(Role.GRID_WORKER))
    with pytest.raises(DomainError):
        s.withdraw(db, later, resident)


def _resolved(db, file_request, owner, staff, when):
    item = file_request(owner)
    s.transition(db, item, s.ACCEPTED, staff, now=when)
    s.transition(db, item, s.RESOLVED, staff, now=when)
    return item


def test_happy_rating_closes(app_context, db, resident, make_user, file_request):
    item = _resolved(db, file_request, resident, make_user(Role.GRID_WORKER), utcnow())
    s.rate(db, item, resident, Level.SATISFIED, "很快")
    assert (item.status, item.rating, item.flagged) == (s.CLOSED, 4, False)


def test_unhappy_rating_reopens_and_flags(app_context, db, resident, make_user, file_request):
    staff = make_user(Role.GRID_WORKER)
    item = _resolved(db, file_request, resident, staff, utcnow())
    s.rate(db, item, resident, Level.DISSATISFIED, "没修好")
    assert (item.status, item.flagged) == (s.IN_PROGRESS, True)
    db.flush()
    told = set(db.scalars(select(Notification.message)
                          .where(Notification.user_id == resident.id)))
    assert s.REOPENED_MESSAGE._args[0] not in told  # nobody is told of their own action
    s.transition(db, item, s.RESOLVED, staff)
    s.rate(db, item, resident, Level.VERY_SATISFIED, None)
    assert item.status == s.CLOSED


def test_rating_window_and_who_may_rate(app_context, db, resident, make_user, file_request):
    staff = make_user(Role.GRID_WORKER)
    item = _resolved(db, file_request, resident, staff, utcnow() - timedelta(days=8))
    with pytest.raises(DomainError):
        s.rate(db, item, resident, Level.SATISFIED, None)
    fresh = _resolved(db, file_request, resident, staff, utcnow())
    with pytest.raises(DomainError):
        s.rate(db, fresh, make_user(Role.RESIDENT), Level.SATISFIED, None)
    submitted = file_request(resident)
    with pytest.raises(DomainError):
        s.rate(db, submitted, resident, Level.SATISFIED, None)


def test_auto_close_after_seven_days_unrated(app_context, db, resident, make_user, file_request):
    staff = make_user(Role.GRID_WORKER)
    old = _resolved(db, file_request, resident, staff, utcnow() - timedelta(days=7, minutes=1))
    recent = _resolved(db, file_request, resident, staff, utcnow() - timedelta(days=6))
    db.commit()
    assert s.close_resolved_unrated(db) == 1
    assert (old.status, recent.status) == (s.CLOSED, s.RESOLVED)
    event = db.scalar(select(RequestEvent).where(RequestEvent.request_id == old.id)
                      .order_by(RequestEvent.id.desc()).limit(1))
    assert event.actor_id is None and event.to_status == s.CLOSED
    assert s.close_resolved_unrated(db) == 0
