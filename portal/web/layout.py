"""What every page's layout needs: navigation, banners, and a few template helpers."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from portal.registry import registry
from portal.web.pagination import keyset_url_args, url_args_for_page


def _navigation():
    if not current_user.is_authenticated:
        return []
    if current_user.is_staff:
        return [(url_for(link.endpoint), link.title)
                for link in registry().sorted("staff_links")
                if current_user.can(link.permission)]
    return [(url_for(tile.endpoint), tile.title) for tile in registry().sorted("tiles")]


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
    app.jinja_env.globals.update(navigation=_navigation, banners=_banners, page_url=_page_url,
                                  keyset_url_args=keyset_url_args)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
