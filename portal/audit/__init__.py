"""One append-only audit log for the whole back office: who did what to which object, when.

Areas record with ``audit.service.record(...)`` and name their actions with
``registry(app).add(AuditAction(...))`` so the log reads in words, not keys.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.roles import Permission
    from portal.audit import service, staff_views
    from portal.registry import StaffLink, registry

    service.register_actions(app)
    app.register_blueprint(staff_views.bp)
    registry(app).add(StaffLink("staff_audit.audit_log", _l("Audit log"),
                                Permission.READ_AUDIT_LOG, order=900, menu="settings"))
