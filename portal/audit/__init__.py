"""One append-only audit log for the whole back office: who did what to which object, when.

Areas record with ``audit.service.record(...)`` and name their actions with
``registry(app).add(AuditAction(...))`` so the log reads in words, not keys.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.audit import service

    service.register_actions(app)
