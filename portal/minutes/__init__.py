"""Meetings, published minutes and the follow-up of their resolutions."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import DemoLoader, FileAccessRule, StaffLink, StaffPanel, Tile, registry


def _panel(user) -> dict:
    from portal.clock import today
    from portal.extensions import db
    from portal.minutes import service

    return service.panel_counts(db.session, today())


def init_app(app: Flask) -> None:
    from portal.minutes import board, demo, service, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).add(
        Tile("minutes.index", _l("Meeting minutes"),
             _l("What the community decided, and whether it was done."), order=60),
        StaffLink("staff_minutes.index", _l("Minutes"), Permission.PUBLISH_MINUTES, order=60,
                  menu="publish"),
        StaffPanel("minutes/staff/_panel.html", _panel, Permission.PUBLISH_MINUTES, order=60),
        board.SECTION,
        FileAccessRule(service.AREA, service.may_view_file),
        *service.AUDIT_ACTIONS,
        DemoLoader("minutes", demo.load, order=60, scale_option="meetings",
                   scale_help="Also create this many extra published meetings (for load "
                              "tests)."),
    )
