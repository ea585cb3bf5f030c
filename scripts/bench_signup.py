"""How long 200 concurrent sign-ups for 50 seats take on a real multi-worker gunicorn.

    python scripts/bench_signup.py                       # a fresh SQLite file
    python scripts/bench_signup.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_db

The database is emptied and migrated first: never point it at real data.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.passwords import hash_password  # noqa: E402
from portal.cli import compile_catalogues, upgrade_database  # noqa: E402
from portal.db import make_engine  # noqa: E402
from tests.activities import wave  # noqa: E402

PEOPLE, SEATS = 200, 50
SECRET = "bench-secret-key-not-for-production"  # noqa: S105


def main() -> int:
    folder = tempfile.mkdtemp(prefix="bench-signup-")
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{folder}/bench.sqlite3"
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "UPLOAD_DIR": folder})
    with app.app_context():
        upgrade_database()
        compile_catalogues()
    session = app.extensions["db_sessionmaker"]()
    user_ids = wave.make_residents(session, PEOPLE, hash_password("bench password 1"))
    activity_id = wave.make_activity(session, capacity=SEATS)
    cookies = wave.session_cookies(app, session, user_ids)
    companions = {user_id: wave.COMPANION_PATTERN[n % len(wave.COMPANION_PATTERN)]
                  for n, user_id in enumerate(user_ids)}
    with wave.gunicorn(url, SECRET, folder) as port:
        result = wave.wave(port, activity_id, cookies, "signup", companions)
    rows = wave.signups(session, activity_id)
    seats = sum(row.seats for row in rows if row.status == "confirmed")
    statuses = sorted(set(result.statuses.values()))
    print(f"database: {make_engine(url).dialect.name}")
    print(f"{PEOPLE} concurrent sign-ups (32 client threads, gunicorn -w 4 --threads 4) "
          f"took {result.seconds:.2f} s ({PEOPLE / result.seconds:.0f} per second)")
    print(f"HTTP statuses: {statuses}; 503 retries: {result.retries}; confirmed seats: {seats}"
          f"; waitlisted: {sum(row.status == 'waitlisted' for row in rows)}")
    session.close()
    return 0 if statuses == [303] and seats == SEATS else 1


if __name__ == "__main__":
    sys.exit(main())
