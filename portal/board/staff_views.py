"""Board profiles in the back office (/staff/board): which sections a screen shows."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.accounts.permissions import permission_required, staff_blueprint
from portal.accounts.roles import Permission
from portal.board import service
from portal.board.forms import ProfileForm
from portal.extensions import db
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import render

bp = staff_blueprint("board_staff", __name__, "/staff/board")


def _list_page(form, status=200):
    page = paginate(db.session, service.profiles_statement(), page_number(), per_page=50)
    return render("board/staff/profiles.html", status=status, page=page, form=form)


def _profile_or_404(profile_id: int):
    profile = service.get_profile(db.session, profile_id)
    if profile is None:
        abort(404)
    return profile


def _save(form, profile):
    """Validate and save; None when the form has errors (they are on the form)."""
    if not form.validate_on_submit():
        return None
    try:
        saved = service.save_profile(db.session, profile, slug=form.slug.data,
                                     name=form.name.data, sections=form.sections.data or [],
                                     building=form.building.data)
        db.session.commit()
    except service.ProfileError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(error.message)
        return None
    except IntegrityError:  # the same profile sent twice at once
        db.session.rollback()
        form.slug.errors.append(_("Another profile already uses this short name."))
        return None
    return saved


@bp.get("")
@permission_required(Permission.MANAGE_BOARD)
def profiles():
    return _list_page(ProfileForm(formdata=None))


@bp.post("")
@permission_required(Permission.MANAGE_BOARD)
@form_view
def create_profile():
    form = ProfileForm()
    saved = _save(form, None)
    if saved is None:
        return _list_page(form, status=422)
    flash(_("Profile %(name)s saved.", name=saved.name), "success")
    return redirect(url_for("board_staff.profiles"), 303)


def _edit_page(profile, form=None, status=200):
    form = form or ProfileForm(formdata=None, obj=profile, stored_sections=profile.sections)
    return render("board/staff/profile.html", status=status, profile=profile, form=form)


@bp.get("/<int:profile_id>")
@permission_required(Permission.MANAGE_BOARD)
def edit_profile(profile_id):
    return _edit_page(_profile_or_404(profile_id))


@bp.post("/<int:profile_id>")
@permission_required(Permission.MANAGE_BOARD)
@form_view
def update_profile(profile_id):
    profile = _profile_or_404(profile_id)
    form = ProfileForm(stored_sections=profile.sections)
    saved = _save(form, profile)
    if saved is None:
        return _edit_page(_profile_or_404(profile_id), form, status=422)
    flash(_("Profile %(name)s saved.", name=saved.name), "success")
    return redirect(url_for("board_staff.profiles"), 303)


@bp.post("/<int:profile_id>/delete")
@permission_required(Permission.MANAGE_BOARD)
@form_view
def delete_profile(profile_id):
    profile = _profile_or_404(profile_id)
    if not ActionForm().validate_on_submit():
        return _edit_page(profile, status=422)
    service.delete_profile(db.session, profile)
    db.session.commit()
    flash(_("Profile deleted."), "success")
    return redirect(url_for("board_staff.profiles"), 303)
