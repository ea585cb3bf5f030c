"""/metrics: request counts and latency histograms in the Prometheus text format.

Off unless METRICS_ENABLED; then only for the addresses in METRICS_ALLOWED_ADDRESSES (the
machine itself by default) or a scraper that sends METRICS_TOKEN as a bearer token. Anyone
else gets the same 404 as for a page that doesn't exist. Labels are endpoint names and status
codes, never paths, so nothing a person typed reaches the figures. With several gunicorn
workers, set PROMETHEUS_MULTIPROC_DIR (an empty directory) so that every worker's counts add up.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

REQUESTS = Counter("portal_requests_total", "HTTP requests answered",
                   ["method", "endpoint", "status"])
LATENCY = Histogram("portal_request_duration_seconds", "Time to answer a request",
                    ["endpoint"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def _allowed() -> bool:
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return request.remote_addr in set(config.get("METRICS_ALLOWED_ADDRESSES") or ())


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return DEFAULT_REGISTRY


def init_app(app: Flask) -> None:
    if not app.config.get("METRICS_ENABLED"):
        return

    @app.before_request
    def start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count(response):
        started = g.pop("metrics_started", None)
        endpoint = request.endpoint or "unmatched"
        if started is not None and endpoint != "metrics":
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        return response

    @app.get("/metrics", endpoint="metrics")
    def metrics():
        if not _allowed():
            abort(404)
        return generate_latest(_registry()), 200, {"Content-Type": CONTENT_TYPE_LATEST,
                                                   "Cache-Control": "no-store"}
