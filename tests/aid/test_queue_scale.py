"""The aid queue at scale: a bounded count, pages read in the order's index, the same
statements at 20 and 2,000 applications (counted, never timed: scripts/sql_timing.py)."""

from __future__ import annotations

import random
import re

from sqlalchemy import select, text

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.aid import demo, service
from portal.aid.models import AidApplication
from portal.aid.service.queue import QUEUE_COUNT_LIMIT, QueueFilters
from portal.clock import local_day, utcnow


def _fill(app, db, make_user, count):
    make_user(Role.RESIDENT, phone="13800000001", name="张阿姨")
    owner = db.scalar(select(User).where(User.phone == "13800000001"))
    with app.app_context():
        demo._bulk(db, count, [owner], random.Random(1), local_day(utcnow()))
    db.commit()


def test_a_long_queue_says_more_than_and_keeps_its_order(app, db, types, make_user,
                                                         staff_client):
    _fill(app, db, make_user, QUEUE_COUNT_LIMIT + 200)
    client = staff_client(Role.CIVIL_AFFAIRS, locale="en")
    html = client.get("/staff/aid", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"More than {QUEUE_COUNT_LIMIT} applications" in html
    assert "Page 1 of 20" in html
    last = client.get("/staff/aid?page=20", headers={"Accept-Language": "en"})
    assert "Page 20 of 20" in last.get_data(as_text=True)
    rows = db.execute(service.queue_statement(db, QueueFilters(), local_day(utcnow()))
                      .with_only_columns(AidApplication.stage_due_on, AidApplication.id)
                      .order_by(None).order_by(*demo_order())).all()
    shown = re.findall(r'/staff/aid/(A[^"]+)"', html)
    refs = dict(db.execute(select(AidApplication.id, AidApplication.ref)).all())
    assert shown == [refs[row.id] for row in rows[:50]]


def demo_order():
    """The order staff expect: with a stage deadline first, the soonest first, then by id."""
    return (AidApplication.stage_due_on.is_(None), AidApplication.stage_due_on,
            AidApplication.id)


def test_the_queue_reads_its_order_index_and_sorts_nothing(app, db, types, make_user):
    _fill(app, db, make_user, 30)
    today = local_day(utcnow())
    for filters, index in ((QueueFilters(), "ix_aid_application_due_order"),
                           (QueueFilters(stage="accepted"),
                            "ix_aid_application_stage_due_order")):
        statement = service.queue_statement(db, filters, today).limit(50)
        sql = str(statement.compile(db.get_bind(), compile_kwargs={"literal_binds": True}))
        if db.get_bind().dialect.name == "sqlite":
            sql = sql.replace("FROM aid_application ", f"FROM aid_application INDEXED BY {index} ",
                              1)
            plan = " ".join(str(row[-1]) for row in db.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "TEMP B-TREE" not in plan, (filters, plan)
        else:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                db.execute(text(f"SET LOCAL {setting} = off"))
            plan = " ".join(row[0] for row in db.execute(text(f"EXPLAIN {sql}")))
            assert index in plan and "Sort" not in plan, (filters, plan)
        db.rollback()


def test_working_days_read_the_staff_holiday_table_only_for_an_unknown_year(app, db,
                                                                           count_queries):
    from datetime import date

    from portal.aid.models import AidHoliday
    from portal.aid.service.rules import add_working_days

    db.add(AidHoliday(day=date(2099, 1, 2), is_workday=False))  # a year no calendar has
    db.commit()
    with count_queries() as log:  # the National Day week, from the official calendar
        assert add_working_days(db, date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert log.count == 0
    assert add_working_days(db, date(2099, 1, 1), 1) == date(2099, 1, 5)  # the table's Friday
