"""Aid settings in the back office: the aid types and their checklists, the holiday table for
working-day deadlines, and aid's lines of the audit log."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.aid import forms, service
from portal.errors import DomainError
from portal.extensions import db
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, render_form_errors

bp = staff_blueprint("aid_settings", __name__, "/staff/aid")

TYPE_PAGE = "aid/staff/type_edit.html"


@bp.before_request
def require_permission():
    deny_unless(Permission.MANAGE_AID_TYPES)


# --- Aid types ---------------------------------------------------------------------------------

@bp.get("/types")
def types():
    return render("aid/staff/types.html", types=service.list_types(db.session))


def _type_values(form) -> dict:
    return dict(name_zh=form.name_zh.data, name_en=form.name_en.data,
                description_zh=form.description_zh.data, description_en=form.description_en.data,
                eligibility_zh=form.eligibility_zh.data, eligibility_en=form.eligibility_en.data,
                needs_notice=form.needs_notice.data, asks_assets=form.asks_assets.data,
                materials=service.parse_materials(form.materials.data))


def _checklist_error(form) -> bool:
    if form.materials.data and not service.parse_materials(form.materials.data):
        form.add_error(_("List at least one item."), "materials")
        return True
    return False


@bp.route("/types/new", methods=["GET", "POST"])
@form_view
def type_new():
    if request.method == "GET":
        return render(TYPE_PAGE, form=forms.NewTypeForm(formdata=None), aid_type=None)
    form = forms.NewTypeForm()
    if not form.validate_on_submit() or _checklist_error(form):
        return render_form_errors(TYPE_PAGE, form=form, aid_type=None)
    try:
        aid_type = service.create_type(db.session, code=form.code.data, actor=current_user,
                                       **_type_values(form))
    except DomainError as error:
        db.session.rollback()
        return refused(error, TYPE_PAGE, form=form, aid_type=None)
    db.session.commit()
    flash(_("Aid type “%(name)s” added. Residents can apply for it now.",
            name=service.localized(aid_type, "name")), "success")
    return redirect(url_for("aid_settings.types"), 303)


@bp.route("/types/<code>", methods=["GET", "POST"])
@form_view
def type_edit(code):
    aid_type = service.get_type(db.session, code)
    if aid_type is None:
        abort(404)
    if request.method == "GET":
        form = forms.TypeForm(formdata=None, obj=aid_type)
        form.materials.data = service.materials_text(aid_type)
        return render(TYPE_PAGE, form=form, aid_type=aid_type)
    form = forms.TypeForm()
    if not form.validate_on_submit() or _checklist_error(form):
        return render_form_errors(TYPE_PAGE, form=form, aid_type=aid_type)
    service.update_type(aid_type, actor=current_user, **_type_values(form))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("aid_settings.types"), 303)


# --- The holiday table -------------------------------------------------------------------------

@bp.route("/holidays", methods=["GET", "POST"])
@form_view
def holidays():
    form = forms.HolidayForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        service.save_holiday(db.session, form.day.data, is_workday=form.is_workday.data,
                             note=form.note.data or "", actor=current_user)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("aid_settings.holidays"), 303)
    page = paginate(db.session, service.holidays_statement(), page_number(), per_page=50)
    status = 422 if form.errors else 200
    return render("aid/staff/holidays.html", status=status, form=form, page=page)


@bp.post("/holidays/<day>/remove")
def holiday_remove(day):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        day = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if service.remove_holiday(db.session, day, current_user):
        db.session.commit()
    return redirect(url_for("aid_settings.holidays"), 303)
