"""The back office for activities (/staff/activities): publish, run sign-ups, take attendance."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.activities import service
from portal.activities.forms import ActivityForm, CheckInForm
from portal.activities.views import register_busy_handlers
from portal.clock import utcnow
from portal.extensions import db
from portal.files.service import IMAGES, UploadRejected, claim_pending, store_upload
from portal.satisfaction import FORMULA, LEVELS, satisfaction_rate
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import render

bp = staff_blueprint("activities_staff", __name__, "/staff/activities")
register_busy_handlers(bp)


@bp.before_request
def require_permission():
    deny_unless(Permission.MANAGE_ACTIVITIES)


def _activity_or_404(activity_id: int):
    activity = service.get_any(db.session, activity_id)
    if activity is None:
        abort(404)
    return activity


@bp.get("")
def index():
    page = paginate(db.session, service.staff_statement(), page_number(), per_page=25,
                    scalars=False)
    return render("activities/staff/index.html", "activities/staff/_table.html", page=page)


def _cover_from(form: ActivityForm):
    """A newly chosen cover, or the one uploaded before a form that failed (kept by token)."""
    upload = form.cover.data
    if upload and getattr(upload, "filename", ""):
        try:
            stored = store_upload(db.session, upload, owner_id=current_user.id,
                                  area="activities", allowed=IMAGES)
        except UploadRejected as error:
            form.cover.errors.append(error.message)
            return None
        form.cover_token.data = stored.token
        return stored
    pending = claim_pending(db.session, [form.cover_token.data or ""], current_user.id,
                            "activities")
    return pending[0] if pending else None


def _form_page(form, activity=None, status=200, cover=None):
    return render("activities/staff/form.html", status=status, form=form, activity=activity,
                  pending_cover=cover)


@bp.route("/new", methods=["GET", "POST"])
@form_view
def new():
    if request.method == "GET":
        return _form_page(ActivityForm(formdata=None, form_key=secrets.token_urlsafe(16)))
    form = ActivityForm()
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        return _form_page(form, status=422)
    cover = _cover_from(form)
    db.session.commit()  # a pending upload is kept, whatever happens next
    if not valid or form.cover.errors:
        return _form_page(form, status=422, cover=cover)
    try:
        activity = service.create_activity(db.session, form.fields_for_service(),
                                           current_user.id, cover=cover,
                                           form_key=form.form_key.data)
        db.session.commit()
    except IntegrityError:  # the same form, sent twice at the same moment
        db.session.rollback()
        activity = service.find_by_form_key(db.session, form.form_key.data)
        if activity is None:
            raise
    flash(_("Activity saved."), "success")
    return redirect(url_for("activities_staff.detail", activity_id=activity.id), 303)


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@form_view
def edit(activity_id):
    activity = _activity_or_404(activity_id)
    if request.method == "GET":
        return _form_page(ActivityForm.for_activity(activity), activity)
    form = ActivityForm()
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        return _form_page(form, activity, status=422)
    cover = _cover_from(form)
    db.session.commit()  # a pending upload is kept, whatever happens next
    if valid and not form.cover.errors:
        try:
            service.update_activity(db.session, activity.id, form.fields_for_service(),
                                    utcnow(), cover=cover, remove_cover=form.remove_cover.data)
        except service.ActivityError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Activity saved."), "success")
            return redirect(url_for("activities_staff.detail", activity_id=activity_id), 303)
    return _form_page(form, _activity_or_404(activity_id), status=422, cover=cover)


def _signup_list(activity, status: str, template: str, fragment: str):
    page = paginate(db.session, service.signups_statement(activity.id, status), page_number(),
                    per_page=100, scalars=False)
    counts = service.rating_counts(db.session, activity.id)
    return render(template, fragment, activity=activity, page=page,
                  taken=service.seats_taken(db.session, activity.id),
                  waiting=service.waitlist_length(db.session, activity.id),
                  ratings=counts, rate=satisfaction_rate(counts), levels=LEVELS,
                  formula=FORMULA)


@bp.get("/<int:activity_id>")
def detail(activity_id):
    return _signup_list(_activity_or_404(activity_id), service.CONFIRMED,
                        "activities/staff/detail.html", "activities/staff/_signups.html")


@bp.get("/<int:activity_id>/waitlist")
def waitlist(activity_id):
    return _signup_list(_activity_or_404(activity_id), service.WAITLISTED,
                        "activities/staff/waitlist.html", "activities/staff/_signups.html")


@bp.get("/<int:activity_id>/signups.csv")
def export(activity_id):
    activity = _activity_or_404(activity_id)
    labels = {service.CONFIRMED: _("Confirmed"), service.WAITLISTED: _("Waitlisted")}
    body = service.export_csv(db.session, activity, labels,
                              lambda value: format_datetime(value, "yyyy-MM-dd HH:mm"))
    return body, 200, {"Content-Type": "text/csv; charset=utf-8",
                       "Content-Disposition":
                       f'attachment; filename="activity-{activity.id}-signups.csv"'}


def _attendance_page(activity, form=None, status=200):
    form = form or CheckInForm(formdata=None, code=request.args.get("code", ""))
    page = paginate(db.session, service.signups_statement(activity.id, service.CONFIRMED),
                    page_number(), per_page=100, scalars=False)
    present = sum(1 for signup, _user in page.items if signup.attended_at)
    return render("activities/staff/attendance.html", "activities/staff/_attendance_list.html",
                  status=status, activity=activity, page=page, form=form, present=present,
                  action=ActionForm(formdata=None))


@bp.get("/<int:activity_id>/attendance")
def attendance(activity_id):
    return _attendance_page(_activity_or_404(activity_id))


@bp.post("/<int:activity_id>/attendance/<int:signup_id>")
@form_view
def mark(activity_id, signup_id):
    activity = _activity_or_404(activity_id)
    if not ActionForm().validate_on_submit():
        return _attendance_page(activity, status=422)
    try:
        service.set_attendance(db.session, activity, signup_id,
                               request.form.get("attended") == "1", utcnow())
    except service.NotFound:
        abort(404)
    db.session.commit()
    return redirect(url_for("activities_staff.attendance", activity_id=activity_id), 303)


@bp.post("/<int:activity_id>/checkin")
@form_view
def checkin(activity_id):
    activity = _activity_or_404(activity_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        return _attendance_page(activity, form=form, status=422)
    try:
        signup = service.check_in_by_code(db.session, activity, form.code.data, utcnow())
    except service.ActivityError as error:
        form.code.errors.append(error.message)
        return _attendance_page(activity, form=form, status=422)
    db.session.commit()
    flash(_("%(name)s is checked in.", name=db.session.get(User, signup.user_id).name),
          "success")
    return redirect(url_for("activities_staff.attendance", activity_id=activity_id), 303)


def panel_context(_user) -> dict:
    return service.staff_overview(db.session, utcnow())
