"""What every page's layout needs: navigation, banners, and a few template helpers."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from flask import Flask, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user

from portal.registry import registry
from portal.web import care
from portal.web.labels import locale_code
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


def _resident_navigation() -> list[NavItem]:
    tabbed = 0
    items = [NavItem(url_for("web.home"), pgettext("tab", "Home"), pgettext("tab", "Home"))]
    for tile in registry().sorted("tiles"):
        tab = tile.tab if tile.tab and tabbed < 3 else None
        tabbed += bool(tab)
        items.append(NavItem(url_for(tile.endpoint), tile.title, tab))
    items.append(NavItem(url_for("auth.account"), _("My account"), pgettext("tab", "Me")))
    return items


def _navigation() -> list[NavItem]:
    """The resident's home and account are always tabs; so are the tiles that give a tab
    label (at most three: five tabs fit 320 px). The rest are on the home page.

    The menu depends only on the language, the permissions (a resident's: none), the links
    registered and where the app is mounted, so it is built once for each of those and kept
    with its labels already translated: every page shows it, and building it asked for the
    user's permissions and a URL per link each time."""
    if not current_user.is_authenticated:
        return []
    staff = current_user.is_staff
    links = registry().staff_links if staff else registry().tiles
    key = (locale_code(), request.script_root, current_user.permissions if staff else None,
           tuple(map(id, links)))
    cache = current_app.extensions.setdefault("portal_navigation", {})
    found = cache.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], links, strict=True)):
        return found[1]
    built = _staff_navigation() if staff else _resident_navigation()
    built = [_translated(item) for item in built]
    if len(cache) > 256:  # languages × roles and grants held: a few dozen
        cache.clear()
    cache[key] = (tuple(links), built)  # the links kept, so their ids are not reused
    return built


def _translated(item: NavItem) -> NavItem:
    return NavItem(item.href, str(item.title), None if item.tab is None else str(item.tab),
                   tuple(_translated(child) for child in item.children))


def _banners():
    shown = []
    for banner in registry().sorted("banners"):
        result = banner.load()
        if result:
            shown.append(result)
    return shown


_PLACEHOLDER = "LINLI0PLACEHOLDER"
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9._~-]+")


class UrlTemplate:
    """``url_for(endpoint, **{name: value})`` for many values (a link on every row): the URL
    is built once with a placeholder, and a value that URLs carry as it is (R20261129-0007)
    is put in its place; any other value goes through ``url_for`` itself."""

    def __init__(self, endpoint: str, name: str) -> None:
        self.endpoint, self.name = endpoint, name
        self.before, self.after = url_for(endpoint, **{name: _PLACEHOLDER}).split(_PLACEHOLDER)

    def __call__(self, value) -> str:
        text = str(value)
        if _PLAIN_VALUE.fullmatch(text):
            return self.before + text + self.after
        return url_for(self.endpoint, **{self.name: value})


def url_template(endpoint: str, name: str) -> UrlTemplate:
    """The template for ``endpoint`` by ``name``, kept for each place the app is mounted."""
    cache = current_app.extensions.setdefault("portal_url_templates", {})
    key = (endpoint, name, request.script_root)
    found = cache.get(key)
    if found is None:
        if len(cache) > 256:
            cache.clear()
        found = cache[key] = UrlTemplate(endpoint, name)
    return found


def _page_url(number: int) -> str:
    return url_for(request.endpoint, **(request.view_args or {}), **url_args_for_page(number))


def init_app(app: Flask) -> None:
    care.init_app(app)
    app.jinja_env.globals.update(navigation=_navigation, banners=_banners, page_url=_page_url,
                                  url_template=url_template,
                                  keyset_url_args=keyset_url_args)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
