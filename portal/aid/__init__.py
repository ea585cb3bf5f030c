"""Aid applications and their review stages, from first question to payment."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from portal.accounts.roles import Permission
from portal.registry import (
    DemoLoader,
    FileAccessRule,
    KeptUpload,
    ReferenceData,
    StaffLink,
    StaffPanel,
    Tile,
    registry,
)


def _may_view_file(session, user, stored) -> bool:
    # The owner (who uploaded it) is let through before this rule; besides them aid reviewers,
    # and the applicant of an application staff filled in on their behalf (代办).
    if user is None or not user.is_authenticated:
        return False
    if user.can(Permission.REVIEW_AID):
        return True
    from sqlalchemy import select

    from portal.aid.models import AidApplication, AidFile

    return session.scalar(select(AidFile.id).join(
        AidApplication, AidApplication.id == AidFile.application_id).where(
        AidFile.file_id == stored.id, AidApplication.applicant_id == user.id,
        AidApplication.filed_by_id.is_not(None)).limit(1)) is not None


def _file_opened(session, user, stored) -> None:
    # Staff opening a material or a visit photo leave a line; the applicant opening their own
    # upload does not (the log is the back office's).
    if user is not None and user.is_authenticated and user.can(Permission.REVIEW_AID):
        from portal.aid import service

        service.record_file_opened(session, user, stored)


def _panel(user) -> dict:
    from portal.aid import service
    from portal.clock import today
    from portal.extensions import db

    return service.queue_counts(db.session, today())


def init_app(app: Flask) -> None:
    from portal.aid import (
        board,
        demo,
        drafting_views,
        service,
        staff_settings_views,
        staff_views,
        views,
    )
    from portal.aid.money import format_yuan
    from portal.files.service import IMAGES_AND_PDF

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(staff_settings_views.bp)
    app.jinja_env.filters["yuan"] = format_yuan

    registry(app).add(
        Tile("aid.index", _l("Apply for aid"),
             _l("Minimum living allowance, temporary help, elderly and disability support. "
                "Follow your application."), order=20, tab=lazy_pgettext("tab", "Aid"),
             task=("aid.index", lazy_pgettext("task", "Apply for aid"))),
        StaffLink("aid_staff.queue", _l("Aid applications"), Permission.REVIEW_AID, order=20),
        StaffLink("aid_settings.types", _l("Aid types"), Permission.MANAGE_AID_TYPES, order=801,
                  menu="settings"),
        StaffPanel("aid/staff/_panel.html", _panel, Permission.REVIEW_AID, order=20),
        board.SECTION,
        FileAccessRule(service.AREA, _may_view_file, opened=_file_opened),
        *(KeptUpload("aid.materials", drafting_views.files_field(number),
                     drafting_views.tokens_field(number), service.AREA,
                     frozenset(IMAGES_AND_PDF), service.MAX_UPLOAD, service.MAX_FILES)
          for number in range(1, drafting_views.KEPT_ITEMS + 1)),
        *service.AUDIT_ACTIONS,
        *service.SETTINGS_ACTIONS,
        ReferenceData("aid types", service.seed_types, order=20),
        DemoLoader("aid", demo.load, order=20, scale_option="aid",
                   scale_help="Also generate N aid applications."),
    )
