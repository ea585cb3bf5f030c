"""The emergency-alert banner above every page."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from portal.clock import utcnow
from portal.extensions import db
from portal.notices import service


def alert_banner():
    """The alerts in force, if any: one indexed query per page.

    An error page may be drawn because the database is failing; the banner must not fail it.
    """
    try:
        alerts = service.active_alerts(db.session, utcnow())
    except SQLAlchemyError as error:
        current_app.logger.warning("alert banner skipped: %s", error)
        return None
    return ("notices/_alert_banner.html", {"alerts": alerts}) if alerts else None
