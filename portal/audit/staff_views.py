"""/staff/audit: the one audit log (操作日志) for the director, filtered and paged, and its
download, which is itself recorded."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission, Role
from portal.audit import service
from portal.extensions import db
from portal.web.exports import export_response
from portal.web.inputs import int_arg
from portal.web.render import render

bp = staff_blueprint("staff_audit", __name__, "/staff")


@bp.before_request
def require_audit():
    deny_unless(Permission.READ_AUDIT_LOG)


def _filters():
    from flask import request

    return service.AuditFilters.from_args(request.args)


@bp.get("/audit")
def audit_log():
    filters = _filters()
    entries, older = service.page(db.session, filters, int_arg("before", None, minimum=1))
    staff = list(db.session.scalars(select(User).where(User.role != Role.RESIDENT.value)
                                    .order_by(User.name)))
    return render("audit/staff/log.html", entries=entries, older=older, filters=filters,
                  staff=staff, areas=service.AREA_LABELS, actions=service.action_choices(),
                  action_label=service.action_label, area_label=service.area_label)


@bp.get("/audit.<any(csv, xlsx):fmt>")
def export(fmt):
    filters = _filters()
    service.record(db.session, current_user, "audit", "export", "",
                   ", ".join(f"{key}={value}" for key, value in filters.as_args().items()))
    db.session.commit()
    statement = service.filtered_statement(filters)
    return export_response("audit-log", service.EXPORT_HEADERS,
                           lambda session: service.export_rows(session, statement), fmt,
                           title=_("Audit log"))
