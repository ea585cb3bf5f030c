"""The notices' sections of the lobby board: the alerts in force and the notices.

Notices and alerts are community-wide (they have no building), so a board profile's building
does not filter them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.notices import service
from portal.registry import BoardSection

BOARD_NOTICES = 8  # the board pages through them; more belong on /notices/


def load_alerts(now, profile=None) -> dict | None:
    alerts = service.active_alerts(db.session, now)
    return {"alerts": alerts} if alerts else None


def load_notices(now, profile=None) -> dict | None:
    notices = list(db.session.scalars(service.listing_statement(now).limit(BOARD_NOTICES)))
    return {"notices": notices} if notices else None


SECTIONS = (
    BoardSection("alerts", _l("Emergency warnings"), "notices/_board_alerts.html", load_alerts,
                 service.alerts_fingerprint, order=0),
    BoardSection("notices", _l("Notices"), "notices/_board_notices.html", load_notices,
                 service.notices_fingerprint, order=10),
)
