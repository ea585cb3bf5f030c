"""References under concurrent submissions, the board figures, the CLI and the demo data."""

from __future__ import annotations

import re
import secrets
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.roles import Role
from portal.clock import SHANGHAI, FixedClock, local, utcnow
from portal.registry import registry
from portal.satisfaction import Level
from portal.service_requests import service as s
from portal.service_requests.models import RequestEvent, ServiceRequest


def test_reference_uses_the_shanghai_day(app_context, db, resident, file_request):
    # 17:30 UTC on the 28th is already the 29th in Shanghai.
    item = file_request(resident, now=datetime(2026, 11, 28, 17, 30, tzinfo=UTC))
    assert item.ref == "R20261129-0001"
    assert file_request(resident, now=datetime(2026, 11, 29, 1, 0, tzinfo=UTC)).ref == \
        "R20261129-0002"
    assert file_request(resident, now=datetime(2026, 11, 29, 16, 1, tzinfo=UTC)).ref == \
        "R20261130-0001"


def test_concurrent_submissions_get_distinct_consecutive_refs(app, resident, categories):
    maker = app.extensions["db_sessionmaker"]
    sla = s.Sla.from_config(app.config)
    errors, barrier = [], threading.Barrier(8)

    def submit_five():
        session = maker()
        try:
            owner = session.get(type(resident), resident.id)
            category = session.get(type(categories["noise"]), categories["noise"].id)
            barrier.wait()
            for _ in range(5):
                s.submit(session, owner, category=category, description="楼上噪音很大很大",
                         building="3号楼", location="", urgent=False, many_households=False,
                         idempotency_key=secrets.token_urlsafe(16), sla=sla)
                session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            session.close()

    threads = [threading.Thread(target=submit_five) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session = maker()
    refs = sorted(session.scalars(select(ServiceRequest.ref)))
    session.close()
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in refs]
    assert numbers == list(range(1, 41))


def test_same_idempotency_key_twice_is_refused_by_the_database(app_context, db, resident,
                                                               file_request):
    file_request(resident, idempotency_key="k" * 20)
    try:
        file_request(resident, idempotency_key="k" * 20)
    except IntegrityError:
        db.rollback()
    else:
        raise AssertionError("a second request with the same key was stored")
    assert db.scalar(select(func.count()).select_from(ServiceRequest)) == 1


def test_board_figures(app, db, resident, make_user, file_request):
    staff = make_user(Role.GRID_WORKER)
    now = utcnow()
    with app.app_context():
        section = next(x for x in registry(app).board_sections if x.key == "figures")
        items = [file_request(resident, now=now - timedelta(minutes=30)) for _ in range(3)]
        for item, minutes, level in zip(items, (10, 20, 60),
                                        (Level.VERY_SATISFIED, Level.FAIRLY_SATISFIED, None),
                                        strict=True):
            s.transition(db, item, s.ACCEPTED, staff,
                         now=item.created_at + timedelta(minutes=minutes))
            if level:
                s.transition(db, item, s.RESOLVED, staff)
                s.rate(db, item, resident, level, None)
        db.commit()
        before = db.execute(select(*section.fingerprint(now))).one()
    with app.test_request_context():
        figures = section.load(now, None)
        html = app.jinja_env.get_template(section.template).render(**figures)
    assert (figures["received"], figures["resolved"]) == (3, 2)
    assert figures["median_response_minutes"] == 20
    assert figures["satisfaction"] == 0.5 and figures["ratings"] == 2
    assert "50%" in html and resident.name not in html
    with app.app_context():
        file_request(resident)
        assert db.execute(select(*section.fingerprint(now))).one() != before


def test_close_resolved_command(app, db, resident, make_user, file_request):
    staff = make_user(Role.GRID_WORKER)
    with app.app_context():
        item = file_request(resident)
        s.transition(db, item, s.ACCEPTED, staff)
        s.transition(db, item, s.RESOLVED, staff, now=utcnow() - timedelta(days=9))
        db.commit()
    result = app.test_cli_runner().invoke(args=["portal", "close-resolved"])
    assert result.exit_code == 0 and "Closed 1" in result.output
    db.refresh(item)
    assert item.status == s.CLOSED


def test_demo_requests_come_in_while_people_are_up(app, db):
    """Run at 03:11 at night, the demo still files nothing between 22:00 and 07:00 here, and
    its requests spread over the day's waking hours."""
    app.extensions["clock"] = FixedClock(datetime(2026, 12, 3, 3, 11, tzinfo=SHANGHAI))
    result = app.test_cli_runner().invoke(args=["portal", "demo", "--requests", "300"])
    assert result.exit_code == 0, result.output
    hours = [local(at).hour for at in db.scalars(select(ServiceRequest.created_at))]
    assert len(hours) == 305 and all(7 <= hour < 22 for hour in hours), sorted(set(hours))
    assert len(set(hours)) == 15, sorted(set(hours))


def test_demo_is_idempotent_and_scales(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "demo", "--requests", "300"])
    assert result.exit_code == 0, result.output
    assert "5 demo requests" in result.output
    total = db.scalar(select(func.count()).select_from(ServiceRequest))
    assert total == 305
    assert db.scalar(select(func.count()).select_from(RequestEvent)) > total
    refs = list(db.scalars(select(ServiceRequest.ref)))
    assert len(set(refs)) == len(refs) and all(re.fullmatch(r"R\d{8}-\d{4}", r) for r in refs)
    again = runner.invoke(args=["portal", "demo", "--requests", "300"])
    assert again.exit_code == 0, again.output
    assert db.scalar(select(func.count()).select_from(ServiceRequest)) == total
    # New submissions continue each day's sequence after the generated ones.
    with app.app_context():
        owner = db.scalar(select(ServiceRequest).order_by(ServiceRequest.created_at.desc())
                          .limit(1)).owner
        category = s.categories(db)[0]
        item = s.submit(db, owner, category=category, description="新的一条诉求内容",
                        building="1号楼", location="", urgent=False, many_households=False,
                        idempotency_key="after-demo-0001")
        db.commit()
    assert item.ref not in refs
