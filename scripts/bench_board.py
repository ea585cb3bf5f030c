"""How much a polling board costs: time and SQL statements per /board/content answer.

    .venv/bin/python scripts/bench_board.py [--polls 2000] [--items 50] [--database-url URL]

Uses the test sections of tests/board/sections.py (the real areas' sections are not part of
the board area); prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from portal import create_app  # noqa: E402
from portal.board.models import BoardProfile  # noqa: E402
from portal.cli import upgrade_database  # noqa: E402
from tests.board.sections import install  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polls", type=int, default=2000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        app = install(create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}))
        with app.app_context():
            upgrade_database()
        session = app.extensions["db_sessionmaker"]()
        session.add(BoardProfile(slug="lobby", name="Lobby", sections=[]))
        session.add_all(BoardProfile(slug=f"item-{n}", name=f"Notice {n}", sections=[])
                        for n in range(args.items))
        session.commit()
        statements = []
        event.listen(app.extensions["db_engine"], "before_cursor_execute",
                     lambda *_args: statements.append(1))
        client = app.test_client()
        headers = {"HX-Request": "true"}
        path = "/board/content?profile=lobby"
        for label, etag in [("200 (full content)", None), ("304 (unchanged)", "current")]:
            if etag:
                etag = client.get(path, headers=headers).headers["ETag"]
                headers["If-None-Match"] = etag
            count = args.polls if etag else max(1, args.polls // 10)
            statements.clear()
            started = time.perf_counter()
            for _ in range(count):
                response = client.get(path, headers=headers)
            elapsed = time.perf_counter() - started
            print(f"{label}: {count} answers, {elapsed / count * 1000:.2f} ms each, "
                  f"{len(statements) / count:.1f} SQL statements each, "
                  f"{len(response.data)} bytes, {count / elapsed:.0f} per second in one process")
        session.query(BoardProfile).filter(BoardProfile.slug.like("item-%")).delete()
        session.commit()
        app.extensions["db_engine"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
