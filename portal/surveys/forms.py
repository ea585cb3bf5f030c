from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.surveys.models import Kind
from portal.web.forms import Form


class NewSurveyForm(Form):
    title = StringField(lazy_pgettext("survey form", "Title"), validators=[
        DataRequired(_l("Give the survey a title.")), Length(max=120)])


class SettingsForm(Form):
    title = StringField(lazy_pgettext("survey form", "Title"), validators=[
        DataRequired(_l("Give the survey a title.")), Length(max=120)])
    intro = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=2000)])
    opens_on = DateField(_l("Opens on"), validators=[
        InputRequired(_l("Enter the opening date, for example 2026-12-01."))])
    closes_on = DateField(_l("Last day to answer"), validators=[
        InputRequired(_l("Enter the last day, for example 2026-12-15."))])
    anonymous = BooleanField(_l("Anonymous: answers are kept apart from who answered"))
    audience = RadioField(_l("Who is it for?"), validators=[
        InputRequired(_l("Choose who the survey is for."))])

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The last day must be on or after the opening date."))


class QuestionForm(Form):
    kind = SelectField(_l("Type of question"),
                       choices=Kind.choices,
                       validators=[InputRequired()])
    text = StringField(_l("Question"), validators=[
        DataRequired(_l("Write the question.")), Length(max=200)])
    help = StringField(_l("Help text"), validators=[Optional(), Length(max=300)])
    required = BooleanField(_l("An answer is required"), default=True)
    options = TextAreaField(_l("Options, one per line"), validators=[Optional(),
                                                                     Length(max=3000)])
    max_choices = IntegerField(_l("Most options a person may choose"), validators=[
        Optional(), NumberRange(min=1, max=20)])


class SummaryForm(Form):
    summary = TextAreaField(_l("Summary of the results for residents"),
                            validators=[Optional(), Length(max=4000)])
    published = BooleanField(_l("Show this summary to residents"))
