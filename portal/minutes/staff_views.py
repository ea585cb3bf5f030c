"""The back office for minutes: /staff/minutes."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.errors import DomainError
from portal.extensions import db
from portal.files.service import PDF, take_uploads
from portal.minutes import service
from portal.minutes.forms import AttachmentForm, MeetingForm, ResolutionForm, UpdateForm
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, render_form_errors

bp = staff_blueprint("staff_minutes", __name__, "/staff/minutes")

MAX_PDFS = 10  # at once
MAX_PDF_BYTES = 20 * 1024 * 1024


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
                                         form_key=form.form_key.data, actor=current_user,
                                         **_fields(form))
        db.session.commit()
        flash(_("Draft saved. Add the resolutions and attachments, then publish."), "success")
        return redirect(url_for(".meeting", meeting_id=meeting.id), 303)
    return render("minutes/staff/new.html", meeting_form=form,
                  status=422 if form.errors else 200)


def _meeting_or_404(meeting_id: int):
    meeting = service.get_meeting(db.session, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _meeting_context(meeting, meeting_form=None, resolution_form=None, attachment_form=None,
                     kept_files=()) -> dict:
    """What the meeting page shows: the meeting, and its three forms (fresh unless given)."""
    if meeting_form is None:
        meeting_form = MeetingForm(formdata=None, obj=meeting)
        meeting_form.version.data = str(meeting.version)
    return {"meeting": meeting, "meeting_form": meeting_form, "kept_files": kept_files,
            "resolution_form": resolution_form or ResolutionForm(formdata=None,
                                                                 prefix="resolution"),
            "attachment_form": attachment_form or AttachmentForm(formdata=None,
                                                                 prefix="attachment")}


MEETING_PAGE = "minutes/staff/meeting.html"


@bp.get("/<int:meeting_id>")
def meeting(meeting_id):
    return render(MEETING_PAGE, **_meeting_context(_meeting_or_404(meeting_id)))


@bp.post("/<int:meeting_id>")
@form_view
def edit(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        return render_form_errors(MEETING_PAGE, **_meeting_context(meeting, meeting_form=form))
    try:
        based_on = int(form.version.data or 0)
    except ValueError:
        based_on = 0
    try:
        changed = service.edit_meeting(db.session, meeting, current_user, based_on=based_on,
                                       **_fields(form))
    except DomainError as error:
        return refused(error, MEETING_PAGE, form=form,
                       **_meeting_context(meeting, meeting_form=form))
    db.session.commit()
    if changed:
        flash(_("Saved. Residents see the new version, and can see what changed.")
              if meeting.published else _("Draft saved."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id), 303)


@bp.post("/<int:meeting_id>/publish")
@form_view
def publish(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    if not ActionForm().validate_on_submit():
        return render(MEETING_PAGE, status=422, **_meeting_context(meeting))
    if service.publish(db.session, meeting, current_user):
        db.session.commit()
        flash(_("Published. Residents can read these minutes now."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id), 303)


@bp.post("/<int:meeting_id>/attachments")
@form_view
def upload(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = AttachmentForm(prefix="attachment")
    if not form.validate_on_submit():
        return render_form_errors(MEETING_PAGE, **_meeting_context(meeting, attachment_form=form))
    uploads = take_uploads(db.session, request.files.getlist(form.files.name),
                           kept=(form.kept.data or "").split(), owner_id=current_user.id,
                           area=service.AREA, allowed=PDF, max_bytes=MAX_PDF_BYTES,
                           max_files=MAX_PDFS)
    for message in uploads.errors:
        form.add_error(message, "files")
    if not uploads.files and not uploads.errors:
        form.add_error(_("Choose a PDF file to attach."), "files")
    if form.files.errors:
        # The accepted files stay uploaded, unattached, until the next try attaches them.
        form.kept.data = uploads.tokens
        db.session.commit()
        return render_form_errors(MEETING_PAGE, **_meeting_context(
            meeting, attachment_form=form, kept_files=uploads.files))
    service.attach_files(db.session, meeting, uploads.files, current_user)
    db.session.commit()
    flash(ngettext("Attachment added.", "%(num)d attachments added.", len(uploads.files)),
          "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id) + "#attachments", 303)


@bp.post("/<int:meeting_id>/attachments/<int:attachment_id>/remove")
def remove_attachment(meeting_id, attachment_id):
    meeting = _meeting_or_404(meeting_id)
    if ActionForm().validate_on_submit() and service.remove_attachment(db.session, meeting,
                                                                       attachment_id,
                                                                       current_user):
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
                               due_on=form.due_on.data, actor=current_user)
        db.session.commit()
        flash(_("Resolution added."), "success")
        return redirect(url_for(".meeting", meeting_id=meeting.id) + "#resolutions", 303)
    return render_form_errors(MEETING_PAGE, **_meeting_context(meeting, resolution_form=form))


RESOLUTION_PAGE = "minutes/staff/resolution.html"


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
            service.remove_resolution(db.session, resolution, current_user)
        except DomainError as error:
            return refused(error, MEETING_PAGE, **_meeting_context(_meeting_or_404(meeting_id)))
        db.session.commit()
        flash(_("Resolution removed."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting_id) + "#resolutions", 303)


@bp.route("/<int:meeting_id>/resolutions/<int:resolution_id>", methods=["GET", "POST"])
@form_view
def resolution(meeting_id, resolution_id):
    resolution = _resolution_or_404(meeting_id, resolution_id)
    form = UpdateForm(status=resolution.status, progress=resolution.progress)
    if request.method == "GET":
        return render(RESOLUTION_PAGE, resolution=resolution, form=form)
    if not form.validate_on_submit():
        return render_form_errors(RESOLUTION_PAGE, resolution=resolution, form=form)
    try:
        service.add_update(db.session, resolution, form_key=form.form_key.data,
                           note=form.note.data, status=form.status.data,
                           progress=form.progress.data, author_id=current_user.id,
                           actor=current_user)
    except DomainError as error:  # the minutes are still a draft: the page has no form then
        return refused(error, RESOLUTION_PAGE, resolution=resolution)
    db.session.commit()
    flash(_("Progress update published."), "success")
    return redirect(url_for(".resolution", meeting_id=meeting_id, resolution_id=resolution.id),
                    303)
