"""What every page's layout needs: navigation, banners, and a few template helpers."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Flask, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user

from portal.registry import registry
from portal.web import care
from portal.web.pagination import keyset_url_args, url_args_for_page


class NavItem(NamedTuple):
    href: str
    title: Any
    tab: Any = None  # its label in the phone's bottom bar; None: only the wide top bar
    children: tuple = ()  # a group of the staff menu: its links (href "" for the group)


# The groups of the back-office menu, so that it fits one line at 1366 px: the daily work
# stays on the bar, publishing and the settings and records go into a menu each.
STAFF_MENUS = {"publish": _l("Publish"), "settings": _l("Settings and records")}


def _staff_navigation() -> list[NavItem]:
    items, groups = [], {}
    for link in registry().sorted("staff_links"):
        if not current_user.can(link.permission):
            continue
        item = NavItem(url_for(link.endpoint), link.title)
        if link.menu not in STAFF_MENUS:
            items.append(item)
            continue
        if link.menu not in groups:
            groups[link.menu] = []
        groups[link.menu].append(item)
    items += [NavItem("", STAFF_MENUS[key], children=tuple(links))
              for key, links in sorted(groups.items(), key=lambda pair: list(STAFF_MENUS)
                                       .index(pair[0]))]
    return [*items, NavItem(url_for("auth.account"), _("My account"))]


def _navigation() -> list[NavItem]:
    """The resident's home and account are always tabs; so are the tiles that give a tab
    label (at most three: five tabs fit 320 px). The rest are on the home page."""
    if not current_user.is_authenticated:
        return []
    if current_user.is_staff:
        return _staff_navigation()
    tabbed = 0
    items = [NavItem(url_for("web.home"), pgettext("tab", "Home"), pgettext("tab", "Home"))]
    for tile in registry().sorted("tiles"):
        tab = tile.tab if tile.tab and tabbed < 3 else None
        tabbed += bool(tab)
        items.append(NavItem(url_for(tile.endpoint), tile.title, tab))
    items.append(NavItem(url_for("auth.account"), _("My account"), pgettext("tab", "Me")))
    return items


def _banners():
    shown = []
    for banner in registry().sorted("banners"):
        result = banner.load()
        if result:
            shown.append(result)
    return shown


def _page_url(number: int) -> str:
    return url_for(request.endpoint, **(request.view_args or {}), **url_args_for_page(number))


def init_app(app: Flask) -> None:
    care.init_app(app)
    app.jinja_env.globals.update(navigation=_navigation, banners=_banners, page_url=_page_url,
                                  keyset_url_args=keyset_url_args)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
