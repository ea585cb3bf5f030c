"""Demo people in care, in the demo grid worker's grid (idempotent: by their natural key)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.care import service
from portal.care.models import CarePerson
from portal.clock import today

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
