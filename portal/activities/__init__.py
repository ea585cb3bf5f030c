"""Cultural activities: publishing, fair sign-up with a waitlist, attendance, calendars."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from portal.accounts.roles import Permission
from portal.registry import (
    AudienceParam,
    AudienceSource,
    DemoLoader,
    FileAccessRule,
    Job,
    StaffLink,
    StaffPanel,
    Tile,
    registry,
)


def _cover_rule(session, _user, stored) -> bool:
    from portal.activities.service import cover_visible_to_anyone

    return cover_visible_to_anyone(session, stored)


def init_app(app: Flask) -> None:
    from portal.activities import board, demo, jobs, service, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).add(
        Tile("activities.index", _l("Activities"),
             _l("Festivals, classes and outings near you. Sign up in seconds."), order=30,
             tab=lazy_pgettext("tab", "Events"),
             task=("activities.index", lazy_pgettext("task", "Sign up for activities"))),
        StaffLink("activities_staff.index", _l("Activities"), Permission.MANAGE_ACTIVITIES,
                  order=30, menu="publish"),
        StaffPanel("activities/staff/_panel.html", staff_views.panel_context,
                   Permission.MANAGE_ACTIVITIES, order=30),
        board.SECTION,
        FileAccessRule("activities", _cover_rule),
        *service.AUDIT_ACTIONS,
        AudienceSource(
            "activity_attended", _l("Residents who attended an activity"),
            lambda params: service.attendees_statement(params["activity"]),
            params=(AudienceParam("activity", _l("Activity"), "choice",
                                  choices=service.activities_with_attendance),),
            order=20),
        Job("activity-reminders", "0 * * * *", jobs.remind_signed_up,
            "remind seat holders the day before", order=40),
        DemoLoader("activities", demo.load, order=30, scale_option="activities",
                   scale_help="Also add this many upcoming activities (for the query-budget "
                              "check)."),
    )
