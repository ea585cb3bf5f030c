"""Aid applications and their review stages, from first question to payment."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import BoardSection, DemoLoader, StaffLink, StaffPanel, Tile, registry


def _may_view_file(session, user, stored) -> bool:
    # The owner is let through before this rule; besides them only aid reviewers.
    return bool(user is not None and user.is_authenticated and user.can(Permission.REVIEW_AID))


def _panel(user) -> dict:
    from portal.aid import service
    from portal.extensions import db

    return service.queue_counts(db.session, service.local_today())


# Aid notices are the community's (applications have no building on the board): a profile's
# building does not filter them. "Today" is the board's ``now`` in Shanghai.

def _board_load(now, profile=None) -> dict | None:
    from portal.aid import service
    from portal.extensions import db

    rows = db.session.execute(service.current_notices_statement(service.local_day(now))
                              .limit(20))
    notices = service.public_notice_rows(rows)
    return {"notices": notices} if notices else None


def _board_fingerprint(now, profile=None) -> list:
    from portal.aid import service

    return service.notices_fingerprint(service.local_day(now))


def init_app(app: Flask) -> None:
    from portal.aid import demo, staff_views, views
    from portal.aid.money import format_yuan
    from portal.files.service import register_access_rule

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.jinja_env.filters["yuan"] = format_yuan
    register_access_rule(app, "aid", _may_view_file)

    reg = registry(app)
    reg.tiles.append(Tile("aid.index", _l("Apply for aid"),
                          _l("Minimum living allowance, temporary help, elderly and disability "
                             "support. Follow your application."), order=20))
    reg.staff_links.append(StaffLink("aid_staff.queue", _l("Aid applications"),
                                     Permission.REVIEW_AID, order=20))
    reg.staff_links.append(StaffLink("aid_staff.types", _l("Aid types"),
                                     Permission.MANAGE_AID_TYPES, order=21))
    reg.staff_links.append(StaffLink("aid_staff.audit_log", _l("Aid audit log"),
                                     Permission.READ_AUDIT_LOG, order=22))
    reg.staff_panels.append(StaffPanel("aid/staff/_panel.html", _panel, Permission.REVIEW_AID,
                                       order=20))
    reg.demo_loaders.append(DemoLoader("aid", demo.load, order=20, scale_option="aid",
                                       scale_help="Also generate N aid applications."))
    reg.board_sections.append(BoardSection(
        key="aid_notices", title=_l("Public notices of aid"), template="aid/_board_notices.html",
        load=_board_load, fingerprint=_board_fingerprint, order=40))
