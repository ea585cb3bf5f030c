"""Compressed answers from the app itself, for when no proxy in front compresses them.

Brotli where the browser takes it, gzip otherwise, for pages, fragments, JSON, XML and
calendars; static files are compressed once by portal.web.assets. Exports stay streamed and
uncompressed (their types are not in the list). Pages carry secrets (the CSRF token), which
is what a BREACH attack goes after; it needs many cross-site requests that carry the session
cookie, and the SameSite=Lax cookie is not sent on those.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
             "image/svg+xml", "application/json", "application/xml", "text/xml",
             "text/calendar", "text/plain"]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_STREAMS", False)
    # Conditional answers stay where they are made (the board's ETag and 304).
    app.config.setdefault("COMPRESS_EVALUATE_CONDITIONAL_REQUEST", False)
    Compress(app)
