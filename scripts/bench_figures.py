"""Time /staff/figures, its JSON and the audit log on a million requests, and count their
statements.

    PORTAL_DATABASE_URL=postgresql+psycopg://... python scripts/bench_figures.py --fill 1000000
    PORTAL_DATABASE_URL=... python scripts/bench_figures.py [--runs 20]

``--snapshot`` stores the last twelve finished months as the monthly job would have.
``--fill N`` builds the schema and N requests spread over ten years (with their resolution
and rating events and some audit lines) in a few set-based statements, on PostgreSQL only;
``--copy-from URL`` builds the schema and copies such a filled database into this one (how
the SQLite figures are measured on the same million).
Prints the median and worst time per page and its number of SQL statements; these figures
go in reports, not in tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit.pages import measure, signed_in  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.roles import Role  # noqa: E402
from portal.clock import local_day, utcnow  # noqa: E402
from portal.service_requests.models import ServiceRequest  # noqa: E402

FILL = """
WITH numbered AS (
  SELECT g, now() - (g::float / :n) * interval '3650 days' AS t,
         (SELECT array_agg(id ORDER BY id) FROM request_category) AS ids,
         (SELECT array_agg(role ORDER BY id) FROM request_category) AS roles
  FROM generate_series(1, :n) AS g)
INSERT INTO service_request (ref, idempotency_key, owner_id, category_id, description, building,
  location, channel, urgent, many_households, priority, status, role, flagged, created_at,
  respond_by, resolve_by, first_response_at, accepted_at, resolved_at, closed_at, rating,
  rated_at, last_activity_at)
SELECT 'B' || g, 'bench-' || g, :owner, ids[g % array_length(ids, 1) + 1], '楼道灯不亮',
  (g % 30 + 1) || '号楼', '', 'web', false, false, 3,
  CASE WHEN g % 10 < 6 THEN 'closed' WHEN g % 10 = 6 THEN 'resolved'
       WHEN g % 10 = 7 THEN 'in_progress' WHEN g % 10 = 8 THEN 'withdrawn'
       ELSE 'duplicate' END,
  roles[g % array_length(ids, 1) + 1], false, t, t + interval '24 hours',
  t + interval '168 hours',
  CASE WHEN g % 10 = 8 THEN NULL ELSE t + (g % 37) * interval '1 hour' END,
  CASE WHEN g % 10 IN (8, 9) THEN NULL ELSE t + (g % 37) * interval '1 hour' END,
  CASE WHEN g % 10 < 7 THEN t + (g % 230) * interval '1 hour' END,
  CASE WHEN g % 10 < 6 THEN t + (g % 230 + 24) * interval '1 hour' END,
  CASE WHEN g % 10 < 4 THEN g % 5 + 1 END,
  CASE WHEN g % 10 < 4 THEN t + (g % 230 + 24) * interval '1 hour' END,
  t + interval '10 days'
