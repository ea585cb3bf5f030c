"""Per page, in the benchmark's own process: SQL statements, the median time, and a profile."""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
from dataclasses import dataclass

from sqlalchemy import event

from benchkit.measures import USER_AGENT, Measure


@dataclass
class PageCost:
    status: int
    statements: int
    median_ms: float
    cpu_ms: float  # this process's CPU time per request: steadier than the clock on a busy machine


def _get(client, measure: Measure, cookie: str | None, etag: str | None):
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    if etag:
        headers["If-None-Match"] = etag
    return client.get(measure.path, headers=headers)


def cost(app, measure: Measure, cookie: str | None, etag: str | None, runs: int) -> PageCost:
    engine = app.extensions.get("db_engine")
    client = app.test_client(use_cookies=False)
    statements = []

    def count(*_args):
        statements.append(1)

    _get(client, measure, cookie, etag)  # warm the caches and the pool
    timings = []
    if engine is not None:
        event.listen(engine, "before_cursor_execute", count)
    cpu_started = time.process_time()
    try:
        for _ in range(runs):
            statements.clear()
            started = time.perf_counter()
            response = _get(client, measure, cookie, etag)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        if engine is not None:
            event.remove(engine, "before_cursor_execute", count)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / runs
    return PageCost(response.status_code, len(statements), statistics.median(timings), cpu_ms)


def profile(app, measure: Measure, cookie: str | None, etag: str | None, runs: int,
            out: str) -> None:
    """cProfile over ``runs`` requests: the stats file at ``out``, the top lines printed."""
    client = app.test_client(use_cookies=False)
    _get(client, measure, cookie, etag)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        _get(client, measure, cookie, etag)
    profiler.disable()
    profiler.dump_stats(out)
    stats = pstats.Stats(out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(25)
