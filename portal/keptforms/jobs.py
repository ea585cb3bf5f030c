"""The clean-up of kept forms past their time (and of the files no one claimed)."""

from __future__ import annotations

from flask import Flask


def run(session, since, now) -> str:
    from portal.keptforms import service

    return f"expired {service.remove_expired(session, now)}"


def init_app(app: Flask) -> None:
    from portal.registry import Job, registry

    registry(app).add(Job("kept-forms", "10 * * * *", run,
                          "remove forms kept for a sign-in that were never taken back",
                          order=91))
