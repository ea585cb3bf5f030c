"""What minutes show on the lobby board and the staff home."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.extensions import db
from portal.minutes import service
from portal.minutes.models import Meeting, Resolution


def load(now, profile=None) -> dict | None:
    """Minutes have no building: every board shows the community's."""
    meetings = service.recent_published(db.session, limit=3)
    resolutions = service.open_resolutions(db.session, limit=5)
    return {"meetings": meetings, "resolutions": resolutions} if meetings or resolutions else None


def staff_panel(user) -> dict:
    drafts = db.session.scalar(select(func.count()).select_from(Meeting)
                               .where(Meeting.published.is_(False))) or 0
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    overdue = db.session.scalar(
        select(func.count()).select_from(service.open_resolutions_statement()
                                         .where(Resolution.due_on < today)
                                         .order_by(None).subquery())) or 0
    return {"drafts": drafts, "overdue": overdue}
