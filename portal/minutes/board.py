"""What minutes show on the lobby board and the staff home."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.clock import today
from portal.extensions import db
from portal.minutes import service
from portal.minutes.models import Meeting, Resolution
from portal.registry import BoardSection


def load(now, profile=None) -> dict | None:
    """Minutes have no building: every board shows the community's."""
    meetings = service.recent_published(db.session, limit=3)
    resolutions = service.open_resolutions(db.session, limit=5)
    return {"meetings": meetings, "resolutions": resolutions} if meetings or resolutions else None


def staff_panel(user) -> dict:
    drafts = db.session.scalar(select(func.count()).select_from(Meeting)
                               .where(Meeting.published.is_(False))) or 0
    overdue = db.session.scalar(
        select(func.count()).select_from(service.open_resolutions_statement()
                                         .where(Resolution.due_on < today())
                                         .order_by(None).subquery())) or 0
    return {"drafts": drafts, "overdue": overdue}


SECTION = BoardSection("minutes", _l("Meeting minutes"), "minutes/_board.html", load,
                       service.board_fingerprint, order=30)
