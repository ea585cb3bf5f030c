"""Demo people in care, in the demo grid worker's grid (idempotent: by their natural key)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.care import referrals, service
from portal.care.models import CarePerson, CareReferral
from portal.clock import today, utcnow

PEOPLE = [
    {"name": "刘大爷", "phone": "13800000002", "building": "5号楼", "unit": "1单元",
     "room": "101", "categories": ["alone", "very_old"], "needs": ["home_visit", "meals"],
     "frequency": "weekly", "risk": "high", "health": "高血压，行动不便",
     "contacts": "刘明 儿子 13700009999", "overdue_days": 3},
    {"name": "陈奶奶", "building": "3号楼", "unit": "1单元", "room": "201",
     "categories": ["empty_nest"], "needs": ["home_visit"], "frequency": "fortnightly",
     "risk": "medium", "contacts": "陈红 女儿 13700008888", "overdue_days": 0},
    {"name": "孙小明", "building": "7号楼", "unit": "2单元", "room": "302",
     "categories": ["left_behind_child"], "needs": ["counselling"], "frequency": "monthly",
     "risk": "low", "contacts": "孙奶奶 祖母 13700007777", "overdue_days": -5},
]


def load(session, echo) -> None:
    worker = session.scalars(select(User).where(User.phone == "13900000001")).first()
    manager = session.scalars(select(User).where(User.phone == "13900000002")).first()
    if worker is None or manager is None:
        return
    day = today()
    added = 0
    for person in PEOPLE:
        values = {k: v for k, v in person.items() if k != "overdue_days"}
        key = service.natural_key(values["name"], values.get("phone"), values["building"],
                                  values.get("unit"), values.get("room"))
        if session.scalars(select(CarePerson.id).where(CarePerson.natural_key == key)).first():
            continue
        values.update(grid_worker_id=worker.id, legal_basis="consent",
                      consent_on=date(2026, 11, 1))
        created = service.add_person(session, manager, values, day)
        created.next_visit_on = day - timedelta(days=person["overdue_days"])
        added += 1
    if added:
        echo(f"Added {added} demo people to the care register.")
    _referrals(session, worker, echo)


# (person, role, note, what happened: None open, "accepted", or (status, outcome))
REFERRALS = [
    ("刘大爷", "civil_affairs", "冰箱是空的，老人说退休金不够买药，想申请临时救助。", None),
    ("孙小明", "governance", "楼上邻居常深夜吵闹，孩子睡不好，奶奶不敢去说。", "accepted"),
    ("陈奶奶", "culture", "女儿在外地，老人一个人在家很闷，想参加社区活动。",
     ("done", "已邀请参加周三的老年合唱团，陈奶奶答应去试试。")),
]


def _referrals(session, worker, echo) -> None:
    """A few referrals from the demo grid worker: one waiting, one taken, one come back."""
    made = 0
    for name, role, note, state in REFERRALS:
        person = session.scalars(select(CarePerson).where(CarePerson.name == name,
                                                          CarePerson.grid_worker_id ==
                                                          worker.id)).first()
        if person is None or session.scalars(select(CareReferral.id).where(
                CareReferral.person_id == person.id)).first():
            continue
        referral = referrals.refer(session, worker, to_role=role, note=note, today=today(),
                                   person=person)
        handler = session.scalars(select(User).where(User.role == role)).first()
        if state is not None and handler is not None:
            about = referrals.about(referral, person)
            referrals.accept(session, handler, referral, utcnow(), about)
            if isinstance(state, tuple):
                referrals.close(session, handler, referral, status=state[0],
                                outcome=state[1], now=utcnow(), about_text=about)
        made += 1
    if made:
        echo(f"Added {made} demo referrals.")
