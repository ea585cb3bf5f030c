"""The back office for minutes: /staff/minutes."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.extensions import db
from portal.files.service import UploadRejected, store_upload
from portal.minutes import service
from portal.minutes.forms import AttachmentForm, MeetingForm, ResolutionForm, UpdateForm
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import render

bp = staff_blueprint("staff_minutes", __name__, "/staff/minutes")


@bp.before_request
def require_permission():
    deny_unless(Permission.PUBLISH_MINUTES)


def _fields(form: MeetingForm) -> dict:
    return {name: getattr(form, name).data for name in service.CONTENT_FIELDS}


@bp.get("")
def index():
    page = paginate(db.session, service.staff_statement(), page_number(), per_page=30)
    return render("minutes/staff/index.html", page=page)


@bp.route("/new", methods=["GET", "POST"])
@form_view
def new():
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = service.create_meeting(db.session, author_id=current_user.id,
                                         form_key=form.form_key.data, **_fields(form))
        db.session.commit()
        flash(_("Draft saved. Add the resolutions and attachments, then publish."), "success")
        return redirect(url_for(".meeting", meeting_id=meeting.id), 303)
    return render("minutes/staff/new.html", form=form, status=422 if form.errors else 200)


def _meeting_or_404(meeting_id: int):
    meeting = service.get_meeting(db.session, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _meeting_page(meeting, form=None, resolution_form=None, attachment_form=None, status=200):
    if form is None:
        form = MeetingForm(formdata=None, obj=meeting)
        form.version.data = str(meeting.version)
    return render("minutes/staff/meeting.html", status=status, meeting=meeting, form=form,
                  resolution_form=resolution_form or ResolutionForm(formdata=None,
                                                                    prefix="resolution"),
                  attachment_form=attachment_form or AttachmentForm(formdata=None,
                                                                    prefix="attachment"))


@bp.get("/<int:meeting_id>")
def meeting(meeting_id):
    return _meeting_page(_meeting_or_404(meeting_id))


@bp.post("/<int:meeting_id>")
@form_view
def edit(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            based_on = int(form.version.data or 0)
        except ValueError:
            based_on = 0
        try:
            changed = service.edit_meeting(db.session, meeting, based_on=based_on,
                                           **_fields(form))
        except service.MinutesError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            if changed:
                flash(_("Saved. Residents see the new version, and can see what changed.")
                      if meeting.published else _("Draft saved."), "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id), 303)
    return _meeting_page(meeting, form=form, status=422)


@bp.post("/<int:meeting_id>/publish")
@form_view
def publish(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    if not ActionForm().validate_on_submit():
        return _meeting_page(meeting, status=422)
    if service.publish(db.session, meeting):
        db.session.commit()
        flash(_("Published. Residents can read these minutes now."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id), 303)


@bp.post("/<int:meeting_id>/attachments")
@form_view
def upload(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = AttachmentForm(prefix="attachment")
    uploads = [item for item in request.files.getlist(form.files.name) if item and item.filename]
    if form.validate_on_submit() and not uploads:
        form.files.errors.append(_("Choose a PDF file to attach."))
    if form.validate_on_submit() and uploads:
        stored = []
        try:
            for upload in uploads[:10]:
                stored.append(store_upload(db.session, upload, owner_id=current_user.id,
                                           area=service.AREA, allowed={"application/pdf"},
                                           max_bytes=20 * 1024 * 1024))
        except UploadRejected as error:
            db.session.rollback()
            form.files.errors.append(error.args[0] if error.args else str(error))
            meeting = _meeting_or_404(meeting_id)
        else:
            service.attach_files(db.session, meeting, stored)
            db.session.commit()
            flash(_("Attachment added."), "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id) + "#attachments", 303)
    return _meeting_page(meeting, attachment_form=form, status=422)


@bp.post("/<int:meeting_id>/attachments/<int:attachment_id>/remove")
def remove_attachment(meeting_id, attachment_id):
    meeting = _meeting_or_404(meeting_id)
    if ActionForm().validate_on_submit() and service.remove_attachment(db.session, meeting,
                                                                       attachment_id):
        db.session.commit()
        flash(_("Attachment removed."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id) + "#attachments", 303)


@bp.post("/<int:meeting_id>/resolutions")
@form_view
def add_resolution(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = ResolutionForm(prefix="resolution")
    if form.validate_on_submit():
        service.add_resolution(db.session, meeting, form_key=form.form_key.data,
                               text=form.text.data, responsible=form.responsible.data,
                               due_on=form.due_on.data)
        db.session.commit()
        flash(_("Resolution added."), "success")
        return redirect(url_for(".meeting", meeting_id=meeting.id) + "#resolutions", 303)
    return _meeting_page(meeting, resolution_form=form, status=422)


def _resolution_or_404(meeting_id: int, resolution_id: int):
    resolution = service.get_resolution(db.session, meeting_id, resolution_id)
    if resolution is None:
        abort(404)
    return resolution


@bp.post("/<int:meeting_id>/resolutions/<int:resolution_id>/remove")
def remove_resolution(meeting_id, resolution_id):
    resolution = _resolution_or_404(meeting_id, resolution_id)
    if ActionForm().validate_on_submit():
        try:
            service.remove_resolution(db.session, resolution)
        except service.MinutesError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Resolution removed."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting_id) + "#resolutions", 303)


@bp.route("/<int:meeting_id>/resolutions/<int:resolution_id>", methods=["GET", "POST"])
@form_view
def resolution(meeting_id, resolution_id):
    resolution = _resolution_or_404(meeting_id, resolution_id)
    form = UpdateForm(status=resolution.status, progress=resolution.progress)
    if request.method == "POST" and not resolution.meeting.published:
        abort(409)
    if form.validate_on_submit():
        service.add_update(db.session, resolution, form_key=form.form_key.data,
                           note=form.note.data, status=form.status.data,
                           progress=form.progress.data, author_id=current_user.id)
        db.session.commit()
        flash(_("Progress update published."), "success")
        return redirect(url_for(".resolution", meeting_id=meeting_id,
                                resolution_id=resolution.id), 303)
    return render("minutes/staff/resolution.html", resolution=resolution, form=form,
                  status=422 if form.errors else 200)
