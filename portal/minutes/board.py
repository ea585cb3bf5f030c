"""The minutes section of the lobby board: recently published minutes and open resolutions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.minutes import service
from portal.registry import BoardSection


def load(now, profile=None) -> dict | None:
    """Minutes have no building: every board shows the community's."""
    meetings = service.recent_published(db.session, limit=3)
    resolutions = service.open_resolutions(db.session, limit=5)
    return {"meetings": meetings, "resolutions": resolutions} if meetings or resolutions else None


SECTION = BoardSection("minutes", _l("Meeting minutes"), "minutes/_board.html", load,
                       service.board_fingerprint, order=30)
