"""Meetings, published minutes and the follow-up of their resolutions."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import BoardSection, DemoLoader, StaffLink, StaffPanel, Tile, registry


def init_app(app: Flask) -> None:
    from portal.files.service import register_access_rule
    from portal.minutes import board, demo, service, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    register_access_rule(app, service.AREA, service.may_view_file)

    extension = registry(app)
    extension.tiles.append(Tile("minutes.index", _l("Meeting minutes"),
                                _l("What the community decided, and whether it was done."),
                                order=60))
    extension.staff_links.append(StaffLink("staff_minutes.index", _l("Minutes"),
                                           Permission.PUBLISH_MINUTES, order=60))
    extension.staff_panels.append(StaffPanel("minutes/staff/_panel.html", board.staff_panel,
                                             Permission.PUBLISH_MINUTES, order=60))
    extension.board_sections.append(BoardSection(
        "minutes", _l("Meeting minutes"), "minutes/_board.html", board.load,
        service.board_fingerprint, order=30))
    extension.demo_loaders.append(DemoLoader(
        "minutes", demo.load, order=60, scale_option="meetings",
        scale_help="Also create this many extra published meetings (for load tests)."))
