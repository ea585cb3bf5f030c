from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.minutes.models import MeetingKind, ResolutionStatus
from portal.web.forms import Form


def new_form_key() -> str:
    return secrets.token_urlsafe(16)


class KeyedForm(Form):
    """A form carrying a one-off key, so submitting it twice creates one thing."""

    form_key = HiddenField(default=new_form_key, validators=[DataRequired(), Length(max=40)])


class MeetingForm(KeyedForm):
    kind = SelectField(_l("Type of meeting"), choices=MeetingKind.choices,
                       validators=[DataRequired(_l("Choose the type of meeting."))])
    title = StringField(lazy_pgettext("meeting", "Title"), validators=[
        DataRequired(_l("Enter a title.")),
        Length(max=120, message=_l("Use at most %(max)d characters."))])
    held_on = DateField(_l("Date of the meeting"), validators=[
        InputRequired(_l("Enter the date of the meeting, for example 2026-11-20."))])
    place = StringField(lazy_pgettext("meeting", "Place"), validators=[
        DataRequired(_l("Enter where the meeting was held.")),
        Length(max=120, message=_l("Use at most %(max)d characters."))])
    attendance = IntegerField(_l("Number attending"), validators=[
        InputRequired(_l("Enter how many people attended, as a number.")),
        NumberRange(min=0, max=100000, message=_l("Enter a number from 0 to 100000."))],
        render_kw={"inputmode": "numeric"})
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=20000)],
                           render_kw={"rows": 6})
    minutes = TextAreaField(_l("Minutes"), validators=[Length(max=100000)],
                            render_kw={"rows": 14})
    # The version the editor started from; a stale one means someone else saved meanwhile.
    version = HiddenField(default="1")


class AttachmentForm(Form):
    files = MultipleFileField(_l("PDF files"), render_kw={"accept": "application/pdf"})
    # The files a failed try already uploaded, so only the refused ones need choosing again.
    kept = HiddenField()


class ResolutionForm(KeyedForm):
    text = TextAreaField(_l("What was decided"), validators=[
        DataRequired(_l("Enter what was decided.")), Length(max=2000)],
        render_kw={"rows": 3})
    responsible = StringField(_l("Who is responsible"), validators=[
        DataRequired(_l("Enter the department or role responsible.")),
        Length(max=80, message=_l("Use at most %(max)d characters."))])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class UpdateForm(KeyedForm):
    status = SelectField(lazy_pgettext("resolution", "Status"), choices=ResolutionStatus.choices)
    progress = IntegerField(_l("Progress (%)"), validators=[
        InputRequired(_l("Enter the progress as a number from 0 to 100.")),
        NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100."))],
        render_kw={"inputmode": "numeric", "min": 0, "max": 100})
    note = TextAreaField(_l("What happened"), validators=[
        DataRequired(_l("Say what happened, in a sentence or two.")), Length(max=2000)],
        render_kw={"rows": 3})
