"""Measure Linli's speed from outside, as ratios to a bare Flask app in the same run.

    python scripts/bench.py                                # SQLite, 100,000 requests
    python scripts/bench.py --requests 1000000 --database postgres
    python scripts/bench.py --only queue,floor --seconds 8
    python scripts/bench.py --only queue-search --profile  # cProfile in-process, no wrk

Builds the data set with `portal demo --requests N` unless the database already holds that
many, starts the app under the shipped gunicorn settings next to a bare Flask hello-world,
and runs wrk (2 threads, 16 connections) against each page of issue 14's tables. For every
page it prints requests per second, the share of hello-world, p99, and the SQL statements
the page ran (counted in this process). These figures go in reports, never in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from benchkit import dataset, inprocess, servers, wrk  # noqa: E402
from benchkit.measures import TARGETS, USER_AGENT, Measure, selected  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/linli_bench"


def database_url(choice: str, requests: int) -> str:
    if choice == "sqlite":
        return dataset.default_sqlite_url(requests)
    if choice == "postgres":
        return POSTGRES
    return choice


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000,
                        help="requests in the data set (default 100000)")
    parser.add_argument("--database", default="sqlite",
                        help="sqlite, postgres, or a database URL (default sqlite: "
                             "instance/bench-N.sqlite3)")
    parser.add_argument("--only", help="comma-separated words: measures whose name has one")
    parser.add_argument("--seconds", type=float, default=5, help="wrk time per page")
    parser.add_argument("--runs", type=int, default=20, help="in-process runs per page")
    parser.add_argument("--profile", action="store_true",
                        help="profile the selected pages in-process instead of running wrk")
    parser.add_argument("--in-process", action="store_true",
                        help="only the in-process figures (statements, time, CPU): no servers")
    return parser.parse_args()


def headers_for(measure: Measure, cookies: dict, app, etags: dict) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT}
    cookie = dataset.cookie_header(app, cookies, measure.who)
    if cookie:
        headers["Cookie"] = cookie
    if measure.key in etags:
        headers["If-None-Match"] = etags[measure.key]
    return headers


def fetch_etag(base_url: str, measure: Measure) -> str:
    request = urllib.request.Request(url_of(base_url, measure),  # noqa: S310 - local
                                     headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
        return response.headers["ETag"]


def url_of(base_url: str, measure: Measure) -> str:
    return base_url + urllib.parse.quote(measure.path, safe="/?=&")


def main() -> int:
    args = parse_args()
    url = database_url(args.database, args.requests)
    env = dataset.environment(url)
    os.environ["PORTAL_DATABASE_URL"] = url
    if env.get("PORTAL_DATA_KEY"):
        os.environ["PORTAL_DATA_KEY"] = env["PORTAL_DATA_KEY"]
    dataset.ensure_database(url)
    from portal import create_app

    app = create_app()
    built = None
    if dataset.request_count(app) < args.requests:
        print(f"Building the data set: portal demo --requests {args.requests} ...", flush=True)
        built = dataset.build(args.requests, env)
    total = dataset.request_count(app)
    cookies = dataset.session_cookies(app)
    measures = selected(args.only)
    if args.profile:
        for measure in measures:
            out = f"/tmp/bench-{measure.key}.prof"  # noqa: S108 - a developer's scratch file
            print(f"== {measure.key} {measure.path}: {out}")
            inprocess.profile(app, measure, dataset.cookie_header(app, cookies, measure.who),
                              None, args.runs, out)
        return 0
    if args.in_process:
        report_in_process(app, measures, cookies, args, url, total)
        return 0
    if not wrk.available():
        print("wrk is missing: apt-get install -y wrk")
        return 1

    logs = Path(app.instance_path)
    load_before = os.getloadavg()
    hello = servers.start("hello", "benchkit.hello:app",
                          {**env, "PYTHONPATH": str(Path(__file__).resolve().parent)}, "/",
                          logs / "bench-hello.log")
    portal = None
    try:
        portal = servers.start("portal", "wsgi:app", env, "/healthz", logs / "bench-app.log")
        etags = {m.key: fetch_etag(portal.base_url, m) for m in measures if m.revalidate}
        hello_url, hello_headers = hello.base_url + "/", {"User-Agent": USER_AGENT}
        wrk.run(hello_url, 1, hello_headers)
        # hello-world before every page and after the last: each page is divided by the two
        # runs around it, so a machine whose load drifts during the run is still compared
        # like with like.
        hello_rates = [wrk.run(hello_url, args.seconds, hello_headers).requests_per_second]
        rows = []
        for measure in measures:
            headers = headers_for(measure, cookies, app, etags)
            cost = inprocess.cost(app, measure, headers.get("Cookie"),
                                  headers.get("If-None-Match"), args.runs)
            wrk.run(url_of(portal.base_url, measure), 1, headers)  # warm the workers
            result = wrk.run(url_of(portal.base_url, measure), args.seconds, headers)
            hello_rates.append(wrk.run(hello_url, args.seconds,
                                       hello_headers).requests_per_second)
            rows.append((measure, result, cost, (hello_rates[-2] + hello_rates[-1]) / 2))
            print(f"  {measure.key}: {result.requests_per_second:.0f} req/s, hello-world "
                  f"{hello_rates[-1]:.0f}", flush=True)
        memory = portal.worker_memory()
    finally:
        if portal:
            portal.stop()
        hello.stop()
    report(args, url, total, built, hello_rates, rows, memory, load_before, os.getloadavg())
    return 0


def report(args, url, total, built, hello_rates, rows, memory, load_before, load_after):
    database = url.split(":", 1)[0].split("+")[0]
    print()
    print(f"Linli bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {total:,} requests on "
          f"{database}; gunicorn {' '.join(servers.gunicorn_settings())}; wrk "
          f"{wrk.THREADS} threads, {wrk.CONNECTIONS} connections, {args.seconds:g} s a page.")
    if built is not None:
        print(f"Data set built in {built:.0f} s.")
    print(f"Machine: {os.cpu_count()} cores; load average {_load(load_before)} before, "
          f"{_load(load_after)} after.")
    print(f"Bare Flask hello-world, run before each page and after the last: "
          f"{min(hello_rates):,.0f}–{max(hello_rates):,.0f} req/s, median "
          f"{statistics.median(hello_rates):,.0f}; each page is divided by the mean of the two "
          f"runs around it.")
    print()
    print("| page | req/s | × hello | target | p99 ms | SQL | in-process ms | CPU ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for measure, result, cost, baseline in rows:
        ratio = result.requests_per_second / baseline
        target = TARGETS.get(measure.group)
        mark = "" if target is None or ratio >= target else " ✗"
        expected = 304 if measure.revalidate else 200
        status = "" if cost.status == expected else f" (answered {cost.status})"
        print(f"| {measure.key} `{measure.path}` | {result.requests_per_second:,.0f} | "
              f"{ratio:.3f}{mark} | {target or '':} | {result.p99_ms:.0f} | {cost.statements} | "
              f"{cost.median_ms:.1f}{status} | {cost.cpu_ms:.2f} | {result.errors or ''} |")
    if memory:
        print()
        print("Workers after the run: " + ", ".join(
            f"{rss / 1024:.0f} MB RSS (peak {peak / 1024:.0f})" for rss, peak in memory))


def report_in_process(app, measures, cookies, args, url, total) -> None:
    database = url.split(":", 1)[0].split("+")[0]
    print(f"Linli in-process figures, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {total:,} "
          f"requests on {database}, {args.runs} runs a page; load average "
          f"{_load(os.getloadavg())}.")
    print()
    from benchkit.hello import app as hello_app

    hello = inprocess.cost(hello_app, Measure("hello", "/", "anonymous", "hello"), None, None,
                           args.runs * 5)
    print(f"Bare Flask hello-world in the same process: {hello.cpu_ms:.3f} ms CPU a request.")
    print()
    print("| page | status | SQL | median ms | CPU ms | hello CPU ÷ page CPU |")
    print("|---|---:|---:|---:|---:|---:|")
    for measure in measures:
        cookie = dataset.cookie_header(app, cookies, measure.who)
        etag = None
        if measure.revalidate:
            first = app.test_client(use_cookies=False).get(
                measure.path, headers={"User-Agent": USER_AGENT})
            etag = first.headers.get("ETag")
        cost = inprocess.cost(app, measure, cookie, etag, args.runs)
        print(f"| {measure.key} `{measure.path}` | {cost.status} | {cost.statements} | "
              f"{cost.median_ms:.1f} | {cost.cpu_ms:.2f} | {hello.cpu_ms / cost.cpu_ms:.3f} |",
              flush=True)


def _load(values) -> str:
    return " ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s in all)")
    sys.exit(code)
