"""Uploads: validation by content, re-encoding, storage and serving."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.files import views

    app.register_blueprint(views.bp)
