"""Time the Open311 API on a big data set, and count its queries.

    flask --app wsgi portal demo --requests 100000      # once, to fill the database
    python scripts/bench_api.py [--runs 20]

Uses PORTAL_DATABASE_URL like the app. Prints the median and worst time per call and the
number of SQL statements each ran; these figures go in reports, not in tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit.pages import measure  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.roles import Role  # noqa: E402
from portal.api import service  # noqa: E402
from portal.service_requests.models import ServiceRequest  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = create_app({"DEVELOPMENT": True, "API_RATE_LIMIT_PER_KEY": "1000000 per minute",
                      "API_RATE_LIMIT_PER_ADDRESS": "1000000 per minute"})
    engine = app.extensions["db_engine"]
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        total = session.scalar(select(func.count()).select_from(ServiceRequest))
        director = session.scalar(select(User).where(User.role == Role.DIRECTOR.value).limit(1))
        newest = session.scalar(select(ServiceRequest.ref)
                                .order_by(ServiceRequest.created_at.desc()).limit(1))
        if not total or director is None:
            print("No data: run `flask --app wsgi portal demo --requests 100000` first.")
            return 1
        key, secret = service.issue_key(session, director, name="bench", may_read_details=True,
                                        may_create=False)
        session.commit()
    print(f"{total} requests in {app.config['DATABASE_URL'].split(':')[0]}. "
          f"{args.runs} runs per call.")
    calls = [
        ("/open311/v2/services.json", "services"),
        ("/open311/v2/requests.json", "requests, last 90 days (at most 1,000)"),
        ("/open311/v2/requests.xml", "the same in XML"),
        ("/open311/v2/requests.json?service_code=repair&status=open", "repair, open"),
        (f"/open311/v2/requests.json?api_key={secret}", "with a key that reads details"),
        (f"/open311/v2/requests/{newest}.json", "one request"),
    ]
    client = app.test_client()
    print(f"{'call':<42} {'median ms':>10} {'worst ms':>10} {'queries':>8} {'bytes':>9}")
    for path, label in calls:
        timing = measure(client, engine, path, args.runs)
        print(f"{label:<42} {timing.columns()} {timing.size:>9}")
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        service.revoke_key(session, None, session.get(type(key), key.id))
        session.commit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
