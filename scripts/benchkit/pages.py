"""In-process page timing for the per-area benchmark scripts: a signed-in test client, and
the median and worst time, SQL statements and size of one page over several runs."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from sqlalchemy import event


@dataclass
class PageTiming:
    median_ms: float
    worst_ms: float
    statements: int
    size: int

    def columns(self) -> str:
        """Median and worst milliseconds and statements, aligned for a printed table."""
        return f"{self.median_ms:>10.1f} {self.worst_ms:>10.1f} {self.statements:>8}"


def signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def measure(client, engine, path: str, runs: int) -> PageTiming:
    statements = []

    def record(*_args):
        statements.append(1)

    client.get(path)  # warm up caches and the connection pool
    timings, size = [], 0
    for _ in range(runs):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.get_data())
    return PageTiming(statistics.median(timings), max(timings), len(statements), size)
