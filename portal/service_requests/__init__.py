"""Resident requests (诉求) and the staff triage queue."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup, escape

from portal.accounts.roles import Permission
from portal.registry import (
    AudienceParam,
    AudienceSource,
    AuditAction,
    DemoLoader,
    FileAccessRule,
    Job,
    KeptUpload,
    ReferenceData,
    StaffLink,
    StaffPanel,
    Tile,
    registry,
)
from portal.web.labels import locale_code, per_language


def category_name(category) -> str:
    return category.name(locale_code() or "zh") if category else ""


STATUS_TAG_KINDS = {"in_progress": "tag-warn", "resolved": "tag-ok", "closed": "tag-muted",
                    "rejected": "tag-muted", "duplicate": "tag-muted",
                    "transferred": "tag-muted", "withdrawn": "tag-muted",
                    "with_street": "tag-warn"}


def _status_tags() -> dict[str, Markup]:
    from portal.service_requests.service import STATUS_LABELS

    return {status: Markup('<span class="tag %s">%s</span>') % (  # noqa: S704 - escaped
                STATUS_TAG_KINDS.get(status, ""), escape(str(label)))
            for status, label in STATUS_LABELS.items()}


def status_tag(status: str) -> Markup:
    """A request status as a tag, in the page's language."""
    return per_language("request_status_tags", _status_tags)[status]


@click.command("close-resolved")
@with_appcontext
def close_resolved_command():
    """Close resolved requests left unrated for REQUEST_RATING_DAYS days."""
    from portal.extensions import db
    from portal.service_requests import service

    closed = service.close_resolved_unrated(db.session)
    db.session.commit()
    click.echo(f"Closed {closed} resolved request(s) without a rating.")


def _panel(user) -> dict:
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.service_requests import service

    return service.panel_counts(db.session, user, utcnow())


def init_app(app: Flask) -> None:
    from portal.files.service import IMAGES
    from portal.service_requests import (
        board,
        demo,
        jobs,
        service,
        staff_bulk_views,  # noqa: F401  (its route joins staff_views.bp)
        staff_chase_views,  # noqa: F401 - its routes join staff_views' blueprint
        staff_intake_views,  # noqa: F401
        staff_settings_views,
        staff_views,
        views,
    )
    from portal.service_requests.forms import MAX_PHOTOS

    for key, value in service.CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(staff_settings_views.bp)
    app.jinja_env.globals.update(
        category_name=category_name, request_status_tag=status_tag,
        request_status_labels=service.STATUS_LABELS,
        request_priority_labels=service.PRIORITY_LABELS,
        request_channel_labels=service.CHANNEL_LABELS)

    registry(app).add(
        Tile("requests.index", _l("Report a problem"),
             _l("Noise, repairs, clutter, safety: tell us and follow it to done."), order=10,
             tab=lazy_pgettext("tab", "Report"),
             task=("requests.new", lazy_pgettext("task", "Report a problem"))),
        StaffLink("staff_requests.queue", _l("Request queue"), Permission.TRIAGE_REQUESTS,
                  order=10),
        StaffLink("request_settings.settings", _l("Request settings"),
                  Permission.MANAGE_REQUEST_SETTINGS, order=800, menu="settings"),
        StaffPanel("service_requests/staff/_panel.html", _panel, Permission.TRIAGE_REQUESTS,
                   order=10),
        board.SECTION,
        *(AuditAction("requests", key, label) for key, label in service.AUDIT_ACTIONS.items()),
        *service.SETTINGS_ACTIONS,
        FileAccessRule(service.AREA, service.may_see_photo),
        KeptUpload("requests.new", "photos", "photo_tokens", service.AREA,
                   frozenset(IMAGES), views.MAX_PHOTO_BYTES, MAX_PHOTOS),
        AudienceSource(
            "request_resolved", _l("Residents whose request was resolved in a period"),
            lambda params: service.resolved_between_statement(params["first_day"],
                                                              params["last_day"]),
            params=(AudienceParam("first_day", _l("Resolved from"), "date"),
                    AudienceParam("last_day", _l("Resolved until"), "date")),
            order=30),
        ReferenceData("request categories and reply templates", service.seed_reference_data,
                      order=10),
        DemoLoader("requests", demo.load, order=20, scale_option="requests",
                   scale_help="Also generate this many realistic requests with timelines."),
        close_resolved_command,
        Job("close-resolved", "5 * * * *", jobs.close_resolved,
            "close resolved requests left unrated", order=20),
        Job("request-deadlines", "*/15 * * * *", jobs.escalate_deadlines,
            "tell the assignee and directors when a deadline passes", order=30),
        Job("request-escalation", "*/15 * * * *", jobs.escalate_overdue,
            "send requests long overdue to the deputy directors, once", order=31),
    )
