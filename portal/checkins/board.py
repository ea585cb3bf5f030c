"""The check-in's section of the lobby board: households safe and needing help, never who."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.checkins import listing, service
from portal.extensions import db
from portal.registry import BoardSection


def load(now, profile=None) -> dict | None:
    checkin = service.open_checkin_for(db.session)
    if checkin is None:
        return None
    building = getattr(profile, "building", None)
    return {"totals": listing.board_totals(db.session, checkin.id, building),
            "building": building}


SECTION = BoardSection("checkins", _l("Safety check-in"), "checkins/_board.html", load,
                       listing.board_fingerprint, order=5)
