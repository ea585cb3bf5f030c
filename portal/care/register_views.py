"""The register's Excel template, import (upload, preview, confirm) and export, on the care
blueprint: all need MANAGE_CARE."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.audit.service import record
from portal.care import register_io, service
from portal.care.forms import ConfirmImportForm, ImportForm
from portal.care.staff_views import bp, require_manager
from portal.clock import today, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.web.errors import form_view
from portal.web.exports import export_response
from portal.web.render import refused, render, render_form_errors

IMPORT_PAGE = "care/staff/import.html"


@bp.get("/template.xlsx")
def template():
    require_manager()
    return export_response("care-register-template", register_io.HEADERS, lambda _s: [],
                           "xlsx", title=_("Care register"))


@bp.get("/export.xlsx")
def export():
    require_manager()
    record(db.session, current_user, service.AREA, "export", "", "xlsx")
    db.session.commit()
    return export_response("care-register", register_io.HEADERS, register_io.export_rows,
                           "xlsx", title=_("Care register"))


@bp.route("/import", methods=["GET", "POST"])
@form_view
def import_register():
    require_manager()
    form = ImportForm()
    if not form.validate_on_submit():
        page = render_form_errors if form.errors else render
        return page(IMPORT_PAGE, form=form, parsed=None, pending=None)
    upload = form.register.data
    if upload is None or not upload.filename:
        form.register.errors = [_("Choose the filled-in register (.xlsx).")]
        return render_form_errors(IMPORT_PAGE, form=form, parsed=None, pending=None)
    data = upload.stream.read(register_io.MAX_BYTES + 1)
    try:
        if len(data) > register_io.MAX_BYTES:
            raise DomainError(_("The file is too large: at most 5 MB."), "register")
        parsed = register_io.parse(db.session, io.BytesIO(data))
    except DomainError as error:
        return refused(error, IMPORT_PAGE, form=form, parsed=None, pending=None)
    pending = register_io.keep(db.session, current_user, parsed, utcnow())
    db.session.commit()
    return render(IMPORT_PAGE, form=form, parsed=parsed, pending=pending,
                  confirm_form=ConfirmImportForm(formdata=None, pending=pending.id))


@bp.post("/import/confirm")
def confirm_import():
    require_manager()
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("This import had been open a long time. Please upload the file again."), "error")
        return redirect(url_for(".import_register"), 303)
    pending = register_io.pending_of(db.session, current_user, form.pending.data)
    if pending is None:
        abort(404)
    added, changed = register_io.confirm(db.session, current_user, pending, today())
    db.session.commit()
    flash(ngettext("%(num)d person added", "%(num)d people added", added) + " · "
          + ngettext("%(num)d file updated", "%(num)d files updated", changed), "success")
    return redirect(url_for(".index"), 303)
