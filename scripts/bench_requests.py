"""Time the request queue and a resident's list on a big data set, and count their queries.

    flask --app wsgi portal demo --requests 100000      # once, to fill the database
    python scripts/bench_requests.py [--runs 20]

Uses PORTAL_DATABASE_URL like the app. Prints the median and worst time per page and the
number of SQL statements each page ran; these figures go in reports, not in tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit.pages import measure, signed_in  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.roles import Role  # noqa: E402
from portal.service_requests.models import ServiceRequest  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = create_app({"DEVELOPMENT": True})
    engine = app.extensions["db_engine"]
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        total = session.scalar(select(func.count()).select_from(ServiceRequest))
        director = session.scalar(select(User).where(User.role == Role.DIRECTOR.value).limit(1))
        grid = session.scalar(select(User).where(User.role == Role.GRID_WORKER.value).limit(1))
        busiest = session.execute(
            select(ServiceRequest.owner_id, func.count().label("n"))
            .group_by(ServiceRequest.owner_id).order_by(func.count().desc()).limit(1)).one()
        resident = session.get(User, busiest.owner_id)
        session.close()
    if not total or director is None or grid is None:
        print("No data: run `flask --app wsgi portal demo --requests 100000` first.")
        return 1
    print(f"{total} requests in {app.config['DATABASE_URL'].split(':')[0]}; "
          f"resident with the most requests has {busiest.n}. {args.runs} runs per page.")
    pages = [
        (director, "/staff/queue", "director: queue (open, default sort)"),
        (director, "/staff/queue?status=all&page=200", "director: all statuses, page 200"),
        (director, "/staff/queue?overdue=1", "director: overdue only"),
        (director, "/staff/queue?category=3&building=5号楼", "director: category + building"),
        (director, "/staff/queue?q=电梯", "director: text search"),
        (grid, "/staff/queue", "grid worker: own team's queue"),
        (grid, "/staff/queue?assignee=mine", "grid worker: mine"),
        (resident, "/requests/", "resident: my requests"),
        (resident, "/requests/?page=3", "resident: my requests, page 3"),
    ]
    print(f"{'page':<40} {'median ms':>10} {'worst ms':>10} {'queries':>8}")
    for user, path, label in pages:
        timing = measure(signed_in(app, user), engine, path, args.runs)
        print(f"{label:<40} {timing.columns()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
