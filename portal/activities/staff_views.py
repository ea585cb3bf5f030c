"""The back office for activities (/staff/activities): publish, run sign-ups, take attendance."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.activities import service
from portal.activities.forms import ActivityForm, CheckInForm
from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.files.service import IMAGES, take_uploads
from portal.satisfaction import FORMULA, LEVELS, satisfaction_rate
from portal.web.errors import form_view, register_busy_handlers
from portal.web.exports import export_response
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render

FORM_PAGE = "activities/staff/form.html"
ATTENDANCE_PAGE = "activities/staff/attendance.html"
ATTENDANCE_FRAGMENT = "activities/staff/_attendance_list.html"

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
    uploads = take_uploads(db.session, [form.cover.data], kept=[form.cover_token.data or ""],
                           owner_id=current_user.id, area="activities", allowed=IMAGES)
    form.cover.errors = [*form.cover.errors, *uploads.errors]
    form.cover_token.data = uploads.tokens
    return uploads.first


def _form_page(form, activity=None, status=200, cover=None):
    return render(FORM_PAGE, status=status, form=form, activity=activity, pending_cover=cover)


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
                                           form_key=form.form_key.data, actor=current_user)
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
    if not valid or form.cover.errors:
        return _form_page(form, activity, status=422, cover=cover)
    try:
        service.update_activity(db.session, activity.id, form.fields_for_service(), utcnow(),
                                cover=cover, remove_cover=form.remove_cover.data,
                                actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return refused(error, FORM_PAGE, form=form, activity=_activity_or_404(activity_id),
                       pending_cover=cover)
    db.session.commit()
    flash(_("Activity saved."), "success")
    return redirect(url_for("activities_staff.detail", activity_id=activity_id), 303)


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


@bp.get("/<int:activity_id>/signups.<any(csv, xlsx):fmt>")
def export(activity_id, fmt):
    activity = _activity_or_404(activity_id)
    service.audit(db.session, current_user, "export", activity, fmt)
    db.session.commit()
    return export_response(f"activity-{activity.id}-signups", service.EXPORT_HEADERS,
                           lambda session: service.export_rows(session, activity_id), fmt,
                           title=activity.title)


def _attendance_context(activity, form=None) -> dict:
    form = form or CheckInForm(formdata=None, code=request.args.get("code", ""))
    page = paginate(db.session, service.signups_statement(activity.id, service.CONFIRMED),
                    page_number(), per_page=100, scalars=False)
    present = sum(1 for signup, _user in page.items if signup.attended_at)
    return dict(activity=activity, page=page, form=form, present=present,
                action=ActionForm(formdata=None))


def _attendance_page(activity, form=None, status=200):
    return render(ATTENDANCE_PAGE, ATTENDANCE_FRAGMENT, status=status,
                  **_attendance_context(activity, form))


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
                               request.form.get("attended") == "1", utcnow(), current_user)
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
        signup = service.check_in_by_code(db.session, activity, form.code.data, utcnow(),
                                          current_user)
    except DomainError as error:
        context = _attendance_context(activity, form)
        return refused(error, ATTENDANCE_PAGE, ATTENDANCE_FRAGMENT, form=context.pop("form"),
                       **context)
    db.session.commit()
    flash(_("%(name)s is checked in.", name=db.session.get(User, signup.user_id).name),
          "success")
    return redirect(url_for("activities_staff.attendance", activity_id=activity_id), 303)


def panel_context(_user) -> dict:
    return service.staff_overview(db.session, utcnow())
