"""The care register (关爱对象, 一人一档) and its visits (走访), in the back office."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import (
    DemoLoader,
    FileAccessRule,
    KeptUpload,
    StaffLink,
    StaffPanel,
    registry,
)

PHOTO_AREA = "care_visit"


def _panel(user) -> dict:
    from portal.care import visits
    from portal.clock import today
    from portal.extensions import db

    return visits.panel(db.session, user, today())


def init_app(app: Flask) -> None:
    from portal.care import demo, register_views, service, staff_views, visits  # noqa: F401
    from portal.files.service import IMAGES

    app.register_blueprint(staff_views.bp)
    registry(app).add(
        StaffLink("staff_care.index", _l("Care register"), Permission.VISIT_CARE, order=35),
        StaffPanel("care/staff/_panel.html", _panel, Permission.VISIT_CARE, order=35),
        FileAccessRule(PHOTO_AREA, visits.may_view_photo),
        # A visit typed on a doorstep after the sign-in ended keeps its photo too.
        KeptUpload("staff_care.visit", "photo", "photo_tokens", PHOTO_AREA, frozenset(IMAGES),
                   visits.MAX_PHOTO_BYTES, 1),
        *service.AUDIT_ACTIONS,
        DemoLoader("care", demo.load, order=70),
    )
