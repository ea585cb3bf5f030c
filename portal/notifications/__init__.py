"""In-app inbox, outbox and senders."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user
from sqlalchemy.orm import undefer


def init_app(app: Flask) -> None:
    from portal.accounts.models import User
    from portal.notifications import service, views
    from portal.notifications.jobs import send_notifications
    from portal.registry import Job, UserLoadOption, registry

    app.register_blueprint(views.bp)
    registry(app).add(Job("send-notifications", "* * * * *", send_notifications,
                          "deliver the outbox", order=10),
                      UserLoadOption(undefer(User.unread_notifications)))

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return current_user.unread_notifications  # loaded with the user (one query less)

    app.jinja_env.globals.update(unread_notifications=unread_notifications,
                                 notification_text=service.render_text)
