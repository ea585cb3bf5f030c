"""The care register (关爱对象, 一人一档) and its visits (走访), in the back office."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import (
    DemoLoader,
    FileAccessRule,
    Job,
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


def _referral_panel(user) -> dict:
    from portal.care import referrals
    from portal.clock import today
    from portal.extensions import db

    return referrals.panel(db.session, user, today())


def _overdue_referrals(session, since, now) -> str:
    from portal.care import referrals
    from portal.clock import local_day

    return f"told {referrals.tell_overdue(session, local_day(now), now)}"


def init_app(app: Flask) -> None:
    from portal.accounts.roles import Role
    from portal.care import (  # noqa: F401  (register_views joins staff_views' blueprint)
        behalf_views,
        demo,
        referral_views,
        referrals,
        register_views,
        service,
        staff_views,
        visits,
    )
    from portal.care.models import ReferralStatus
    from portal.files.service import IMAGES

    for key, value in referrals.CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(referral_views.bp)
    app.jinja_env.globals.update(
        referral_role_label=lambda value: Role(value).label if value in Role._value2member_map_
        else value,
        referral_status_label=lambda value: ReferralStatus(value).label
        if value in ReferralStatus._value2member_map_ else value)
    registry(app).add(
        StaffLink("staff_care.index", _l("Care register"), Permission.VISIT_CARE, order=35),
        # Referrals have no menu entry of their own (the bar holds six at most): the staff
        # home's panel counts them and links there, and so does the care register's page.
        StaffPanel("care/staff/_panel.html", _panel, Permission.VISIT_CARE, order=35),
        StaffPanel("care/staff/_referral_panel.html", _referral_panel, Permission.REFER_CASES,
                   order=36),
        FileAccessRule(PHOTO_AREA, visits.may_view_photo),
        # A visit typed on a doorstep after the sign-in ended keeps its photo too.
        KeptUpload("staff_care.visit", "photo", "photo_tokens", PHOTO_AREA, frozenset(IMAGES),
                   visits.MAX_PHOTO_BYTES, 1),
        *service.AUDIT_ACTIONS,
        *referrals.AUDIT_ACTIONS,
        Job("care-referral-overdue", "*/15 * * * *", _overdue_referrals,
            "tell the receiving role and the referrer when a referral passes its deadline, "
            "once", order=40),
        DemoLoader("care", demo.load, order=70),
    )
