"""Announcements and emergency alerts."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import BoardSection, DemoLoader, StaffLink, StaffPanel, Tile, registry


def init_app(app: Flask) -> None:
    from portal.files.service import register_access_rule
    from portal.notices import board, demo, service, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    register_access_rule(app, service.AREA, service.may_view_file)

    extension = registry(app)
    extension.banners.append(board.alert_banner)
    extension.tiles.append(Tile("notices.index", _l("Notices"),
                                _l("News, policies explained and how-to guides."), order=50))
    extension.staff_links.append(StaffLink("staff_notices.index", _l("Notices and warnings"),
                                           Permission.PUBLISH_NOTICES, order=50))
    extension.staff_panels.append(StaffPanel("notices/staff/_panel.html", board.staff_panel,
                                             Permission.PUBLISH_NOTICES, order=50))
    extension.board_sections.append(BoardSection(
        "alerts", _l("Emergency warnings"), "notices/_board_alerts.html", board.load_alerts,
        service.alerts_fingerprint, order=0))
    extension.board_sections.append(BoardSection(
        "notices", _l("Notices"), "notices/_board_notices.html", board.load_notices,
        service.notices_fingerprint, order=10))
    extension.demo_loaders.append(DemoLoader("notices", demo.load, order=50))
