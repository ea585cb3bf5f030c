"""Open311 GeoReport v2 at /open311/v2/, and its back office: the API keys at
/staff/api-keys and the extra questions a category asks."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.routing import PathConverter, UnicodeConverter

from portal.accounts.roles import Permission
from portal.registry import AuditAction, StaffLink, registry

CONFIG_DEFAULTS = {
    # The jurisdiction_id this community answers to; clients naming another are refused.
    "OPEN311_JURISDICTION_ID": "linli",
    # Calls allowed for each key, and for each address calling without a key.
    "API_RATE_LIMIT_PER_KEY": "120 per minute",
    "API_RATE_LIMIT_PER_ADDRESS": "30 per minute",
}


def init_app(app: Flask) -> None:
    from portal.api import service, staff_views, views

    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    # The API's routes take any path segment, even one the portal's converters refuse
    # (control characters: then no route would match and the answer would be the HTML 404),
    # so that every answer under /open311/v2/ is in the specification's format. The views
    # check what they take.
    app.url_map.converters["open311_segment"] = UnicodeConverter
    app.url_map.converters["open311_any_path"] = PathConverter
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).add(
        StaffLink("api_keys.index", _l("API keys"), Permission.MANAGE_API_KEYS, order=850,
                  menu="settings"),
        StaffLink("api_keys.questions", _l("Extra questions for categories"),
                  Permission.MANAGE_REQUEST_SETTINGS, order=810, menu="settings"),
        AuditAction(service.AREA, "key_issued", _l("Issued an API key")),
        AuditAction(service.AREA, "key_revoked", _l("Revoked an API key")),
        AuditAction(service.AREA, "requests_read", _l("Read requests through the API")),
        AuditAction(service.AREA, "requests_read_details",
                    _l("Read requests with their descriptions through the API")),
        AuditAction(service.AREA, "request_created", _l("Created a request through the API")),
        AuditAction("settings", "api_question_added", _l("Added an extra question")),
        AuditAction("settings", "api_question_edited", _l("Edited an extra question")),
    )
