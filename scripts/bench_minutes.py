"""Figures for the minutes and notices pages, and for an alert to every resident.

    python scripts/bench_minutes.py [--meetings 300] [--residents 5000] [--database URL]

Builds a throwaway SQLite database unless --database is given (it must be empty), loads
the demo data, then times the public list pages through the app (no network) and the
raising of a red alert, which writes one inbox and one outbox message per resident.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.cli import compile_catalogues, upgrade_database  # noqa: E402


def timed(call, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=300)
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "UPLOAD_DIR": folder,
                          "TESTING": True, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade_database()
            compile_catalogues()
        result = app.test_cli_runner().invoke(args=["portal", "demo", "--meetings",
                                                    str(args.meetings)])
        assert result.exit_code == 0, result.output
        client = app.test_client()
        print(f"database: {url.split(':')[0]}, {args.meetings} extra meetings, "
              f"{args.runs} runs each (median / max ms)")
        for path in ("/minutes/", "/minutes/?page=10", "/minutes/?q=例会&year=2021",
                     "/minutes/resolutions", "/minutes/1", "/notices/"):
            client.get(path)
            median, worst = timed(lambda path=path: client.get(path), args.runs)
            print(f"  GET {path:<28} {median:7.1f} / {worst:7.1f}")

        from portal.accounts.models import User
        from portal.extensions import db
        from portal.notices import service
        from portal.notifications.models import Notification

        with app.app_context():
            db.session.execute(insert(User), [
                {"phone": f"135{n:08d}", "name": f"居民{n}", "password_hash": "x",
                 "role": "resident"} for n in range(args.residents)])
            db.session.commit()
            residents = db.session.scalar(select(func.count()).select_from(User)
                                          .where(User.role == "resident"))
            start = time.perf_counter()
            service.raise_alert(db.session, form_key="bench", level="red", kind="flood",
                                text="演练", expires_at=datetime.now(UTC) + timedelta(hours=1),
                                author_id=None, link="/notices/")
            db.session.commit()
            elapsed = (time.perf_counter() - start) * 1000
            sent = db.session.scalar(select(func.count()).select_from(Notification))
        print(f"  raise a red alert to {residents} residents: {elapsed:.0f} ms "
              f"({sent} inbox messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
