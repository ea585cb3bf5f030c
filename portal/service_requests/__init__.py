"""Resident requests (诉求) and the staff triage queue."""

from __future__ import annotations

import click
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import BoardSection, DemoLoader, StaffLink, StaffPanel, Tile, registry


def category_name(category) -> str:
    return category.name(str(get_locale() or "zh")) if category else ""


def init_app(app: Flask) -> None:
    from portal.cli import portal_cli
    from portal.db import utcnow
    from portal.extensions import db
    from portal.files.service import register_access_rule
    from portal.service_requests import demo, service, staff_views, views
    from portal.surveys import AudienceParam, AudienceSource, register_audience_source

    for key, value in service.CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    register_access_rule(app, service.AREA, service.may_see_photo)
    register_audience_source(app, AudienceSource(
        "request_resolved", _l("Residents whose request was resolved in a period"),
        lambda params: service.resolved_between_statement(params["first_day"],
                                                          params["last_day"]),
        params=(AudienceParam("first_day", _l("Resolved from"), "date"),
                AudienceParam("last_day", _l("Resolved until"), "date")),
        order=30))

    extension_points = registry(app)
    extension_points.tiles.append(Tile(
        "requests.index", _l("Report a problem"),
        _l("Noise, repairs, clutter, safety: tell us and follow it to done."), order=10))
    extension_points.staff_links.append(StaffLink(
        "staff_requests.queue", _l("Request queue"), Permission.TRIAGE_REQUESTS, order=10))
    extension_points.staff_links.append(StaffLink(
        "staff_requests.settings", _l("Request settings"), Permission.MANAGE_REQUEST_SETTINGS,
        order=800))
    extension_points.staff_panels.append(StaffPanel(
        "service_requests/staff/_panel.html",
        lambda user: service.panel_counts(db.session, user, utcnow()),
        Permission.TRIAGE_REQUESTS, order=10))
    extension_points.demo_loaders.append(DemoLoader(
        "requests", demo.load, order=20, scale_option="requests",
        scale_help="Also generate this many realistic requests with timelines."))
    extension_points.board_sections.append(BoardSection(
        key="figures", title=_l("This month's requests"),
        template="service_requests/_board_figures.html",
        load=lambda now, profile=None: service.month_figures(db.session, now),
        fingerprint=service.figures_fingerprint, order=50))

    app.jinja_env.globals.update(
        category_name=category_name, request_status_labels=service.STATUS_LABELS,
        request_priority_labels=service.PRIORITY_LABELS)

    @portal_cli.command("close-resolved")
    def close_resolved_command():
        """Close resolved requests left unrated for REQUEST_RATING_DAYS days."""
        closed = service.close_resolved_unrated(db.session)
        db.session.commit()
        click.echo(f"Closed {closed} resolved request(s) without a rating.")
