"""The back-office home (/staff/) and staff accounts (/staff/users)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import oversight, service
from portal.accounts.forms import (
    OverseesForm,
    ResetPasswordForm,
    StaffCreateForm,
    StaffGrantsForm,
)
from portal.accounts.permissions import permission_required, staff_blueprint
from portal.accounts.roles import Permission, Role
from portal.errors import DomainError
from portal.extensions import db
from portal.registry import registry
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render

bp = staff_blueprint("staff", __name__, "/staff")


@bp.get("/")
def home():
    panels = [
        (panel.template, panel.context(current_user))
        for panel in registry().sorted("staff_panels")
        if current_user.can(panel.permission)
    ]
    return render("accounts/staff/home.html", panels=panels)


def _create_form(formdata=...):
    """The new-account form offers only the roles the current user may give."""
    form = StaffCreateForm() if formdata is ... else StaffCreateForm(formdata=formdata)
    form.role.choices = Role.choices(service.creatable_roles(current_user))
    return form


def _users_page(create_form, status=200):
    page = paginate(db.session, service.staff_statement(), page_number(), per_page=50)
    return render("accounts/staff/users.html", "accounts/staff/_users_table.html",
                  status=status, page=page, form=create_form)


@bp.get("/users")
@permission_required(Permission.MANAGE_STAFF)
def users():
    return _users_page(_create_form(formdata=None))


@bp.post("/users")
@permission_required(Permission.MANAGE_STAFF)
@form_view
def create_user():
    form = _create_form()
    if not form.validate_on_submit():
        return _users_page(form, status=422)
    try:
        user = service.create_staff(db.session, phone=form.phone.data, name=form.name.data,
                                    role=form.role.data, password=form.password.data,
                                    acting=current_user)
    except DomainError as error:
        return _refused_on_users_page(error, form)
    db.session.commit()
    flash(_("Account created for %(name)s. Give them the first password in person.",
            name=user.name), "success")
    return redirect(url_for("staff.users"), 303)


def _refused_on_users_page(error, form):
    page = paginate(db.session, service.staff_statement(), page_number(), per_page=50)
    return refused(error, "accounts/staff/users.html", form=form, page=page)


def _staff_or_404(user_id: int):
    user = service.get_staff(db.session, user_id)
    if user is None:
        abort(404)
    return user


def _grants_form(user, formdata=...):
    if formdata is ...:
        form = StaffGrantsForm()
    else:
        form = StaffGrantsForm(formdata=formdata,
                               grants=[grant.permission for grant in user.grants])
    form.grants.choices = Permission.choices(service.grantable_permissions(current_user))
    return form


def _oversees_form(user, formdata=...):
    form = (OverseesForm(prefix="oversees") if formdata is ... else
            OverseesForm(formdata=formdata, prefix="oversees", teams=user.oversees_teams))
    form.teams.choices = [(team.value, team.label) for team in oversight.TEAMS]
    return form


def _user_context(user, grants_form=None, reset_form=None, oversees_form=None):
    return {
        "user": user,
        "manageable": service.may_manage(current_user, user),
        "grants_form": grants_form or _grants_form(user, formdata=None),
        "reset_form": reset_form or ResetPasswordForm(formdata=None, prefix="reset"),
        "oversees_form": oversees_form or _oversees_form(user, formdata=None),
        "deputy": user.role == Role.DEPUTY_DIRECTOR.value,
        "team_label": lambda team: Role(team).label,
    }


def _user_page(user, status=200, **forms):
    return render("accounts/staff/user.html", status=status, **_user_context(user, **forms))


def _refused_on_user_page(error, user, form=None, **forms):
    context = _user_context(user, **forms)
    if not context["manageable"] or user.id == current_user.id:
        form = None  # its form is not on the page: the message comes as error feedback
    return refused(error, "accounts/staff/user.html", form=form, **context)


@bp.get("/users/<int:user_id>")
@permission_required(Permission.MANAGE_STAFF)
def user_detail(user_id):
    return _user_page(_staff_or_404(user_id))


@bp.post("/users/<int:user_id>/active")
@permission_required(Permission.MANAGE_STAFF)
@form_view
def set_active(user_id):
    user = _staff_or_404(user_id)
    if not ActionForm().validate_on_submit():
        return _user_page(user, status=422)
    activate = request.form.get("active") == "1"
    try:
        service.set_active(user, activate, current_user)
    except DomainError as error:
        return _refused_on_user_page(error, user)
    db.session.commit()
    message = (_("%(name)s can sign in again.", name=user.name) if activate else
               _("%(name)s is deactivated and signed out everywhere.", name=user.name))
    flash(message, "success")
    return redirect(url_for("staff.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/grants")
@permission_required(Permission.MANAGE_STAFF)
@form_view
def set_grants(user_id):
    user = _staff_or_404(user_id)
    form = _grants_form(user)
    if not form.validate_on_submit():
        return _user_page(user, grants_form=form, status=422)
    try:
        service.set_grants(db.session, user, form.grants.data, current_user)
    except DomainError as error:
        return _refused_on_user_page(error, user, form=form, grants_form=form)
    db.session.commit()
    flash(_("Permissions saved."), "success")
    return redirect(url_for("staff.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/oversees")
@permission_required(Permission.MANAGE_STAFF)
@form_view
def set_oversees(user_id):
    user = _staff_or_404(user_id)
    form = _oversees_form(user)
    if not form.validate_on_submit():
        return _user_page(user, oversees_form=form, status=422)
    try:
        oversight.set_oversees(db.session, user, form.teams.data, current_user)
    except DomainError as error:
        on_page = form if user.role == Role.DEPUTY_DIRECTOR.value else None
        return _refused_on_user_page(error, user, form=on_page, oversees_form=form)
    db.session.commit()
    flash(_("Saved: the teams %(name)s oversees.", name=user.name), "success")
    return redirect(url_for("staff.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/password")
@permission_required(Permission.MANAGE_STAFF)
@form_view
def reset_password(user_id):
    user = _staff_or_404(user_id)
    form = ResetPasswordForm(prefix="reset")
    if not form.validate_on_submit():
        return _user_page(user, reset_form=form, status=422)
    try:
        service.reset_password(user, form.new_password.data, current_user)
    except DomainError as error:
        return _refused_on_user_page(error, user, form=form, reset_form=form)
    db.session.commit()
    flash(_("New password set for %(name)s, who has been signed out everywhere.",
            name=user.name), "success")
    return redirect(url_for("staff.user_detail", user_id=user.id), 303)
