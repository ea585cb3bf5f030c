from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from portal.accounts.roles import GRANTABLE, STAFF_ROLES, Permission, Role
from portal.accounts.service import normalise_phone, phone_problem
from portal.web import typed
from portal.web.forms import Form, MultiCheckboxField


def _valid_phone(_form, field):
    problem = phone_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def phone_field(label=None):
    return StringField(
        label or _l("Mobile phone number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter your mobile phone number.")), _valid_phone],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


def new_password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(_l("Enter a password.")),
                    Length(max=MAX_LENGTH, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )


class AddressMixin:
    building = StringField(_l("Building"), filters=[typed.building], validators=[
        DataRequired(_l("Enter your building number, for example 3.")), Length(max=20)])
    unit = StringField(_l("Unit"), filters=[typed.unit], validators=[
        DataRequired(_l("Enter your unit, for example 2.")), Length(max=20)])
    room = StringField(_l("Room"), filters=[typed.room], validators=[
        DataRequired(_l("Enter your room number, for example 502.")), Length(max=20)])


class PasswordRules:
    """The password's rules checked with the rest of the form, so every message shows at once
    (the service checks them again)."""

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.phone.data or None)
        if problem:
            raise ValidationError(problem)


class RegisterForm(PasswordRules, AddressMixin, Form):
    phone = phone_field()
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter the name we should call you.")),
        Length(max=40, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "name"})
    password = new_password_field(_l("Choose a password"))


class LoginForm(Form):
    phone = StringField(_l("Mobile phone number"), filters=[normalise_phone],
                        validators=[DataRequired(_l("Enter your mobile phone number."))],
                        render_kw={"autocomplete": "username", "inputmode": "tel"})
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this phone"))


class ProfileForm(Form):
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter the name we should call you.")), Length(max=40)])
    building = StringField(_l("Building"), filters=[typed.building],
                           validators=[Optional(), Length(max=20)])
    unit = StringField(_l("Unit"), filters=[typed.unit], validators=[Optional(), Length(max=20)])
    room = StringField(_l("Room"), filters=[typed.room], validators=[Optional(), Length(max=20)])


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"})
    new_password = new_password_field(_l("New password"))


class StaffCreateForm(PasswordRules, Form):
    phone = phone_field()
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter their name.")),
                                               Length(max=40)])
    role = SelectField(_l("Role"), choices=Role.choices(STAFF_ROLES))
    password = new_password_field(_l("First password"))


class StaffGrantsForm(Form):
    grants = MultiCheckboxField(_l("Extra permissions"),
                                choices=Permission.choices(GRANTABLE))


class OverseesForm(Form):
    teams = MultiCheckboxField(_l("Teams they oversee"), choices=[])


class ResetPasswordForm(Form):
    new_password = new_password_field(_l("New password"))
