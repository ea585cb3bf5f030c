"""The public lobby notice board (公告栏) and its profiles."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import StaffLink, registry


def init_app(app: Flask) -> None:
    from portal.board import qr, staff_views, views

    app.config.setdefault("BOARD_POLL_SECONDS", 30)  # how often a screen asks for news
    app.config.setdefault("BOARD_PAGE_SECONDS", 15)  # how long each page of content shows
    app.config.setdefault("BOARD_RETRY_MAX_SECONDS", 300)  # longest wait between retries
    app.jinja_env.globals["qr_svg"] = qr.qr_svg
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).staff_links.append(
        StaffLink("board_staff.profiles", _l("Notice board"), Permission.MANAGE_BOARD, order=800))
