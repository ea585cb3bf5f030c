"""Safety check-ins in an emergency (平安报): every resident asked "are you safe?" after an
orange or red warning, the live list staff follow, and the board's totals."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import Banner, DemoLoader, StaffLink, registry


def init_app(app: Flask) -> None:
    from portal.checkins import banner, board, demo, service, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).add(
        Banner(banner.checkin_banner, order=110),
        StaffLink("staff_checkins.index", _l("Safety check-ins"), Permission.FOLLOW_CHECKINS,
                  order=55, menu="publish"),  # beside the warnings it follows
        board.SECTION,
        *service.AUDIT_ACTIONS,
        DemoLoader("checkins", demo.load, order=75),
    )
