"""This week's activities on the lobby board, with seats left and a QR code to sign up."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from portal.activities.models import Activity, Category, Signup, Status
from portal.activities.service import seats_taken_expression
from portal.extensions import db
from portal.registry import BoardSection

BOARD_DAYS = 7


def _board_window(now: datetime):
    return and_(Activity.status == Status.PUBLISHED.value, Activity.starts_at > now,
                Activity.starts_at <= now + timedelta(days=BOARD_DAYS))


def load(now: datetime, profile=None) -> dict | None:
    """The next days' published activities with seats left. Activities have no building, so
    a board profile's building does not filter them."""
    taken = seats_taken_expression(Activity.id).label("taken")
    rows = db.session.execute(
        select(Activity.id, Activity.title, Activity.category, Activity.place,
               Activity.starts_at, Activity.capacity, taken)
        .where(_board_window(now), Activity.capacity > seats_taken_expression(Activity.id))
        .order_by(Activity.starts_at).limit(8))
    activities = [
        {"id": row.id, "title": row.title, "category": Category(row.category),
         "place": row.place, "starts_at": row.starts_at, "seats_left": row.capacity - row.taken}
        for row in rows]
    return {"activities": activities} if activities else None


def fingerprint(now: datetime, profile=None) -> list:
    """Change whenever an activity in the window changes or a seat there is taken or freed."""
    in_window = select(Activity.id).where(_board_window(now))
    return [
        select(func.count(Activity.id)).where(_board_window(now)).scalar_subquery(),
        select(func.max(Activity.updated_at)).where(_board_window(now)).scalar_subquery(),
        select(func.count(Signup.id)).where(Signup.activity_id.in_(in_window))
        .scalar_subquery(),
        select(func.max(Signup.updated_at)).where(Signup.activity_id.in_(in_window))
        .scalar_subquery(),
    ]


SECTION = BoardSection(key="activities", title=_l("Activities this week"),
                       template="activities/_board.html", load=load, fingerprint=fingerprint,
                       order=20)
