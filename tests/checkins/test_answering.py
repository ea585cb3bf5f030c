"""A resident's one-tap page: plain form posts (no JavaScript), a changed mind counted once,
bad input answered with a 4xx and what was typed kept, a closed check-in said so."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.checkins.models import CheckinEntry
from portal.notifications.models import Notification, OutboxMessage
from tests.conftest import csrf_token


def test_every_resident_is_asked_and_gets_a_message(open_checkin, make_user, add_person,
                                                     entries, db):
    residents = [make_user() for _ in range(3)]
    add_person(None, name="无账号的老人")
    checkin = open_checkin()
    rows = entries(checkin)
    assert sorted(row.user_id for row in rows if row.user_id) == [r.id for r in residents]
    assert [row.name for row in rows if row.care_person_id] == ["无账号的老人"]
    assert all(row.status == "pending" for row in rows)
    told = list(db.scalars(select(Notification).where(
        Notification.link == f"/checkin/{checkin.id}")))
    assert sorted(n.user_id for n in told) == [r.id for r in residents]
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) >= 3


def test_safe_then_help_is_one_entry(open_checkin, resident, resident_client, entries):
    checkin = open_checkin()
    url = f"/checkin/{checkin.id}"
    page = resident_client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script" not in html.split("<main", 1)[-1]  # the page itself adds no script
    assert len(page.data) < 10_000  # one small page, before compression
    token = csrf_token(resident_client, url)
    answer = resident_client.post(url, data={"csrf_token": token, "answer": "safe"})
    assert answer.status_code == 303
    assert [(e.user_id, e.status) for e in entries(checkin)
            if e.status != "pending"] == [(resident.id, "safe")]
    # 我需要帮助 first asks for the details, and records nothing yet.
    asked = resident_client.post(url, data={"csrf_token": token, "answer": "help"})
    assert asked.status_code == 200
    assert 'name="kind"' in asked.get_data(as_text=True)
    assert [e.status for e in entries(checkin) if e.user_id == resident.id] == ["safe"]
    sent = resident_client.post(url, data={"csrf_token": token, "answer": "help",
                                           "kind": "medical", "people": "２", "note": "老伴腿摔了"})
    assert sent.status_code == 303
    mine = [e for e in entries(checkin) if e.user_id == resident.id]
    assert len(mine) == 1
    assert (mine[0].status, mine[0].kind, mine[0].people, mine[0].note, mine[0].rank) == (
        "help", "medical", 2, "老伴腿摔了", 0)
    assert "老伴腿摔了" in resident_client.get(url).get_data(as_text=True)


def test_bad_answers_are_refused_and_keep_what_was_typed(open_checkin, resident_client,
                                                         resident, entries):
    checkin = open_checkin()
    url = f"/checkin/{checkin.id}"
    token = csrf_token(resident_client, url)
    cases = [({"kind": "boat", "people": "2"}, 'name="kind"'),
             ({"details": "1", "people": "2"}, "请选择您需要哪种帮助"),
             ({"kind": "move", "people": "0"}, 'value="0"'),
             ({"kind": "move", "people": "10000"}, 'value="10000"'),
             ({"kind": "move", "people": "很多"}, 'value="很多"')]
    for fields, kept in cases:
        answer = resident_client.post(url, data={"csrf_token": token, "answer": "help",
                                                 "note": "三楼有积水", **fields})
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422, fields
        assert kept in html and "三楼有积水" in html, fields
    unknown = resident_client.post(url, data={"csrf_token": token, "answer": "maybe"})
    assert unknown.status_code == 422
    assert all(e.status == "pending" for e in entries(checkin))


def test_a_closed_check_in_says_so(open_checkin, resident_client, db, entries):
    checkin = open_checkin()
    url = f"/checkin/{checkin.id}"
    token = csrf_token(resident_client, url)
    from portal.clock import utcnow

    checkin = db.merge(checkin)
    checkin.closed_at = utcnow()
    db.commit()
    page = resident_client.get(url)
    assert page.status_code == 200 and "已结束" in page.get_data(as_text=True)
    answer = resident_client.post(url, data={"csrf_token": token, "answer": "help",
                                             "kind": "move", "people": "3"})
    assert answer.status_code == 409
    assert "已结束" in answer.get_data(as_text=True)
    assert all(e.status == "pending" for e in entries(checkin))


def test_the_banner_asks_until_answered(open_checkin, resident_client):
    assert "平安报" not in resident_client.get("/").get_data(as_text=True)
    checkin = open_checkin()
    home = resident_client.get("/").get_data(as_text=True)
    assert f"/checkin/{checkin.id}" in home and "您平安吗" in home
    token = csrf_token(resident_client, f"/checkin/{checkin.id}")
    resident_client.post(f"/checkin/{checkin.id}", data={"csrf_token": token,
                                                         "answer": "safe"})
    assert "您已向社区报平安" in resident_client.get("/").get_data(as_text=True)


def test_a_resident_who_registered_later_still_answers_once(open_checkin, make_user, app,
                                                            entries):
    from tests.conftest import sign_in

    checkin = open_checkin()
    late = make_user()
    client = app.test_client()
    sign_in(client, late)
    token = csrf_token(client, f"/checkin/{checkin.id}")
    for _ in range(2):
        assert client.post(f"/checkin/{checkin.id}", data={
            "csrf_token": token, "answer": "safe"}).status_code == 303
    assert [e.status for e in entries(checkin) if e.user_id == late.id] == ["safe"]


def test_unique_per_person(db, open_checkin, resident):
    checkin = open_checkin()
    assert db.scalar(select(func.count()).select_from(CheckinEntry).where(
        CheckinEntry.checkin_id == checkin.id, CheckinEntry.user_id == resident.id)) == 1
