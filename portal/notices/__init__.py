"""Announcements and emergency alerts."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from portal.accounts.roles import Permission
from portal.registry import (
    Banner,
    DemoLoader,
    FileAccessRule,
    StaffLink,
    StaffPanel,
    Tile,
    registry,
)


def _panel(user) -> dict:
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.notices import banner, service

    return service.panel_counts(db.session, utcnow(), banner.alerts_in_force())


def init_app(app: Flask) -> None:
    from portal.notices import banner, board, demo, service, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).add(
        Banner(banner.alert_banner),
        Tile("notices.index", _l("Notices"),
             _l("News, policies explained and how-to guides."), order=50,
             task=("notices.index", lazy_pgettext("task", "Notices"))),
        StaffLink("staff_notices.index", _l("Notices and warnings"), Permission.PUBLISH_NOTICES,
                  order=50, menu="publish"),
        StaffPanel("notices/staff/_panel.html", _panel, Permission.PUBLISH_NOTICES, order=50),
        *board.SECTIONS,
        FileAccessRule(service.AREA, service.may_view_file),
        *service.AUDIT_ACTIONS,
        DemoLoader("notices", demo.load, order=50),
    )
