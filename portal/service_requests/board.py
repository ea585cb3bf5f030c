"""This month's request figures on the lobby board: counts and rates, no personal data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.registry import BoardSection
from portal.service_requests import service


def load(now, profile=None) -> dict:
    return service.month_figures(db.session, now)


SECTION = BoardSection(key="figures", title=_l("This month's requests"),
                       template="service_requests/_board_figures.html", load=load,
                       fingerprint=service.figures_fingerprint, order=50)
