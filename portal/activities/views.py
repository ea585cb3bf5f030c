"""Residents and the public: browse, sign up, cancel, calendars, rating afterwards."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.activities import service
from portal.activities.calendar import activities_ics
from portal.activities.forms import RateForm, SignupForm
from portal.activities.models import Category
from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.satisfaction import Level
from portal.web.errors import form_view, register_busy_handlers
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render

bp = Blueprint("activities", __name__, url_prefix="/activities")


register_busy_handlers(bp)


def qr_svg(data: str, title: str) -> Markup:
    """A QR code as inline SVG (no style attribute, so the CSP allows it)."""
    svg = segno.make(data, error="m").svg_inline(scale=5, title=title, svgclass="qr",
                                                 lineclass=None, light="#fff")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno output


def checkin_qr(signup) -> Markup:
    url = url_for("activities_staff.attendance", activity_id=signup.activity_id,
                  code=signup.checkin_code, _external=True)
    return qr_svg(url, _("Check-in code %(code)s", code=signup.checkin_code))


@bp.get("/")
def index():
    category = request.args.get("category") or None
    seats_left = request.args.get("seats") == "1"
    statement = service.upcoming_statement(utcnow(), category, seats_left)
    page = paginate(db.session, statement, page_number(), per_page=20, scalars=False)
    return render("activities/index.html", "activities/_list.html", page=page,
                  categories=list(Category), category=category, seats_left=seats_left)


def _visible_or_404(activity_id: int):
    activity = service.get_visible(db.session, activity_id)
    if activity is None:
        abort(404)
    return activity


DETAIL_PAGE = "activities/detail.html"


def _detail(activity, signup_form=None, rate_form=None, status=200):
    return render(DETAIL_PAGE, status=status,
                  **_detail_context(activity, signup_form=signup_form, rate_form=rate_form))


def _detail_context(activity, signup_form=None, rate_form=None) -> dict:
    now = utcnow()
    signup = position = None
    if current_user.is_authenticated:
        signup = service.signup_of(db.session, activity.id, current_user.id)
        if signup is not None and signup.status == service.WAITLISTED:
            position = service.waitlist_position(db.session, signup)
    taken = service.seats_taken(db.session, activity.id)
    signup_form = signup_form or SignupForm(formdata=None,
                                            max_companions=activity.max_companions)
    rate_form = rate_form or RateForm(formdata=None,
                                      level=signup.rating if signup else None)
    active = signup is not None and signup.status in service.ACTIVE
    return dict(activity=activity, signup=signup, active=active, position=position,
                seats_left=max(0, activity.capacity - taken),
                problem=service.signup_problem(activity, now), signup_form=signup_form,
                rate_form=rate_form, may_rate=service.may_rate(activity, signup, now),
                can_cancel=active and now < activity.starts_at,
                qr=checkin_qr(signup) if active and signup.status == service.CONFIRMED
                else None, cancel_form=ActionForm(formdata=None))


def _refused(activity_id: int, error: DomainError, signup_form=None):
    """The activity as it now is, with the refusal on the sign-up form's field (the form
    keeps the choice) or as the error feedback."""
    db.session.rollback()
    activity = _visible_or_404(activity_id)
    form = signup_form if error.field and signup_form is not None else None
    return refused(error, DETAIL_PAGE, form=form,
                   **_detail_context(activity, signup_form=signup_form))


@bp.get("/<int:activity_id>")
def detail(activity_id):
    return _detail(_visible_or_404(activity_id))


@bp.post("/<int:activity_id>/signup")
@login_required
@form_view
def signup(activity_id):
    activity = _visible_or_404(activity_id)
    form = SignupForm(max_companions=activity.max_companions)
    if not form.validate_on_submit():
        return _detail(activity, signup_form=form, status=422)
    try:
        signup, created = service.sign_up(db.session, activity.id, current_user.id,
                                          form.companions.data, utcnow())
    except service.NotFound:
        abort(404)
    except DomainError as error:
        return _refused(activity_id, error, signup_form=form)
    db.session.commit()
    if not created:
        flash(_("You are already signed up for this activity."), "success")
    elif signup.status == service.CONFIRMED:
        flash(_("You have a seat. Your check-in code is %(code)s.", code=signup.checkin_code),
              "success")
    else:
        flash(_("All seats are taken, so you are on the waitlist at number %(position)s. "
                "If a seat frees up we will give it to you and send you a message.",
                position=service.waitlist_position(db.session, signup)), "success")
    return redirect(url_for("activities.detail", activity_id=activity.id), 303)


@bp.post("/<int:activity_id>/cancel")
@login_required
@form_view
def cancel(activity_id):
    activity = _visible_or_404(activity_id)
    if not ActionForm().validate_on_submit():
        return _detail(activity, status=422)
    try:
        service.cancel_signup(db.session, activity.id, current_user.id, utcnow())
    except service.NotFound:
        abort(404)
    except service.NotSignedUp as error:
        # A second click of a double click: the first did the work; say so and go on.
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("activities.detail", activity_id=activity_id), 303)
    except DomainError as error:
        return _refused(activity_id, error)
    db.session.commit()
    flash(_("Your sign-up is cancelled. Thank you for letting others have the seat."),
          "success")
    return redirect(url_for("activities.detail", activity_id=activity_id), 303)


@bp.post("/<int:activity_id>/rate")
@login_required
@form_view
def rate(activity_id):
    activity = _visible_or_404(activity_id)
    form = RateForm()
    if not form.validate_on_submit():
        return _detail(activity, rate_form=form, status=422)
    try:
        service.rate(db.session, activity.id, current_user.id, Level(form.level.data), utcnow())
    except service.NotFound:
        abort(404)
    db.session.commit()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id), 303)


def _ics_response(body: bytes, filename: str, private: bool):
    headers = {"Content-Type": "text/calendar; charset=utf-8",
               "Content-Disposition": f'attachment; filename="{filename}"',
               "Cache-Control": "private, no-store" if private else "public, max-age=300"}
    return body, 200, headers


def _activity_url(activity) -> str:
    return url_for("activities.detail", activity_id=activity.id, _external=True)


@bp.get("/<int:activity_id>.ics")
def ics(activity_id):
    activity = _visible_or_404(activity_id)
    body = activities_ics(activity.title, [activity], _activity_url, request.host)
    return _ics_response(body, f"activity-{activity.id}.ics", private=False)


@bp.get("/mine")
@login_required
def mine():
    now = utcnow()
    page = paginate(db.session, service.my_signups_statement(current_user.id, now),
                    page_number(), per_page=20)
    codes = {signup.id: checkin_qr(signup) for signup in page.items
             if signup.status == service.CONFIRMED and signup.activity.ends_at > now}
    feed = service.find_feed(db.session, current_user.id)
    feed_url = url_for("activities.feed", token=feed.token, _external=True) if feed else None
    return render("activities/mine.html", page=page, codes=codes, now=now, feed_url=feed_url,
                  reset_form=ActionForm(formdata=None))


@bp.post("/feed/reset")
@login_required
@form_view
def reset_feed():
    if not ActionForm().validate_on_submit():
        return redirect(url_for("activities.mine"), 303)
    service.reset_feed(db.session, current_user.id)
    db.session.commit()
    flash(_("Your calendar has a new address. The old one no longer works: add the new one "
            "to your calendar app."), "success")
    return redirect(url_for("activities.mine"), 303)


@bp.get("/feed/<token>.ics")
def feed(token):
    rows = service.feed_activities(db.session, token)
    if rows is None:
        abort(404)
    body = activities_ics(_("My community activities"), [activity for activity, _s in rows],
                          _activity_url, request.host)
    return _ics_response(body, "my-activities.ics", private=True)
