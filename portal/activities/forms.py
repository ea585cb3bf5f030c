from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.activities.models import Category, Status
from portal.clock import from_local, to_local_input
from portal.satisfaction import LEVELS
from portal.web.forms import Form
from portal.web.typed import digits_only

WHEN_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ActivityForm(Form):
    title = StringField(_l("Activity name"), validators=[
        DataRequired(_l("Enter the activity's name.")), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    category = SelectField(_l("Category"), choices=Category.choices,
                           validators=[DataRequired()])
    audience = StringField(_l("Who it is for"), validators=[Optional(), Length(max=200)])
    place = StringField(_l("Place"), validators=[DataRequired(_l("Enter the place.")),
                                                 Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts"), format=WHEN_FORMAT,
                                   validators=[DataRequired(_l("Enter when it starts."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=WHEN_FORMAT,
                                 validators=[DataRequired(_l("Enter when it ends."))])
    capacity = IntegerField(_l("Seats"), validators=[
        InputRequired(_l("Enter the number of seats.")),
        NumberRange(min=1, max=10000, message=_l("Seats must be between 1 and 10000."))])
    max_companions = SelectField(_l("Companions one person may bring"), coerce=int,
                                 choices=[SelectChoice(n, str(n)) for n in range(4)], default=0)
    signup_opens_at = DateTimeLocalField(_l("Sign-up opens"), format=WHEN_FORMAT,
                                         validators=[DataRequired(_l("Enter when sign-up opens."))])
    signup_closes_at = DateTimeLocalField(
        _l("Sign-up closes"), format=WHEN_FORMAT,
        validators=[DataRequired(_l("Enter when sign-up closes."))])
    cover = FileField(_l("Cover picture"))
    cover_token = HiddenField()
    form_key = HiddenField()
    remove_cover = BooleanField(_l("Remove the cover picture"))
    status = SelectField(lazy_pgettext("activity form", "Status"), default=Status.DRAFT.value,
                         choices=Status.choices)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        starts, ends = self.starts_at.data, self.ends_at.data
        opens, closes = self.signup_opens_at.data, self.signup_closes_at.data
        if starts and ends and ends <= starts:
            self.ends_at.errors.append(_l("The end must be after the start."))
            valid = False
        if opens and closes and closes <= opens:
            self.signup_closes_at.errors.append(_l("Sign-up must close after it opens."))
            valid = False
        if starts and closes and closes > starts:
            self.signup_closes_at.errors.append(
                _l("Sign-up must close no later than the start."))
            valid = False
        return valid

    def fields_for_service(self) -> dict:
        return {
            "title": self.title.data, "description": self.description.data or "",
            "category": self.category.data, "audience": self.audience.data or "",
            "place": self.place.data, "starts_at": from_local(self.starts_at.data),
            "ends_at": from_local(self.ends_at.data), "capacity": self.capacity.data,
            "max_companions": self.max_companions.data,
            "signup_opens_at": from_local(self.signup_opens_at.data),
            "signup_closes_at": from_local(self.signup_closes_at.data),
            "status": self.status.data,
        }

    @classmethod
    def for_activity(cls, activity):
        return cls(formdata=None, obj=activity, starts_at=to_local_input(activity.starts_at),
                   ends_at=to_local_input(activity.ends_at),
                   signup_opens_at=to_local_input(activity.signup_opens_at),
                   signup_closes_at=to_local_input(activity.signup_closes_at))


class SignupForm(Form):
    companions = SelectField(_l("Companions coming with you"), coerce=int, default=0,
                             validators=[InputRequired()])

    def __init__(self, *args, max_companions: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.companions.choices = [SelectChoice(n, str(n)) for n in range(max_companions + 1)]


class CheckInForm(Form):
    code = StringField(_l("Check-in code"), filters=[digits_only], validators=[
        DataRequired(_l("Enter the 6-digit code.")),
        Length(min=6, max=6, message=_l("The code has 6 digits."))])


class RateForm(Form):
    level = RadioField(_l("How was it?"), coerce=int,
                       choices=[SelectChoice(level.value, level.label) for level in LEVELS],
                       validators=[InputRequired(_l("Choose one answer."))])
