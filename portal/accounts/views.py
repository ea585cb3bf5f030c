"""Registration, sign-in and the resident's own account at /account."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import service
from portal.accounts.forms import ChangePasswordForm, LoginForm, ProfileForm, RegisterForm
from portal.extensions import db, limiter
from portal.web.errors import form_view
from portal.web.i18n import select_locale
from portal.web.render import render, render_form_errors
from portal.web.safety import safe_next_url

bp = Blueprint("auth", __name__)


def _start_session(user, remember: bool = False) -> None:
    # A fresh session on sign-in: nothing from before (a planted session id) carries over.
    session.clear()
    login_user(user, remember=remember)
    session.permanent = True


def _landing_for(user) -> str:
    return url_for("staff.home") if user.is_staff else url_for("web.home")


@bp.route("/auth/register", methods=["GET", "POST"])
@form_view
def register():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.register_resident(
                db.session, phone=form.phone.data, name=form.name.data,
                password=form.password.data, building=form.building.data,
                unit=form.unit.data, room=form.room.data, locale=select_locale())
        except service.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            _start_session(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(url_for("web.home"), 303)
    if form.errors:
        return render_form_errors("accounts/register.html", form=form)
    return render("accounts/register.html", form=form)


def _account_limit_key() -> str:
    return "login-account:" + service.normalise_phone(request.form.get("phone", ""))


def _failed_login(response) -> bool:
    return response.status_code != 303


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP"], methods=["POST"],
               deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_limit_key, deduct_when=_failed_login)
@form_view
def login():
    if current_user.is_authenticated:
        return redirect(_landing_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(db.session, form.phone.data, form.password.data)
        if user is not None:
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            target = safe_next_url(request.args.get("next")) or _landing_for(user)
            return redirect(target, 303)
        form.password.errors.append(_("The phone number or password is not right. "
                                      "Check them and try again."))
    if form.errors:
        return render_form_errors("accounts/login.html", form=form)
    return render("accounts/login.html", form=form)


@bp.errorhandler(429)
def too_many_logins(_error):
    form = LoginForm(formdata=None, phone=service.normalise_phone(request.form.get("phone", "")))
    form.password.errors = [_("Too many sign-in attempts. Wait 15 minutes and try again, "
                              "or ask the community office to help.")]
    return render("accounts/login.html", status=429, form=form)


@bp.post("/auth/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("web.home"), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@form_view
def account():
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        service.update_profile(current_user, name=form.name.data,
                               building=form.building.data or None,
                               unit=form.unit.data or None, room=form.room.data or None)
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for("auth.account"), 303)
    if form.errors:
        return render_form_errors("accounts/account.html", form=form,
                                  password_form=password_form)
    return render("accounts/account.html", form=form, password_form=password_form)


@bp.post("/account/password")
@login_required
@form_view
def change_password():
    form = ProfileForm(formdata=None, obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            service.change_password(current_user, password_form.current_password.data,
                                    password_form.new_password.data)
        except service.AccountError as error:
            getattr(password_form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            # Every other session ended with the old token; keep this one signed in.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been signed out."),
                  "success")
            return redirect(url_for("auth.account"), 303)
    return render_form_errors("accounts/account.html", form=form, password_form=password_form)
