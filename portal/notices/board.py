"""The alert banner above every page, the board sections and the staff home panel."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from portal.clock import utcnow
from portal.extensions import db
from portal.notices import service
from portal.notices.models import Notice
from portal.registry import Banner, BoardSection

BOARD_NOTICES = 8  # the board pages through them; more belong on /notices/


def alert_banner():
    """One indexed query per page: the alerts in force, if any.

    An error page may be drawn because the database is failing; the banner must not fail it.
    """
    try:
        alerts = service.active_alerts(db.session, utcnow())
    except SQLAlchemyError as error:
        current_app.logger.warning("alert banner skipped: %s", error)
        return None
    return ("notices/_alert_banner.html", {"alerts": alerts}) if alerts else None


# Notices and alerts are community-wide (they have no building), so a board profile's
# building does not filter them.

def load_alerts(now, profile=None) -> dict | None:
    alerts = service.active_alerts(db.session, now)
    return {"alerts": alerts} if alerts else None


def load_notices(now, profile=None) -> dict | None:
    notices = list(db.session.scalars(service.listing_statement(now).limit(BOARD_NOTICES)))
    return {"notices": notices} if notices else None


def staff_panel(user) -> dict:
    now = utcnow()
    return {"alerts": service.active_alerts(db.session, now),
            "notices": db.session.scalar(select(func.count()).select_from(Notice)
                                         .where(service.visible(now))) or 0}


ALERT_BANNER = Banner(alert_banner)
SECTIONS = (
    BoardSection("alerts", _l("Emergency warnings"), "notices/_board_alerts.html", load_alerts,
                 service.alerts_fingerprint, order=0),
    BoardSection("notices", _l("Notices"), "notices/_board_notices.html", load_notices,
                 service.notices_fingerprint, order=10),
)
