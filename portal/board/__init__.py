"""The public lobby notice board (公告栏) and its profiles.

How an area puts a section on the board (the BoardSection contract)
--------------------------------------------------------------------
An area defines its ``BoardSection(key, title, template, load, fingerprint, order)`` in its
``board.py`` and registers it in its init_app with ``registry(app).add(board.SECTION)``:

- ``key``: one of "alerts", "checkins", "notices", "activities", "minutes", "aid_notices",
  "figures".
  Profiles store these keys. "alerts" is always drawn first, as banners above the rest.
- ``title``: an _l() string, shown as the section heading (not for "alerts").
- ``load(now, profile) -> dict | None``: the template context; None or {} hides the section.
  It may run a fixed number of queries (not one per item) and must return public data only:
  no resident names, phones, addresses or references, no drafts, no expired items, no staff
  notes. ``now`` is an aware UTC datetime: use it (not utcnow()) for "still current" tests.
- ``fingerprint(now, profile) -> list``: SQL expressions, each a one-column ``select()`` or a
  ``.scalar_subquery()``, with the same filters as load(). Their values must change whenever
  what load() shows changes: typically ``count(id)`` and ``max(updated_at)`` of the shown
  rows (an edit must move updated_at), plus whatever else is shown and can change without
  touching those rows (seats taken: ``count`` of sign-ups; expiry: the count of items still
  current at ``now``). The board runs them all in ONE statement; never run queries here.
- ``profile``: ``profile.building`` is None (all buildings) or a building name: show the
  community-wide items and that building's (an area whose items have no building shows
  them all and says so in its load()). ``profile.slug``/``name`` are for display only.
  A function written as f(now) is still called, without the profile.
- ``template``: a fragment rendered with load()'s context plus ``now`` and ``profile``.
  The board draws the section's heading (``title``): the template adds none of its own.
  Use the classes in static/css/board.css: ``ul.board-list > li.board-item`` (the unit the
  board pages by; an item is never split), ``.board-item-title``, ``.board-meta``,
  ``.board-small``, ``.board-pinned``, ``.board-with-qr``, ``.board-figures``; for "alerts",
  ``<p class="board-alert board-alert-{red|orange|yellow|blue}" role="alert">``. No
  ``style=`` and no ``hx-*`` attributes; text through {% trans %}. For a QR code to an
  item's public page, inside its ``.board-with-qr`` item:
  ``{{ qr_svg(url_for('activities.detail', activity_id=a.id, _external=True)) }}``.
- ``order``: position among the sections (alerts excepted).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.config import ROOT
from portal.registry import DemoLoader, StaffLink, registry


def init_app(app: Flask) -> None:
    from portal.board import demo, qr, service, staff_views, views

    app.config.setdefault("BOARD_POLL_SECONDS", 30)  # how often a screen asks for news
    app.config.setdefault("BOARD_PAGE_SECONDS", 15)  # how long each page of content shows
    app.config.setdefault("BOARD_RETRY_MAX_SECONDS", 300)  # longest wait between retries
    app.jinja_env.globals["qr_svg"] = qr.qr_svg
    app.extensions["board_code_version"] = service.code_version(ROOT)
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).add(
        StaffLink("board_staff.profiles", _l("Notice board"), Permission.MANAGE_BOARD, order=800,
                  menu="publish"),
        DemoLoader("board", demo.load, order=800),
        *service.AUDIT_ACTIONS,
    )
