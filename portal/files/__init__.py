"""Uploads: validation by content, re-encoding, storage and serving."""

from __future__ import annotations

from flask import Flask, g


def init_app(app: Flask) -> None:
    from portal.files import cleanup, oversize, views

    app.register_blueprint(views.bp)
    oversize.init_app(app)
    app.after_request(_storage_unavailable_is_503)
    cleanup.init_app(app)


def _storage_unavailable_is_503(response):
    """A form refused because the upload store can't be written is our fault, not the
    person's: the same page with their values, as 503 instead of 422, so monitoring sees it.
    This is the one place that decides it, for every area's forms."""
    if g.get("storage_unavailable") and response.status_code in (200, 422):
        response.status_code = 503
        response.headers["Retry-After"] = "300"
    return response
