"""Users, roles, permissions, registration and sign-in, staff accounts."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import DemoLoader, StaffLink, registry


def init_app(app: Flask) -> None:
    from portal.accounts import demo, service, staff_views, views
    from portal.extensions import db, login

    login.login_view = "auth.login"
    login.login_message = _l("Please sign in to see that page.")
    login.login_message_category = "info"
    login.session_protection = "basic"

    @login.user_loader
    def load_user(cookie_id: str):
        from portal.clock import utcnow

        options = [item.option for item in registry(current_app).user_load_options]
        return service.load_session_user(db.session, cookie_id, now=utcnow(), options=options,
                                         **service.lifetime_settings(current_app.config))

    app.jinja_env.globals["sign_in_timer"] = views.sign_in_timer
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)

    registry(app).add(
        StaffLink("staff.home", _l("Overview"), Permission.STAFF_AREA, order=0),
        StaffLink("staff.users", _l("Staff accounts"), Permission.MANAGE_STAFF, order=900,
                  menu="settings"),
        DemoLoader("accounts", demo.load, order=0),
        *service.AUDIT_ACTIONS,
    )
