"""Where each big page spends its time in SQL, measured in-process on a big data set.

    flask --app wsgi portal demo --requests 1000000 --aid 100000 --meetings 10000 \
        --survey-responses 200000        # once, to fill the database
    python scripts/sql_timing.py [--runs 20] [--plans]

Uses PORTAL_DATABASE_URL like the app. For every page it prints the median time of a request
through the app's test client, the median time spent in SQL (statement timing with SQLAlchemy
events), the number of statements, and the slowest statement; with --plans also that
statement's query plan. These figures go in reports, never in tests (scripts/bench.py measures
the served app from outside).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402

DIRECTOR = "13900000006"
RESIDENT = "13800000001"


def pages(session) -> list[tuple[str, str]]:
    from portal.aid.models import AidApplication
    from portal.surveys.models import Survey

    survey = session.scalar(select(Survey.id).order_by(Survey.id))
    application = session.scalar(select(AidApplication.id).order_by(AidApplication.id))
    listed = [
        ("director", "/staff/queue"),
        ("director", "/staff/queue?status=submitted&priority=1"),
        ("director", "/staff/queue?status=all&category=1"),
        ("director", "/staff/queue?team=governance&status=all"),
        ("director", "/staff/queue?assignee=unassigned"),
        ("director", "/staff/queue?building=3号楼&status=all"),
        ("director", "/staff/queue?overdue=1"),
        ("director", "/staff/queue?status=all&page=2000"),
        ("director", "/staff/queue?q=楼道"),
        ("director", "/staff/queue?q=噪音&status=all"),
        ("director", "/staff/"),
        ("director", "/staff/aid"),
        ("director", "/minutes/?q=楼道"),
        ("resident", "/requests/"),
        ("resident", "/activities/"),
        ("resident", "/notices/"),
        ("resident", "/minutes/"),
        ("anonymous", "/board/content"),
        ("anonymous", "/board/content#304"),
    ]
    if survey:
        listed.append(("director", f"/staff/surveys/{survey}/results"))
    if application:
        listed.append(("director", "/staff/aid?status=submitted"))
    return listed


def client_for(app, phone):
    client = app.test_client()
    if phone is None:
        return client
    with app.app_context():
        from portal.extensions import db

        user = db.session.scalar(select(User).where(User.phone == phone))
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def measure(app, client, path, runs):
    engine = app.extensions["db_engine"]
    revalidate = path.endswith("#304")
    path = path.removesuffix("#304")
    headers = {}
    if revalidate:
        headers["If-None-Match"] = client.get(path).headers["ETag"]
    client.get(path, headers=headers)  # warm up caches and the pool
    statements: list[tuple[float, str, object]] = []
    started_at: dict = {}

    def before(conn, _cursor, statement, parameters, context, _many):
        started_at[id(context)] = time.perf_counter()

    def after(conn, _cursor, statement, parameters, context, _many):
        statements.append(((time.perf_counter() - started_at.pop(id(context))) * 1000,
                           statement, parameters))

    totals, in_sql, counts, slowest = [], [], [], (0.0, "", None)
    status = None
    for _ in range(runs):
        statements.clear()
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        totals.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        status = response.status_code
        in_sql.append(sum(s[0] for s in statements))
        counts.append(len(statements))
        worst = max(statements, default=(0.0, "", None), key=lambda s: s[0])
        if worst[0] > slowest[0]:
            slowest = worst
    return (status, statistics.median(totals), statistics.median(in_sql), max(counts),
            slowest)


def explain(app, statement, parameters) -> str:
    engine = app.extensions["db_engine"]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
    return "\n".join("      " + " ".join(str(v) for v in row) for row in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("--only", default="", help="only paths containing this text")
    args = parser.parse_args()
    app = create_app({"DEVELOPMENT": True})
    with app.app_context():
        from portal.extensions import db

        listed = pages(db.session)
        sizes = {name: db.session.scalar(text(f"SELECT count(*) FROM {name}"))  # noqa: S608
                 for name in ("service_request", "request_event", "aid_application",
                              "survey_response", "meeting")}
    print(f"{app.extensions['db_engine'].dialect.name}: " +
          ", ".join(f"{name} {count:,}" for name, count in sizes.items()))
    clients = {"director": client_for(app, DIRECTOR), "resident": client_for(app, RESIDENT),
               "anonymous": client_for(app, None)}
    print(f"{'page':<48} {'status':>6} {'ms':>8} {'in SQL':>8} {'stmts':>6}  slowest")
    for who, path in listed:
        if args.only and args.only not in path:
            continue
        status, total, sql, count, slowest = measure(app, clients[who], path, args.runs)
        print(f"{path:<48} {status:>6} {total:>8.1f} {sql:>8.1f} {count:>6}  "
              f"{slowest[0]:.1f} ms: {' '.join(slowest[1].split())[:90]}")
        if args.plans and slowest[1]:
            print(explain(app, slowest[1], slowest[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
