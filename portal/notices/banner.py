"""The emergency-alert banner above every page."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.exc import SQLAlchemyError

from portal.clock import utcnow
from portal.extensions import db
from portal.notices import service


def alert_banner():
    """The alerts in force, if any: one indexed query per page.

    An error page may be drawn because the database is failing; the banner must not fail it.
    """
    try:
        alerts = alerts_in_force()
    except SQLAlchemyError as error:
        current_app.logger.warning("alert banner skipped: %s", error)
        return None
    return ("notices/_alert_banner.html", {"alerts": alerts}) if alerts else None


def alerts_in_force():
    """The alerts in force, read once per request: the banner and the staff home's notices
    panel show the same ones."""
    if "alerts_in_force" not in g:
        g.alerts_in_force = service.active_alerts(db.session, utcnow())
    return g.alerts_in_force
