"""Time the survey results page and the CSV and .xlsx exports on the demo survey with N responses.

    python scripts/bench_surveys.py [N]          # default 20000, a throwaway SQLite file
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://... python scripts/bench_surveys.py 20000

Prints the load time, the number of SQL statements per page and the median of five runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts import demo as accounts_demo  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.cli import upgrade_database  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.surveys import demo as surveys_demo  # noqa: E402


def main() -> int:
    import os

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade_database()
            accounts_demo.load(db.session, echo=lambda *_: None)
            db.session.commit()
            started = time.perf_counter()
            surveys_demo.load(db.session, echo=print, scale=count)
            db.session.commit()
            print(f"demo data loaded in {time.perf_counter() - started:.1f}s")
            survey = surveys_demo.demo_survey(db.session)
            director = db.session.scalar(select(User).where(User.phone == "13900000006"))
            cookie_id = director.get_id()
            survey_id = survey.id
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = cookie_id
            session["_fresh"] = True
        engine = app.extensions["db_engine"]
        for label, path in (("results page", f"/staff/surveys/{survey_id}/results"),
                            ("CSV export", f"/staff/surveys/{survey_id}/responses.csv"),
                            ("xlsx export", f"/staff/surveys/{survey_id}/responses.xlsx"),
                            ("resident list", "/surveys/")):
            timings, statements = [], []

            def record(_conn, _cursor, statement, *_args, statements=statements):
                statements.append((time.perf_counter(), statement))

            event.listen(engine, "before_cursor_execute", record)
            for _ in range(5):
                statements.clear()
                started = time.perf_counter()
                response = client.get(path)
                body = response.get_data()
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            event.remove(engine, "before_cursor_execute", record)
            if os.environ.get("PORTAL_BENCH_VERBOSE"):
                marks = [t for t, _ in statements] + [started + timings[-1]]
                for (at, statement), end in zip(statements, marks[1:], strict=True):
                    print(f"    {1000 * (end - at):8.1f} ms  {' '.join(statement.split())[:110]}")
            print(f"{label:14} median {statistics.median(timings) * 1000:7.1f} ms, "
                  f"{len(statements)} SQL statements, {len(body) / 1024:.0f} KiB")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
