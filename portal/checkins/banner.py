"""The banner above a resident's pages while a check-in is open: one indexed query."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.exc import SQLAlchemyError

from portal.checkins.models import Checkin, CheckinEntry
from portal.extensions import db


def checkin_banner():
    """For a signed-in resident: the open check-in and their answer so far (None if none).

    Like the warnings' banner, it must not fail an error page drawn while the database is.
    """
    if not current_user.is_authenticated or current_user.is_staff:
        return None
    try:
        row = db.session.execute(
            select(Checkin.id, Checkin.title, CheckinEntry.status)
            .outerjoin(CheckinEntry, and_(CheckinEntry.checkin_id == Checkin.id,
                                          CheckinEntry.user_id == current_user.id))
            .where(Checkin.closed_at.is_(None)).order_by(Checkin.id.desc()).limit(1)).first()
    except SQLAlchemyError as error:
        current_app.logger.warning("check-in banner skipped: %s", error)
        return None
    if row is None:
        return None
    return ("checkins/_banner.html", {"checkin_id": row.id, "title": row.title,
                                      "status": row.status or "pending"})
