"""Linli 邻里: the application factory."""

from __future__ import annotations

import importlib

from flask import Flask

from portal import config, extensions, registry
from portal.config import ROOT

# Each area is a package with init_app(app) that registers its blueprints and extension points.
AREAS = (
    "portal.accounts",
    "portal.audit",
    "portal.notifications",
    "portal.files",
    "portal.keptforms",
    "portal.service_requests",
    "portal.aid",
    "portal.activities",
    "portal.minutes",
    "portal.notices",
    "portal.surveys",
    "portal.board",
    "portal.api",
    "portal.care",
    "portal.checkins",
    "portal.figures",
    "portal.jobs",
    "portal.backup",
)


class PortalFlask(Flask):
    """Flask, with ``ensure_sync`` answered once per function: Flask asks inspect whether
    each hook and view is a coroutine on every request (16 times for a request that renders
    nothing). The portal's are all plain functions, and a function stays what it is."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict = {}

    def ensure_sync(self, func):
        try:
            return self._sync[func]
        except KeyError:
            pass
        except TypeError:  # not hashable: ask every time
            return super().ensure_sync(func)
        found = super().ensure_sync(func)
        if len(self._sync) < 10_000:  # the hooks, views and handlers: a few hundred
            self._sync[func] = found
        return found


def create_app(overrides: dict | None = None) -> Flask:
    app = PortalFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    config.load(app, overrides)
    from portal.web import inputs, limits

    inputs.init_app(app)  # before any route is added: the routes take its converters
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # Bound through the module: a bare `db` here would shadow the portal.db module.
    for extension in (extensions.db, extensions.login, extensions.csrf, extensions.htmx,
                      extensions.limiter):
        extension.init_app(app)
    inputs.init_request_class(app)  # on top of htmx-flask's request class
    registry.init_app(app)

    from portal.web import (
        address,
        assets,
        compression,
        errors,
        i18n,
        layout,
        logs,
        markdown,
        metrics,
        security,
        sessions,
        views,
    )

    logs.init_app(app)
    metrics.init_app(app)
    sessions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    errors.init_app(app)
    layout.init_app(app)
    markdown.init_app(app)
    address.init_app(app)
    app.register_blueprint(views.bp)

    for area in AREAS:
        importlib.import_module(area).init_app(app)

    limits.skip_the_unlimited(app, extensions.limiter)
    assets.init_app(app)  # outermost: a static file never reaches the Flask app

    from portal import cli

    app.cli.add_command(cli.build(app))
    return app
