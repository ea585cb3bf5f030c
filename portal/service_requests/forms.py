from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.accounts.service import normalise_phone, phone_problem
from portal.satisfaction import LEVELS
from portal.web import typed
from portal.web.forms import Form

MAX_PHOTOS = 3


class RequestForm(Form):
    category = RadioField(_l("What is it about?"), coerce=int,
                          validators=[DataRequired(_l("Choose what the problem is about."))])
    description = TextAreaField(_l("What is the problem?"), validators=[
        DataRequired(_l("Tell us what the problem is.")),
        Length(min=10, max=2000, message=_l("Write between %(min)d and %(max)d characters."))])
    building = StringField(_l("Building"), filters=[typed.building], validators=[
        DataRequired(_l("Enter the building, for example building 3.")), Length(max=20)])
    location = StringField(_l("Where exactly"), validators=[Optional(), Length(max=100)])
    urgent = BooleanField(_l("It is urgent (danger, no water or power, blocked exit)"))
    many_households = BooleanField(_l("It affects many households"))
    photos = MultipleFileField(_l("Photos"))
    photo_tokens = HiddenField()
    idempotency_key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])


class RatingForm(Form):
    level = RadioField(_l("How was your request handled?"), coerce=int,
                       choices=[SelectChoice(int(level), level.label) for level in LEVELS],
                       validators=[DataRequired(_l("Choose how satisfied you are."))])
    comment = TextAreaField(_l("Anything you want to tell us"),
                            validators=[Optional(), Length(max=500)])


class DisputeForm(Form):
    reason = TextAreaField(_l("What is still wrong?"), validators=[
        DataRequired(_l("Say what is still wrong, so the office knows what to do.")),
        Length(max=500)])


class ReplyForm(Form):
    body = TextAreaField(_l("Reply to the resident"), validators=[
        DataRequired(_l("Write the reply.")), Length(max=2000)])


class NoteForm(Form):
    body = TextAreaField(_l("Internal note"), validators=[
        DataRequired(_l("Write the note.")), Length(max=2000)])


class StatusForm(Form):
    status = SelectField(_l("New status"), validators=[DataRequired(_l("Choose a status."))])
    note = TextAreaField(_l("Reason or note"), validators=[Optional(), Length(max=500)])
    transferred_to = StringField(_l("Office it is passed to"),
                                 validators=[Optional(), Length(max=100)])
    confirmed = HiddenField()  # "yes" once the person confirmed an ending (ENDING_BY_STAFF)


class AssignForm(Form):
    assignee = SelectField(_l("Assign to"), validators=[Optional()])


class EditForm(Form):
    category = SelectField(_l("Category"), coerce=int)
    priority = SelectField(_l("Priority"), coerce=int)


class MergeForm(Form):
    target = StringField(_l("Reference of the request it duplicates"), validators=[
        DataRequired(_l("Enter a reference such as R20261129-0007.")), Length(max=20)],
        filters=[lambda value: value.upper().replace(" ", "") if isinstance(value, str)
                 else value])
    confirmed = HiddenField()  # "yes" once the person confirmed the merge


class CategoryForm(Form):
    name_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=60)])
    role = SelectField(_l("Handled by"))
    position = IntegerField(lazy_pgettext("position in a list", "Order"), default=100,
                            validators=[Optional(), NumberRange(min=0, max=10000)])
    active = BooleanField(_l("Residents can choose it"), default=True)


class TemplateForm(Form):
    title = StringField(lazy_pgettext("reply template", "Title"),
                        validators=[DataRequired(), Length(max=60)])
    body = TextAreaField(lazy_pgettext("reply template", "Text"),
                         validators=[DataRequired(), Length(max=2000)])
    # "" for any; the choices are set by the view (the categories, service.TEMPLATE_STAGES).
    category = SelectField(lazy_pgettext("reply template", "For the category"), default="")
    stage = SelectField(lazy_pgettext("reply template", "Offered when the request is"),
                        default="")


def _phone_if_given(_form, field):
    problem = phone_problem(field.data) if field.data else None
    if problem:
        raise ValidationError(problem)


class PatrolForm(RequestForm):
    """网格巡查: what the grid worker found, with no resident behind it."""


class IntakeForm(RequestForm):
    """代录 and 12345 orders: the resident is found by their mobile number, or, with no
    account, their name and number are kept as the contact."""

    channel = RadioField(_l("How did it reach you?"),
                         validators=[DataRequired(_l("Choose how the request reached you."))])
    phone = StringField(_l("Resident's mobile number"), filters=[normalise_phone],
                        validators=[Optional(), _phone_if_given],
                        render_kw={"autocomplete": "off", "inputmode": "tel"})
    contact_name = StringField(_l("Name they gave"), validators=[Optional(), Length(max=40)],
                               render_kw={"autocomplete": "off"})
    order_number = StringField(_l("12345 work order number"),
                               validators=[Optional(), Length(max=60)],
                               render_kw={"autocomplete": "off"})


URGE_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class UrgeForm(Form):
    note = TextAreaField(_l("What you ask for"), validators=[
        DataRequired(_l("Write what you ask the handler to do.")), Length(max=500)])
    due_at = DateTimeLocalField(_l("Deal with it by"), format=URGE_FORMAT, validators=[
        DataRequired(_l("Enter the new deadline, for example 2026-12-08 17:00."))])


class StreetForm(Form):
    street_ref = StringField(_l("Street office's reference"), validators=[
        DataRequired(_l("Enter the street office's reference for it.")), Length(max=60)])
    note = TextAreaField(_l("What the resident is told"),
                         validators=[Optional(), Length(max=500)])


class StreetAnswerForm(Form):
    answer = TextAreaField(_l("The street office's answer"), validators=[
        DataRequired(_l("Write the street office's answer: the resident reads it.")),
        Length(max=2000)])
    outcome = RadioField(_l("What happens next"), choices=[
        SelectChoice("resolved", _l("It is resolved: the resident may rate it")),
        SelectChoice("in_progress", _l("We carry on with it"))],
        validators=[DataRequired(_l("Choose what happens next."))])
