"""Board profiles in the back office (/staff/board): which sections a screen shows."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import permission_required, staff_blueprint
from portal.accounts.roles import Permission
from portal.board import service
from portal.board.forms import ProfileForm
from portal.errors import DomainError
from portal.extensions import db
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, render_form_errors

bp = staff_blueprint("board_staff", __name__, "/staff/board")


LIST_PAGE = "board/staff/profiles.html"
EDIT_PAGE = "board/staff/profile.html"


def _list_context(form) -> dict:
    page = paginate(db.session, service.profiles_statement(), page_number(), per_page=50)
    return {"page": page, "profile_form": form}


def _profile_or_404(profile_id: int):
    profile = service.get_profile(db.session, profile_id)
    if profile is None:
        abort(404)
    return profile


def _save(profile, form):
    return service.save_profile(db.session, profile, slug=form.slug.data, name=form.name.data,
                                sections=form.sections.data or [], building=form.building.data,
                                actor=current_user)


@bp.get("")
@permission_required(Permission.MANAGE_BOARD)
def profiles():
    return render(LIST_PAGE, **_list_context(ProfileForm(formdata=None)))


@bp.post("")
@permission_required(Permission.MANAGE_BOARD)
@form_view
def create_profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return render_form_errors(LIST_PAGE, **_list_context(form))
    try:
        saved = _save(None, form)
    except DomainError as error:
        return refused(error, LIST_PAGE, form=form, **_list_context(form))
    db.session.commit()
    flash(_("Profile %(name)s saved.", name=saved.name), "success")
    return redirect(url_for("board_staff.profiles"), 303)


def _edit_context(profile, form=None) -> dict:
    form = form or ProfileForm(formdata=None, obj=profile, stored_sections=profile.sections)
    return {"profile": profile, "profile_form": form}


@bp.get("/<int:profile_id>")
@permission_required(Permission.MANAGE_BOARD)
def edit_profile(profile_id):
    return render(EDIT_PAGE, **_edit_context(_profile_or_404(profile_id)))


@bp.post("/<int:profile_id>")
@permission_required(Permission.MANAGE_BOARD)
@form_view
def update_profile(profile_id):
    profile = _profile_or_404(profile_id)
    form = ProfileForm(stored_sections=profile.sections)
    if not form.validate_on_submit():
        return render_form_errors(EDIT_PAGE, **_edit_context(profile, form))
    try:
        saved = _save(profile, form)
    except DomainError as error:
        return refused(error, EDIT_PAGE, form=form, **_edit_context(profile, form))
    db.session.commit()
    flash(_("Profile %(name)s saved.", name=saved.name), "success")
    return redirect(url_for("board_staff.profiles"), 303)


@bp.post("/<int:profile_id>/delete")
@permission_required(Permission.MANAGE_BOARD)
@form_view
def delete_profile(profile_id):
    profile = _profile_or_404(profile_id)
    if not ActionForm().validate_on_submit():
        return render(EDIT_PAGE, status=422, **_edit_context(profile))
    service.delete_profile(db.session, profile, current_user)
    db.session.commit()
    flash(_("Profile deleted."), "success")
    return redirect(url_for("board_staff.profiles"), 303)
