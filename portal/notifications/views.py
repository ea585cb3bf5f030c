"""The inbox at /notifications and the bell in the header."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.notifications import service
from portal.web.forms import ActionForm
from portal.web.pagination import page_number
from portal.web.render import render
from portal.web.safety import safe_next_url

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def inbox():
    page = service.inbox_page(db.session, current_user.id, page_number())
    return render("notifications/inbox.html", "notifications/_list.html", page=page,
                  form=ActionForm(formdata=None))


@bp.get("/notifications/bell")
@login_required
def bell():
    return render("notifications/_bell.html", "notifications/_bell.html")


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    notification = service.open_notification(db.session, current_user.id, notification_id)
    if notification is None:
        abort(404)
    db.session.commit()
    return redirect(safe_next_url(notification.link) or url_for("notifications.inbox"), 303)


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    if not ActionForm().validate_on_submit():
        abort(400)
    service.mark_all_read(db.session, current_user.id)
    db.session.commit()
    return redirect(url_for("notifications.inbox"), 303)
