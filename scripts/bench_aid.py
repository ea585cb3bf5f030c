"""Measure the aid area at scale: `portal demo --aid N` and the staff queue.

    python scripts/bench_aid.py [N]          (default 2000; SQLite in a temporary folder,
                                              or PORTAL_DATABASE_URL if set)

Prints figures; it asserts nothing. Speed targets are read from here, never from tests.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts import service as accounts  # noqa: E402


def main() -> int:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as folder:
        import os

        url = os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "UPLOAD_DIR": folder, "TESTING": True,
                          "SESSION_COOKIE_SECURE": False})
        runner = app.test_cli_runner()
        runner.invoke(args=["portal", "init"], catch_exceptions=False)
        started = time.perf_counter()
        result = runner.invoke(args=["portal", "demo", "--aid", str(scale)],
                               catch_exceptions=False)
        demo_seconds = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        with app.app_context():
            from portal.extensions import db

            officer = accounts.find_by_phone(db.session, "13900000002")
            cookie_id = officer.get_id()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = cookie_id
            session["_fresh"] = True
        engine = app.extensions["db_engine"]
        for path in ("/staff/aid", "/staff/aid?due=soon", "/staff/aid?stage=submitted&page=3",
                     "/staff/"):
            queries: list[int] = []

            def listener(*_args, queries=queries):
                queries.append(1)

            event.listen(engine, "before_cursor_execute", listener)
            client.get(path)
            event.remove(engine, "before_cursor_execute", listener)
            timings = []
            for _ in range(20):
                tick = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - tick) * 1000)
                assert response.status_code == 200, path
            print(f"GET {path:<38} median {statistics.median(timings):6.1f} ms  "
                  f"p95 {sorted(timings)[18]:6.1f} ms  {len(queries)} queries")
        print(f"portal demo --aid {scale}: {demo_seconds:.1f} s ({url.split(':')[0]})")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
