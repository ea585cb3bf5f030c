"""Registration, sign-in and the resident's own account at /account."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import service, throttle
from portal.accounts.forms import ChangePasswordForm, LoginForm, ProfileForm, RegisterForm
from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.keptforms import web as keptforms
from portal.web import care
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.i18n import format_moment, select_locale
from portal.web.render import refused, render, render_form_errors
from portal.web.safety import safe_next_url

bp = Blueprint("auth", __name__)


class TooManyAttempts(DomainError):
    status = 429


TOO_MANY_SIGN_INS = _l("Too many sign-in attempts. Wait 15 minutes and try again, or ask the "
                       "community office to help.")
TOO_MANY_REGISTRATIONS = _l("Too many accounts have been tried from this connection today. "
                            "Try again tomorrow, or ask the community office to help.")


def _attempt(*limits: tuple[str, str, str]) -> throttle.Attempt:
    config = current_app.config
    return throttle.Attempt(current_app.extensions["db_sessionmaker"], config["SECRET_KEY"],
                            list(limits), utcnow())


def _address() -> str:
    # With PROXY_FIX_HOPS set, the visitor's address as the proxy saw it.
    return request.remote_addr or ""


def _start_session(user, remember: bool = False) -> None:
    # A fresh session on sign-in: nothing from before (a planted session id) carries over.
    session.clear()
    user.signed_in_at = utcnow()
    lifetime = service.session_lifetime(user, **service.lifetime_settings(current_app.config))
    login_user(user, remember=remember, duration=lifetime)
    care.carry_over(user)
    # Without "keep me signed in" the cookie ends with the browser; either way the sign-in
    # ends on the server after its lifetime (service.load_session_user).
    session.permanent = bool(remember)


def _landing_for(user) -> str:
    return url_for("staff.home") if user.is_staff else url_for("web.home")


@bp.route("/auth/register", methods=["GET", "POST"])
@form_view
def register():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = RegisterForm()
    if not form.validate_on_submit():
        if form.errors:
            return render_form_errors("accounts/register.html", form=form)
        return render("accounts/register.html", form=form)
    limit = current_app.config["REGISTER_RATE_LIMIT_PER_IP"]
    with _attempt((throttle.REGISTER_ADDRESS, _address(), limit)) as attempt:
        if attempt.over_limit:
            return refused(TooManyAttempts(TOO_MANY_REGISTRATIONS), "accounts/register.html",
                           form=form)
        try:
            user = service.register_resident(
                db.session, phone=form.phone.data, name=form.name.data,
                password=form.password.data, building=form.building.data,
                unit=form.unit.data, room=form.room.data, locale=select_locale())
        except service.PhoneTaken as error:
            attempt.count()
            return refused(error, "accounts/register.html", form=form)
        except DomainError as error:
            return refused(error, "accounts/register.html", form=form)
        attempt.count()
        db.session.commit()
    _start_session(user)
    db.session.commit()
    flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    return redirect(url_for("web.home"), 303)


@bp.route("/auth/login", methods=["GET", "POST"])
@form_view
def login():
    if current_user.is_authenticated:
        return redirect(_landing_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        if form.errors:
            return render_form_errors("accounts/login.html", form=form)
        return render("accounts/login.html", form=form)
    config = current_app.config
    phone = form.phone.data
    # Counted only when the password turns out wrong: a refusal, an error or a CSRF
    # failure (the form does not validate) leaves no trace.
    with _attempt((throttle.LOGIN_ACCOUNT, phone, config["LOGIN_RATE_LIMIT_PER_ACCOUNT"]),
                  (throttle.LOGIN_ADDRESS, _address(),
                   config["LOGIN_RATE_LIMIT_PER_IP"])) as attempt:
        if attempt.over_limit:
            return refused(TooManyAttempts(TOO_MANY_SIGN_INS, "password"),
                           "accounts/login.html", form=form)
        try:
            user = service.authenticate(db.session, phone, form.password.data)
        except service.WrongPassword as error:
            attempt.count()
            return refused(error, "accounts/login.html", form=form)
        db.session.commit()
        attempt.forget(throttle.LOGIN_ACCOUNT, phone)
    _start_session(user, remember=form.remember.data)
    # A form this browser sent after its sign-in ended: back to it, whatever ?next= says.
    kept_page = keptforms.bind_at_sign_in(user)
    db.session.commit()
    target = kept_page or safe_next_url(request.args.get("next")) or _landing_for(user)
    return redirect(target, 303)


def _sign_out(message: str):
    """End the sign-in on the server: the account's session token changes, so this cookie,
    any copy of it and every remember-me cookie stop working."""
    if current_user.is_authenticated:
        service.end_all_sessions(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(message, "success")


def sign_in_timer() -> dict | None:
    """For the page's warning (static/js/session.js): seconds until this sign-in ends and how
    long before that to warn. None when nobody is signed in."""
    if not current_user.is_authenticated:
        return None
    ends = service.sign_in_ends_at(current_user, **service.lifetime_settings(current_app.config))
    if ends is None:
        return None
    return {"remaining": max(int((ends - utcnow()).total_seconds()), 0),
            "warn": int(current_app.config["SIGN_IN_WARNING_SECONDS"]), "ends": ends}


@bp.post("/auth/continue")
@login_required
def keep_signed_in():
    """继续使用: the sign-in starts again from now, as a new one would (the remember-me cookie
    too, when it was ticked), so no time limit is one the person cannot extend."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    user.signed_in_at = utcnow()
    lifetime = service.session_lifetime(user, **service.lifetime_settings(current_app.config))
    login_user(user, remember=bool(session.permanent), duration=lifetime)
    timer = sign_in_timer()
    if request.accept_mimetypes.best == "application/json":
        return {"remaining": timer["remaining"], "ends": format_moment(timer["ends"])}
    flash(_("You can carry on. You stay signed in."), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for("web.home"), 303)


