"""Whether the shared rate-limit store (Redis, with several app servers) answers.

When it does not, Flask-Limiter counts in this process's memory instead
(RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) and logs a warning; /healthz says "degraded" so the
operator knows limits are per server until Redis is back. Nobody is locked out by the fault.
"""

from __future__ import annotations

import logging

from flask import current_app

log = logging.getLogger(__name__)


def rate_limit_state() -> str:
    """ "ok" (memory, or Redis answering) or "degraded" (Redis unreachable)."""
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return "ok"
    from portal.extensions import limiter

    try:
        alive = limiter.storage.check()
    except Exception:  # noqa: BLE001 - a client library's connection error of any kind
        alive = False
    if not alive:
        log.warning("rate-limit store %s unreachable: counting in memory on this server",
                    current_app.config["RATELIMIT_STORAGE_URI"].split("@")[-1])
    return "ok" if alive else "degraded"
