"""The back office: who reaches which check-in URL (an access matrix), the live list's order and
totals, recording for someone phoned or visited, opening from a warning, the audit log, and a
page that costs the same statements however many people the check-in has."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from tests.conftest import csrf_token, sign_in


@pytest.fixture
def world(staff_client, add_person, make_user, open_checkin, app):
    mine, other = staff_client(Role.GRID_WORKER), staff_client(Role.GRID_WORKER)
    # The care register gives each grid its building: 3号楼 is mine, 5号楼 the other's.
    cared = add_person(mine.user, name="独居张奶奶")
    add_person(other.user, name="五号楼关爱对象", building="5号楼")
    neighbour = make_user(Role.RESIDENT, name="三号楼邻居", building="3号楼")
    far = make_user(Role.RESIDENT, name="五号楼居民", building="5号楼")
    resident = app.test_client()
    sign_in(resident, neighbour)
    director = staff_client(Role.DIRECTOR)
    checkin = open_checkin(director.user)
    return {"mine": mine, "other": other, "civil": staff_client(Role.CIVIL_AFFAIRS),
            "director": director, "culture": staff_client(Role.CULTURE),
            "resident": resident, "checkin": checkin, "cared": cared, "neighbour": neighbour,
            "far": far}


def entry_id(app, db, checkin, name):
    from portal.checkins.models import CheckinEntry

    with app.app_context():
        entries = db.scalars(select(CheckinEntry).where(CheckinEntry.checkin_id == checkin.id))
        return next(e.id for e in entries if e.name == name)


def test_access_matrix(world, client, db, app):
    checkin = world["checkin"]
    own = entry_id(app, db, checkin, "三号楼邻居")
    theirs = entry_id(app, db, checkin, "五号楼居民")
    follow = ("/staff/checkins", f"/staff/checkins/{checkin.id}",
              f"/staff/checkins/{checkin.id}/entries/{own}")
    for url in follow:
        for who in ("mine", "civil", "director"):
            assert world[who].get(url).status_code == 200, (who, url)
        assert world["culture"].get(url).status_code == 403, url
        assert world["resident"].get(url).status_code == 403, url
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    other_grid = f"/staff/checkins/{checkin.id}/entries/{theirs}"
    assert world["mine"].get(other_grid).status_code == 404
    assert world["other"].get(other_grid).status_code == 200
    assert world["civil"].get(other_grid).status_code == 200
    token = csrf_token(world["mine"], "/staff/checkins")
    assert world["mine"].post(other_grid, data={"csrf_token": token, "answer": "safe"}
                              ).status_code == 404
    for url in ("/staff/checkins", f"/staff/checkins/{checkin.id}/close",
                f"/staff/notices/alerts/{checkin.alert_id}/checkin"):
        assert world["mine"].post(url, data={"csrf_token": token}).status_code == 403, url
    answer = f"/checkin/{checkin.id}"
    assert world["resident"].get(answer).status_code == 200
    assert world["director"].get(answer).status_code == 403
    assert client.get(answer).status_code == 302
    assert world["resident"].get("/checkin/999").status_code == 404


def test_the_live_list_puts_help_first_then_people_in_care(world, db, make_user):
    checkin, director = world["checkin"], world["director"]
    for n in range(3):
        make_user(Role.RESIDENT, name=f"后来的{n}", building="3号楼")
    token = csrf_token(world["resident"], f"/checkin/{checkin.id}")
    world["resident"].post(f"/checkin/{checkin.id}", data={
        "csrf_token": token, "answer": "help", "kind": "move", "people": "3"})
    html = director.get(f"/staff/checkins/{checkin.id}").get_data(as_text=True)
    order = [name for name in ("三号楼邻居", "独居张奶奶", "五号楼关爱对象", "五号楼居民")
             if name in html]
    assert order == sorted(order, key=html.index)
    assert html.index("三号楼邻居") < html.index("独居张奶奶") < html.index("五号楼居民")
    assert html.index("五号楼关爱对象") < html.index("五号楼居民")
    assert "需要帮助 1 户" in html
    # A grid worker sees their own grid only, in the same order.
    mine = world["mine"].get(f"/staff/checkins/{checkin.id}").get_data(as_text=True)
    assert "三号楼邻居" in mine and "独居张奶奶" in mine
    assert "五号楼居民" not in mine and "五号楼关爱对象" not in mine
    # The safe leave the list (and are counted), unless asked for.
    assert "未回复 3 户" in mine or "未回复" in mine


def test_a_grid_worker_records_for_someone_they_phoned(world, db, app):
    checkin, mine = world["checkin"], world["mine"]
    cared = entry_id(app, db, checkin, "独居张奶奶")
    url = f"/staff/checkins/{checkin.id}/entries/{cared}"
    token = csrf_token(mine, url)
    refused = mine.post(url, data={"csrf_token": token, "answer": "help", "kind": "food",
                                   "people": "1", "note": "降压药没了"})
    assert refused.status_code == 422 and "降压药没了" in refused.get_data(as_text=True)
    done = mine.post(url, data={"csrf_token": token, "answer": "help", "kind": "supplies",
                                "people": "1", "note": "降压药没了"})
    assert done.status_code == 303
    from portal.checkins.models import CheckinEntry

    db.rollback()
    with app.app_context():
        entry = db.get(CheckinEntry, cared)
    assert (entry.status, entry.kind, entry.recorded_by_id, entry.note) == (
        "help", "supplies", mine.user.id, "降压药没了")
    html = world["director"].get(f"/staff/checkins/{checkin.id}").get_data(as_text=True)
    assert f"由{mine.user.name}代登记" in html
    db.rollback()
    actions = [(a.action, a.actor_id) for a in db.scalars(
        select(AuditEntry).where(AuditEntry.area == "checkins").order_by(AuditEntry.id))]
    assert ("checkin_recorded", mine.user.id) in actions
    assert ("view", world["director"].user.id) in actions
    assert ("checkin_opened", world["director"].user.id) in actions


def test_the_poll_gets_the_list_alone_and_is_not_a_new_look(world, db):
    checkin, director = world["checkin"], world["director"]
    url = f"/staff/checkins/{checkin.id}"
    page = director.get(url).get_data(as_text=True)
    assert 'hx-trigger="every 30s"' in page and "刷新" in page
    looks = len(db.scalars(select(AuditEntry).where(AuditEntry.action == "view")).all())
    fragment = director.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="live-list"' in fragment
    assert len(db.scalars(select(AuditEntry).where(AuditEntry.action == "view")).all()) == looks


def test_the_live_page_costs_the_same_statements_at_any_size(world, make_user, count_queries,
                                                             open_checkin, db, make_alert):
    from datetime import timedelta

    from portal.checkins import service
    from portal.clock import utcnow

    director = world["director"]
    checkin = db.merge(world["checkin"])
    service.close_checkin(checkin, utcnow(), session=db, actor=director.user)
    db.commit()

    def measure():
        fresh = open_checkin(director.user, alert=make_alert(
            expires_at=utcnow() + timedelta(hours=3)))
        director.get(f"/staff/checkins/{fresh.id}")
        with count_queries() as log:
            assert director.get(f"/staff/checkins/{fresh.id}").status_code == 200
        closing = db.merge(fresh)
        service.close_checkin(closing, utcnow(), session=db, actor=director.user)
        db.commit()
        return log.count

    few = measure()
    for n in range(80):
        make_user(Role.RESIDENT, name=f"居民{n}", building=f"{n % 6 + 1}号楼")
    many = measure()
    assert few == many, (few, many)


def test_opening_from_the_warning(world, staff_client, make_alert, db):
    director = world["director"]
    checkin = db.merge(world["checkin"])
    token = csrf_token(director, "/staff/notices/alerts")
    assert director.post(f"/staff/checkins/{checkin.id}/close",
                         data={"csrf_token": token}).status_code == 303
    yellow = make_alert(level="yellow")
    red = make_alert(level="red")
    page = director.get("/staff/notices/alerts").get_data(as_text=True)
    assert f"/staff/notices/alerts/{red.id}/checkin" in page
    assert f"/staff/notices/alerts/{yellow.id}/checkin" not in page
    refused = director.post(f"/staff/notices/alerts/{yellow.id}/checkin",
                            data={"csrf_token": token}, follow_redirects=True)
    assert "平安报只用于橙色和红色预警" in refused.get_data(as_text=True)
    opened = director.post(f"/staff/notices/alerts/{red.id}/checkin",
                           data={"csrf_token": token})
    assert opened.status_code == 303 and "/staff/checkins/" in opened.headers["Location"]
    again = director.post("/staff/checkins", data={"csrf_token": token, "alert_id": str(red.id)})
    assert again.status_code == 422


def test_the_warning_form_can_open_one_too(staff_client, make_user, db):
    from datetime import timedelta

    from portal.checkins.models import Checkin
    from portal.clock import to_local_input, utcnow

    make_user(Role.RESIDENT)
    director = staff_client(Role.DIRECTOR)
    token = csrf_token(director, "/staff/notices/alerts")
    fields = {"csrf_token": token, "form_key": "k1", "level": "yellow", "kind": "flood",
              "text": "暴雨预警", "open_checkin": "y",
              "expires_at": to_local_input(utcnow() + timedelta(hours=5))
              .strftime("%Y-%m-%dT%H:%M")}
    refused = director.post("/staff/notices/alerts", data=fields)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "暴雨预警" in html
    assert "平安报只用于橙色和红色预警" in html
    assert db.scalars(select(Checkin)).all() == []
    done = director.post("/staff/notices/alerts", data={**fields, "level": "orange"})
    assert done.status_code == 303
    assert len(db.scalars(select(Checkin)).all()) == 1
