"""Board sections for the tests, over real tables of this worktree, built exactly as an area
builds its own: a template, load(now, profile) and fingerprint(now, profile).

- "alerts": every profile whose short name starts with "alert-", for ALERT_LIFETIME after it
  was created; it then expires (a fingerprint that depends on ``now``).
- "notices": the names of the profiles for the board's building (or community-wide).
- "figures": how many residents have registered (a count: no personal data).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, or_, select

from portal.accounts.models import User
from portal.board.models import BoardProfile
from portal.extensions import db
from portal.registry import BoardSection, registry

ALERT_LIFETIME = timedelta(seconds=3)  # unless the app's TEST_ALERT_LIFETIME says otherwise

TEMPLATES = {
    "test_board/_alerts.html": (
        "{% for name in alerts %}<p class='board-alert board-alert-red' role='alert'>"
        "{{ name }}</p>{% endfor %}"),
    "test_board/_notices.html": (
        "<ul class='board-list'>{% for item in items %}<li class='board-item board-with-qr'>"
        "<span class='board-item-title'>{{ item.name }}</span>"
        "{{ qr_svg(url_for('board.page', profile=item.slug)) }}</li>{% endfor %}</ul>"),
    "test_board/_figures.html": (
        "<dl class='board-figures'><div><dt>residents</dt><dd>{{ residents }}</dd></div></dl>"),
}


def _alert_filter(now):
    lifetime = current_app.config.get("TEST_ALERT_LIFETIME", ALERT_LIFETIME)
    return (BoardProfile.slug.like("alert-%"), BoardProfile.created_at > now - lifetime)


def _notice_filter(profile):
    if profile.building is None:
        return ()
    return (or_(BoardProfile.building.is_(None), BoardProfile.building == profile.building),)


def load_alerts(now, profile):
    names = db.session.scalars(select(BoardProfile.name).where(*_alert_filter(now))
                               .order_by(BoardProfile.id)).all()
    return {"alerts": names} if names else None


def fingerprint_alerts(now, profile):
    return [select(func.count(BoardProfile.id)).where(*_alert_filter(now))]


def load_notices(now, profile):
    rows = db.session.execute(select(BoardProfile.name, BoardProfile.slug)
                              .where(~BoardProfile.slug.like("alert-%"), *_notice_filter(profile))
                              .order_by(BoardProfile.id)).all()
    return {"items": rows} if rows else None


def fingerprint_notices(now, profile):
    shown = select(BoardProfile.id).where(*_notice_filter(profile))
    return [select(func.count(BoardProfile.id)).where(BoardProfile.id.in_(shown))
            .scalar_subquery(),
            select(func.max(BoardProfile.updated_at)).where(BoardProfile.id.in_(shown))]


def load_figures(now):  # written the old way, without the profile: still supported
    return {"residents": db.session.scalar(
        select(func.count(User.id)).where(User.role == "resident"))}


def fingerprint_figures(now):
    return [select(func.count(User.id)).where(User.role == "resident")]


SECTIONS = [
    BoardSection("alerts", "Alerts", "test_board/_alerts.html", load_alerts,
                 fingerprint_alerts, order=0),
    BoardSection("figures", "Figures", "test_board/_figures.html", load_figures,
                 fingerprint_figures, order=50),
    BoardSection("notices", "Notices", "test_board/_notices.html", load_notices,
                 fingerprint_notices, order=10),
]


def install(app):
    """Put the test sections on an app in place of the areas' own, so these tests see the
    board alone (the real sections are tested in test_board_with_areas.py)."""
    registry(app).board_sections[:] = SECTIONS
    if not isinstance(app.jinja_env.loader, ChoiceLoader):  # once: the shared app keeps them
        app.jinja_env.loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_env.loader])
    return app
