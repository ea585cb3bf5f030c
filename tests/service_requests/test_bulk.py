"""Bulk actions from the queue: each request changed on its own (a savepoint each) by the
same lifecycle functions as on its page, a result line per request, and who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from portal.service_requests import service as s
from portal.service_requests.models import ReplyTemplate, RequestEvent

ACTIONS = {"accept": {}, "assign": {"assignee": "me"}, "priority": {"priority": "1"},
           "reply": {"template": "TEMPLATE"}, "merge": {"target": "TARGET"}}


@pytest.fixture
def in_chinese(app):
    """A request context in Chinese, where the result sentences are read."""
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        yield


@pytest.fixture
def template(db):
    found = ReplyTemplate(title="已收到", body="您好，我们已收到，会尽快处理。")
    db.add(found)
    db.commit()
    return found


def _events(db, item, kind):
    return db.scalar(select(func.count()).select_from(RequestEvent).where(
        RequestEvent.request_id == item.id, RequestEvent.kind == kind))


def test_one_refused_request_neither_stops_nor_is_half_changed(in_chinese, db, resident,
                                                               make_user, file_request):
    director = make_user(Role.DIRECTOR)
    first, merged, third, target = (file_request(resident) for _ in range(4))
    s.merge(db, merged, target, director)
    db.commit()
    audits = db.scalar(select(func.count()).select_from(AuditEntry))

    outcomes = s.bulk(db, director, [first.ref, merged.ref, third.ref], s.PRIORITY,
                      s.BulkChoice(priority=1))
    db.commit()
    assert [(o.ref, o.done) for o in outcomes] == [
        (first.ref, True), (merged.ref, False), (third.ref, True)]
    assert target.ref in str(outcomes[1].said)  # why: it was merged into that one
    assert first.priority == third.priority == 1 and merged.priority == 3
    assert _events(db, merged, "edit") == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audits + 2


def test_a_refused_request_leaves_no_trace_and_the_others_are_told(in_chinese, db, resident,
                                                                    make_user, file_request,
                                                                    template):
    """The refused one gets no event and no message; each done one gets its own, and a
    template reply reaches each request as its own public reply."""
    director = make_user(Role.DIRECTOR)
    items = [file_request(resident) for _ in range(3)]
    s.transition(db, items[1], s.ACCEPTED, director)
    db.commit()
    outcomes = s.bulk(db, director, [i.ref for i in items], s.ACCEPT)
    db.commit()
    assert [o.done for o in outcomes] == [True, False, True]
    assert "受理" in str(outcomes[0].said) and "不能改为" in str(outcomes[1].said)
    assert [i.status for i in items] == [s.ACCEPTED] * 3
    assert _events(db, items[1], "status") == 2  # sent, accepted once: nothing from the bulk
    told = db.scalar(select(func.count()).select_from(Notification)
                     .where(Notification.user_id == resident.id))
    assert told == 3  # one "accepted" each

    outcomes = s.bulk(db, director, [i.ref for i in items], s.REPLY,
                      s.BulkChoice(template=template))
    db.commit()
    assert all(o.done for o in outcomes)
    assert [_events(db, i, "reply") for i in items] == [1, 1, 1]


def test_references_out_of_sight_are_reported_and_untouched(app_context, db, resident,
                                                            make_user, file_request):
    grid = make_user(Role.GRID_WORKER)
    noise, dispute = file_request(resident, "noise"), file_request(resident, "dispute")
    outcomes = s.bulk(db, grid, [noise.ref, dispute.ref.lower(), "R00000000-0000", noise.ref],
                      s.ACCEPT)
    db.commit()
    assert [(o.ref, o.done) for o in outcomes] == [
        (noise.ref, True), (dispute.ref, False), ("R00000000-0000", False)]
    assert dispute.status == s.SUBMITTED


def test_bulk_close_as_duplicates_of_a_chosen_request(app_context, db, make_user, file_request):
    director = make_user(Role.DIRECTOR)
    owners = [make_user(Role.RESIDENT) for _ in range(4)]
    target, *copies = (file_request(owner) for owner in owners)
    s.transition(db, copies[2], s.REJECTED, director, note="不属于社区职责")
    db.commit()
    outcomes = s.bulk(db, director, [target.ref, *(c.ref for c in copies)], s.MERGE,
                      s.BulkChoice(target=target))
    db.commit()
    assert [(o.ref, o.done) for o in outcomes] == [
        (copies[0].ref, True), (copies[1].ref, True), (copies[2].ref, False)]
    assert [c.merged_into_id for c in copies] == [target.id, target.id, None]
    assert target.status == s.SUBMITTED
    assert set(s.follower_ids(db, target.id)) == {owners[1].id, owners[2].id}


def test_bulk_assign_uses_the_same_rule_as_one_request(app_context, db, resident, make_user,
                                                       file_request):
    grid, other = make_user(Role.GRID_WORKER), make_user(Role.GRID_WORKER)
    items = [file_request(resident) for _ in range(2)]
    outcomes = s.bulk(db, grid, [i.ref for i in items], s.ASSIGN, s.BulkChoice(assignee=other))
    assert not any(o.done for o in outcomes)
    outcomes = s.bulk(db, grid, [i.ref for i in items], s.ASSIGN, s.BulkChoice(assignee=grid))
    db.commit()
    assert all(o.done for o in outcomes) and {i.assignee_id for i in items} == {grid.id}


# --- through HTTP ------------------------------------------------------------------------

def _form(token, refs, action, template=None, target=None, **more):
    data = {"csrf_token": token, "refs": refs, "action": action, **ACTIONS[action], **more}
    if "template" in data:
        data["template"] = str(template.id)
    if "target" in data:
        data["target"] = target.ref
    return data


def test_each_bulk_action_needs_the_triage_permission(staff_client, resident_client,
                                                      resident, file_request, template, csrf,
                                                      db):
    item, target = file_request(resident), file_request(resident)
    culture = staff_client(Role.CULTURE)
    token = csrf(culture, "/account")
    resident_token = csrf(resident_client, "/account")
    for action in ACTIONS:
        assert culture.post("/staff/queue/bulk", data=_form(
            token, [item.ref], action, template, target)).status_code == 403, action
        assert resident_client.post("/staff/queue/bulk", data=_form(
            resident_token, [item.ref], action, template, target)).status_code == 403, action
    db.refresh(item)
    assert item.status == s.SUBMITTED and item.assignee_id is None and item.priority == 3


def test_giving_work_to_someone_else_needs_the_assigning_permission(staff_client, make_user,
                                                                   resident, file_request,
                                                                   csrf, db):
    grid = staff_client(Role.GRID_WORKER)
    other = make_user(Role.GRID_WORKER)
    item = file_request(resident)
    token = csrf(grid, "/staff/queue")
    assert grid.post("/staff/queue/bulk", data={
        "csrf_token": token, "refs": [item.ref], "action": "assign",
        "assignee": str(other.id)}).status_code == 403
    db.refresh(item)
    assert item.assignee_id is None
    assert grid.post("/staff/queue/bulk", data={
        "csrf_token": token, "refs": [item.ref], "action": "assign",
        "assignee": "me"}).status_code == 200
    db.refresh(item)
    assert item.assignee_id == grid.user.id


def test_the_result_page_says_per_request_what_happened(staff_client, resident, file_request,
                                                        csrf, db):
    director = staff_client(Role.DIRECTOR)
    items = [file_request(resident) for _ in range(3)]
    with director.application.app_context():
        s.transition(db, items[1], s.ACCEPTED, director.user)
    db.commit()
    html = director.get("/staff/queue").get_data(as_text=True)
    assert 'data-select-all="refs"' in html and 'name="page_refs"' in html
    token = csrf(director, "/staff/queue")
    # "All on this page" without JavaScript: the box alone, no row ticked
    response = director.post("/staff/queue/bulk", data={
        "csrf_token": token, "all_on_page": "1", "page_refs": [i.ref for i in items],
        "action": "accept"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2 项已办，1 项未改动。" in html
    for item in items:
        assert item.ref in html
    assert "不能改为" in html  # why the accepted one was refused, in Chinese
    for item in items:
        db.refresh(item)
    assert {i.status for i in items} == {s.ACCEPTED}


def test_a_bulk_action_missing_its_choice_changes_nothing(staff_client, resident, file_request,
                                                          csrf, db):
    director = staff_client(Role.DIRECTOR)
    item = file_request(resident)
    token = csrf(director, "/staff/queue")
    for data in ({"action": "priority", "priority": "9"}, {"action": "reply", "template": "x"},
                 {"action": "merge", "target": "R00000000-0000"}, {"action": "explode"},
                 {"action": "assign", "assignee": "99999999"}):
        response = director.post("/staff/queue/bulk", data={
            "csrf_token": token, "refs": [item.ref], **data})
        assert response.status_code == 303, data
    assert director.post("/staff/queue/bulk", data={
        "csrf_token": token, "action": "accept"}).status_code == 303  # nothing ticked
    db.refresh(item)
    assert item.status == s.SUBMITTED and item.priority == 3
