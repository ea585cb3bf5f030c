"""Cultural activities: publishing, fair sign-up with a waitlist, attendance, calendars."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import BoardSection, DemoLoader, StaffLink, StaffPanel, Tile, registry


def _cover_rule(session, _user, stored) -> bool:
    from portal.activities.service import cover_visible_to_anyone

    return cover_visible_to_anyone(session, stored)


def init_app(app: Flask) -> None:
    from portal.activities import demo, service, staff_views, views
    from portal.files.service import register_access_rule
    from portal.surveys import AudienceParam, AudienceSource, register_audience_source

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    register_access_rule(app, "activities", _cover_rule)

    extension_points = registry(app)
    extension_points.tiles.append(Tile(
        "activities.index", _l("Activities"),
        _l("Festivals, classes and outings near you. Sign up in seconds."), order=30))
    extension_points.staff_links.append(StaffLink(
        "activities_staff.index", _l("Activities"), Permission.MANAGE_ACTIVITIES, order=30))
    extension_points.staff_panels.append(StaffPanel(
        "activities/staff/_panel.html", staff_views.panel_context,
        Permission.MANAGE_ACTIVITIES, order=30))
    extension_points.board_sections.append(BoardSection(
        key="activities", title=_l("Activities this week"),
        template="activities/_board.html", load=service.board_load,
        fingerprint=service.board_fingerprint, order=20))
    register_audience_source(app, AudienceSource(
        "activity_attended", _l("Residents who attended an activity"),
        lambda params: service.attendees_statement(params["activity"]),
        params=(AudienceParam("activity", _l("Activity"), "choice",
                              choices=service.activities_with_attendance),),
        order=20))
    extension_points.demo_loaders.append(DemoLoader(
        "activities", demo.load, order=30, scale_option="activities",
        scale_help="Also add this many upcoming activities (for the query-budget check)."))
