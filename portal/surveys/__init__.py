"""Surveys (问卷调查): a builder for staff, one answer per resident, readable results."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import DemoLoader, StaffLink, StaffPanel, Tile, registry


def _panel_context(_user) -> dict:
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.surveys import service

    return service.panel(db.session, utcnow())


def init_app(app: Flask) -> None:
    from portal.satisfaction import LEVELS
    from portal.surveys import audience, demo, service, staff_views, views

    app.jinja_env.globals.update(
        survey_last_day=service.last_day,
        satisfaction_choices=lambda: [(int(level), level.label) for level in LEVELS])
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).add(
        Tile("surveys.index", _l("Surveys"),
             _l("Tell us what you think, from your phone."), order=60),
        StaffLink("surveys_staff.index", _l("Surveys"), Permission.MANAGE_SURVEYS, order=60,
                  menu="publish"),
        StaffPanel("surveys/staff/_panel.html", _panel_context, Permission.MANAGE_SURVEYS,
                   order=60),
        *audience.BUILT_IN,
        *service.AUDIT_ACTIONS,
        DemoLoader("surveys", demo.load, order=60, scale_option="survey-responses",
                   scale_help="Answer the demo survey this many times (bulk inserts), "
                              "e.g. 20000."),
    )