@bp.post("/auth/logout")
def logout():
    _sign_out(_("You have signed out. If you were signed in on another phone or computer, "
                "you are signed out there too."))
    return redirect(url_for("web.home"), 303)


@bp.post("/account/sign-out-everywhere")
@login_required
@form_view
def sign_out_everywhere():
    if not ActionForm().validate_on_submit():
        return _account_page(status=422)
    _sign_out(_("You are signed out on every phone and computer, this one too. Sign in "
                "again to carry on."))
    return redirect(url_for("auth.login"), 303)


def _account_page(profile_form=None, password_form=None, status=200):
    profile_form = profile_form or ProfileForm(formdata=None, obj=current_user)
    password_form = password_form or ChangePasswordForm(formdata=None, prefix="pw")
    return render("accounts/account.html", status=status, profile_form=profile_form,
                  password_form=password_form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@form_view
def account():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        service.update_profile(current_user, name=form.name.data,
                               building=form.building.data or None,
                               unit=form.unit.data or None, room=form.room.data or None)
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for("auth.account"), 303)
    return _account_page(form, status=422 if form.errors else 200)


@bp.post("/account/password")
@login_required
@form_view
def change_password():
    password_form = ChangePasswordForm(prefix="pw")
    if not password_form.validate_on_submit():
        return _account_page(password_form=password_form, status=422)
    try:
        service.change_password(current_user, password_form.current_password.data,
                                password_form.new_password.data)
    except DomainError as error:
        return refused(error, "accounts/account.html", form=password_form,
                       profile_form=ProfileForm(formdata=None, obj=current_user),
                       password_form=password_form)
    db.session.commit()
    # Every other session ended with the old token; keep this one signed in (from the
    # same moment as before, so a staff member's working day does not start again).
    login_user(current_user._get_current_object())
    flash(_("Your password is changed. Other devices have been signed out."), "success")
    return redirect(url_for("auth.account"), 303)
