"""Aid notices (公示) on the lobby board: masked names, household size and amount.

Aid notices are the community's (applications have no building on the board): a profile's
building does not filter them. "Today" is the board's ``now`` in Shanghai.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.aid import service
from portal.clock import local_day
from portal.extensions import db
from portal.registry import BoardSection


def load(now, profile=None) -> dict | None:
    rows = db.session.execute(service.current_notices_statement(local_day(now)).limit(20))
    notices = service.public_notice_rows(rows)
    return {"notices": notices} if notices else None


def fingerprint(now, profile=None) -> list:
    return service.notices_fingerprint(local_day(now))


SECTION = BoardSection(key="aid_notices", title=_l("Public notices of aid"),
                       template="aid/_board_notices.html", load=load, fingerprint=fingerprint,
                       order=40)