FROM numbered
"""
EVENTS = """
INSERT INTO request_event (request_id, kind, public, to_status, body, created_at)
SELECT id, 'status', true, 'resolved', NULL, resolved_at FROM service_request
WHERE resolved_at IS NOT NULL AND ref LIKE 'B%%'
UNION ALL
SELECT id, 'rating', true, NULL, rating::text, rated_at FROM service_request
WHERE rated_at IS NOT NULL AND ref LIKE 'B%%'
"""
AUDIT = """
INSERT INTO audit_entry (at, actor_id, area, action, target, detail)
SELECT now() - g * interval '1 minute', :actor, 'aid', 'view', 'A' || g, ''
FROM generate_series(1, :n) AS g
"""


def fill(app, count: int) -> None:
    from portal.cli import seed_reference_data, upgrade_database

    with app.app_context():
        upgrade_database()
        seed_reference_data()
        session = app.extensions["db_sessionmaker"]()
        from portal.accounts.passwords import hash_password

        password = hash_password("bench password")
        for number, role in enumerate((Role.DIRECTOR, Role.RESIDENT)):
            session.add(User(phone=f"1390000{number:04d}", name=role.value,
                             password_hash=password, role=role.value, building="1号楼"))
        session.commit()
        owner = session.scalar(select(User.id).where(User.role == Role.RESIDENT.value))
        director = session.scalar(select(User.id).where(User.role == Role.DIRECTOR.value))
        started = time.perf_counter()
        session.execute(text(FILL), {"n": count, "owner": owner})
        session.execute(text(EVENTS))
        session.execute(text(AUDIT), {"n": count // 10, "actor": director})
        session.commit()
        session.close()
        # VACUUM as autovacuum would soon after: without it the first readings of a fresh
        # fill set hint bits and find no page all-visible (no index-only scans), and the
        # figures pages measured up to ten times slower than after a vacuum.
        with app.extensions["db_engine"].connect().execution_options(
                isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        print(f"filled {count} requests in {time.perf_counter() - started:.0f} s")


COPIED = ("user", "service_request", "request_event", "audit_entry")


def copy_from(app, source_url: str) -> None:
    from portal.cli import seed_reference_data, upgrade_database
    from portal.db import Base, make_engine
    from portal.service_requests.models import RequestCategory

    source = make_engine(source_url)
    with app.app_context():
        upgrade_database()
        seed_reference_data()
        engine = app.extensions["db_engine"]
        started = time.perf_counter()
        with source.connect() as reading, engine.begin() as writing:
            keys = select(RequestCategory.key, RequestCategory.id).order_by(RequestCategory.id)
            if reading.execute(keys).all() != writing.execute(keys).all():
                raise SystemExit("the categories differ: copy into a new database")
            writing.exec_driver_sql("PRAGMA cache_size=-262144")
            for name in COPIED:
                table = Base.metadata.tables[name]
                # one sorted build of each index after the load: far quicker than growing
                # them row by row
                built = [index for index in table.indexes if not index.unique]
                for index in built:
                    index.drop(writing)
                result = reading.execute(select(table).order_by(table.c.id)
                                         .execution_options(yield_per=20000))
                for rows in result.partitions():
                    writing.execute(table.insert(), [dict(row._mapping) for row in rows])
                for index in built:
                    index.create(writing)
            writing.execute(text("ANALYZE"))
        print(f"copied {', '.join(COPIED)} in {time.perf_counter() - started:.0f} s")
    source.dispose()


def snapshot(app) -> None:
    from portal.figures import service
    from portal.figures.periods import previous_month

    with app.test_request_context():
        session = app.extensions["db_sessionmaker"]()
        first = local_day(utcnow()).replace(day=1)
        started = time.perf_counter()
        for _ in range(12):
            first = previous_month(first)
            service.snapshot(session, first.strftime("%Y-%m"), utcnow())
        session.commit()
        session.close()
        print(f"stored twelve months in {time.perf_counter() - started:.0f} s")


def slowest(app, client, path: str, count: int, plans: bool) -> None:
    """The ``count`` slowest statements of one request of ``path``, with their plans."""
    from sqlalchemy import event

    engine = app.extensions["db_engine"]
    found, started_at = [], {}

    def before(_conn, _cursor, _statement, _parameters, context, _many):
        started_at[id(context)] = time.perf_counter()

    def after(_conn, _cursor, statement, parameters, context, _many):
        found.append(((time.perf_counter() - started_at.pop(id(context))) * 1000,
                      statement, parameters))

    client.get(path)
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    client.get(path)
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    print(f"{path}: {len(found)} statements, {sum(f[0] for f in found):.0f} ms in SQL")
    prefix = ("EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite"
              else "EXPLAIN (ANALYZE, BUFFERS) ")
    for ms, statement, parameters in sorted(found, key=lambda f: -f[0])[:count]:
        print(f"  {ms:8.1f} ms  {' '.join(statement.split())[:160]}")
        if plans:
            with engine.connect() as connection:
                cursor = connection.connection.cursor()
                cursor.execute(prefix + statement, parameters)
                for row in cursor.fetchall():
                    print("            " + " ".join(str(value) for value in row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fill", type=int, default=0)
    parser.add_argument("--copy-from", default="",
                        help="the URL of a database filled with --fill, to copy into this one")
    parser.add_argument("--slowest", type=int, default=0,
                        help="instead of timing, print each figures page's N slowest "
                             "statements")
    parser.add_argument("--plans", action="store_true", help="with --slowest: their plans")
    parser.add_argument("--only", default="", help="with --slowest: paths containing this")
    parser.add_argument("--snapshot", action="store_true",
                        help="store the last twelve finished months, as the scheduler does")
    args = parser.parse_args()
    app = create_app({"DEVELOPMENT": True})
    engine = app.extensions["db_engine"]
    if args.fill:
        if engine.dialect.name != "postgresql":
            print("--fill needs PostgreSQL")
            return 1
        fill(app, args.fill)
    if args.copy_from:
        copy_from(app, args.copy_from)
    if args.snapshot:
        snapshot(app)
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        total = session.scalar(select(func.count()).select_from(ServiceRequest))
        director = session.scalar(select(User).where(User.role == Role.DIRECTOR.value).limit(1))
        category = session.scalar(select(func.min(ServiceRequest.category_id)))
        session.close()
        last_month = (local_day(utcnow()).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    if not total or director is None:
        print("No data: run with --fill 1000000 first.")
        return 1
    print(f"{total} requests in {engine.dialect.name}. {args.runs} runs per page.")
    pages = [
        ("/staff/figures", "figures: this month"),
        (f"/staff/figures?month={last_month}", "figures: last month"),
        (f"/staff/figures?month={last_month}&building=5号楼", "figures: last month, a building"),
        (f"/staff/figures?month={last_month}&category={category}",
         "figures: last month, a category"),
        (f"/staff/figures?month={last_month}&role=grid_worker", "figures: last month, a team"),
        (f"/staff/figures?month={last_month}&assignee={director.id}",
         "figures: last month, a person"),
        ("/staff/figures?from=2026-01-01&to=2026-11-30", "figures: eleven months"),
        (f"/staff/figures.json?month={last_month}", "figures JSON: last month"),
        (f"/staff/figures/report?month={last_month}", "monthly report (live)"),
        ("/staff/audit", "audit log: newest"),
        ("/staff/audit?area=aid&action=view", "audit log: aid views"),
    ]
    print(f"{'page':<36} {'median ms':>10} {'worst ms':>10} {'queries':>8}")
    client = signed_in(app, director)
    if args.slowest:
        for path, _label in pages[:8]:
            if args.only in path:
                slowest(app, client, path, args.slowest, args.plans)
        return 0
    for path, label in pages:
        timing = measure(client, engine, path, args.runs)
        print(f"{label:<36} {timing.columns()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
