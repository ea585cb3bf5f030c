"""A hand-built November 2026 whose every rate is worked out by hand in scenario.md terms:
the docstring of ``november`` is the working."""

from __future__ import annotations

import secrets
from datetime import datetime

import pytest

from portal.accounts.roles import Role
from portal.clock import SHANGHAI, FixedClock
from portal.satisfaction import Level
from portal.service_requests import service as s

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def november(app, db, make_user):
    """All routine (P3: answer within 24 h, resolve within 168 h). Received in November:

    A  11-02 09:00, accepted 12:00 (3 h), resolved 11-04 09:00 (48 h), rated 5 → closed
    B  11-03 09:00, accepted 11-05 09:00 (48 h, late), resolved 11-12 09:00 (216 h, late),
       rated 2 on 11-13 → reopened, a follow-up due 11-20 (five working days), not done
    C  11-06 09:00, dispute, never answered: both deadlines passed
    D  11-07 09:00, withdrawn 10:00 before any answer: not counted
    E  11-08 09:00, merged into C at 12:00: not counted
    F  11-09 09:00, accepted 10:00, resolved 11-10 09:00, rated 3 (fairly) → closed
    G  11-20 09:00, accepted 09:30, resolved 11-30 10:00 (241 h, late), not rated
    H  11-28 09:00, accepted 10:00, in progress; resolution due 12-05, not yet due
    J  11-15 09:00, dispute, public reply 10:00, then withdrawn 11:00: counted
    I  10-30 09:00 (October), resolved 11-02 09:00, rated 4 on 11-03: a November rating

    Population A B C F G H J = 7. Response: on time A F G H J = 5 of 7 (B late, C due).
    On-time resolution: A F = 2 of 6 (A F G resolved; B C J past due; H not due).
    Resolution: A F closed, G resolved = 3 of 7. Ratings in November 5, 2, 3, 4:
    satisfaction 2 of 4; resolved in November A B F G I = 5, rating rate 4 of 5.
    First answer minutes 30 60 60 60 180 2880: median 60, p90 2880.
    Resolution minutes 1440 2880 14460: median 2880, p90 14460.
    """
    clock = FixedClock(at(1, 8))
    app.extensions["clock"] = clock
    s.seed_categories(db)
    db.commit()
    cats = {category.key: category for category in s.categories(db)}
    owner = make_user(Role.RESIDENT, building="3号楼")
    neighbour = make_user(Role.RESIDENT, building="5号楼")
    staff = make_user(Role.GRID_WORKER, name="网格员小王")
    make_user(Role.DEPUTY_DIRECTOR, name="副主任老李")
    director = make_user(Role.DIRECTOR, name="主任")
    made = {}

    def submit(name, when, key="repair", who=owner):
        with app.app_context():
            made[name] = s.submit(db, who, category=cats[key], description=f"诉求{name}",
                                  building=who.building, location="", urgent=False,
                                  many_households=False,
                                  idempotency_key=secrets.token_urlsafe(8), now=when)
        db.commit()

    def move(name, status, when, actor=staff, kind=s.STAFF):
        with app.app_context():
            s.transition(db, made[name], status, actor, actor_kind=kind, now=when)
        db.commit()

    def rate(name, level, when):
        clock.moment = when
        with app.app_context():
            s.rate(db, made[name], made[name].owner, Level(level), None, now=when)
        db.commit()

    submit("I", at(30, 9, month=10))
    move("I", s.ACCEPTED, at(30, 10, month=10))
    move("I", s.RESOLVED, at(2, 9))
    submit("A", at(2, 9))
    move("A", s.ACCEPTED, at(2, 12))
    rate("I", 4, at(3, 9))
    submit("B", at(3, 9), who=neighbour)
    move("A", s.RESOLVED, at(4, 9))
    rate("A", 5, at(5, 9))
    move("B", s.ACCEPTED, at(5, 9))
    submit("C", at(6, 9), key="dispute")
    submit("D", at(7, 9))
    with app.app_context():
        s.withdraw(db, made["D"], owner, now=at(7, 10))
    db.commit()
    submit("E", at(8, 9))
    with app.app_context():
        s.merge(db, made["E"], made["C"], staff, now=at(8, 12))
    db.commit()
    submit("F", at(9, 9))
    move("F", s.ACCEPTED, at(9, 10))
    move("F", s.RESOLVED, at(10, 9))
    rate("F", 3, at(11, 9))
    move("B", s.RESOLVED, at(12, 9))
    rate("B", 2, at(13, 9))
    submit("J", at(15, 9), key="dispute")
    with app.app_context():
        s.reply(db, made["J"], staff, "我们明天上门看看。", public=True, now=at(15, 10))
        s.withdraw(db, made["J"], owner, now=at(15, 11))
    db.commit()
    submit("G", at(20, 9))
    move("G", s.ACCEPTED, at(20, 9, 30))
    move("G", s.RESOLVED, at(30, 10))
    submit("H", at(28, 9))
    move("H", s.ACCEPTED, at(28, 10))
    clock.moment = NOW
    return {"requests": made, "categories": cats, "staff": staff, "director": director,
            "clock": clock}
