from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.care.models import (
    CareCategory,
    CareNeed,
    LegalBasis,
    ReferralStatus,
    RiskLevel,
    VisitFrequency,
    VisitOutcome,
)
from portal.web import typed
from portal.web.forms import Form, MultiCheckboxField
from portal.web.inputs import bounded_int

_MAX = _l("Use at most %(max)d characters.")


def _optional_int(value):
    """A chosen id, or None for "not yet assigned" (and for anything no column holds)."""
    return bounded_int(value, minimum=1)


class PersonForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter their name.")),
                                               Length(max=40, message=_MAX)])
    phone = StringField(_l("Mobile phone number"), filters=[typed.phone_number],
                        validators=[Optional()], render_kw={"inputmode": "tel"})
    building = StringField(_l("Building"), filters=[typed.building], validators=[
        DataRequired(_l("Enter the building, for example 3号楼.")), Length(max=20, message=_MAX)])
    unit = StringField(_l("Unit"), filters=[typed.unit],
                       validators=[Optional(), Length(max=20, message=_MAX)])
    room = StringField(_l("Room"), filters=[typed.room],
                       validators=[Optional(), Length(max=20, message=_MAX)])
    categories = MultiCheckboxField(_l("Why they are in care"), choices=CareCategory.choices,
                                    validators=[DataRequired(_l("Choose at least one."))])
    needs = MultiCheckboxField(_l("What they need"), choices=CareNeed.choices,
                               validators=[Optional()])
    grid_worker_id = SelectField(_l("Responsible grid worker"), coerce=_optional_int,
                                 validators=[Optional()])
    frequency = SelectField(_l("How often to visit"), choices=VisitFrequency.choices)
    risk = SelectField(_l("Risk level"), choices=RiskLevel.choices)
    legal_basis = SelectField(_l("Why we may keep this file"), choices=LegalBasis.choices,
                              validators=[DataRequired(_l("Choose the consent or legal basis."))])
    consent_on = DateField(_l("Date of the consent or decision"), validators=[
        InputRequired(_l("Enter the date, for example 2026-12-01."))])
    health = TextAreaField(_l("Health and disability (sensitive)"),
                           validators=[Length(max=2000, message=_MAX)], render_kw={"rows": 3})
    id_number = StringField(_l("ID number"), filters=[typed.id_number],
                            validators=[Optional(), Length(max=18, message=_MAX)])
    contacts = TextAreaField(_l("Emergency contacts"), validators=[
        Length(max=1000, message=_MAX)], render_kw={"rows": 3})
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000, message=_MAX)],
                          render_kw={"rows": 3})
    version = HiddenField()

    def validate_phone(self, field):
        if field.data and not re.fullmatch(r"1\d{10}", field.data):
            raise ValidationError(_l("Enter an 11-digit mobile number, for example "
                                     "13800000000."))


class VisitForm(Form):
    outcome = SelectField(_l("How it went"), choices=VisitOutcome.choices,
                          validators=[DataRequired(_l("Choose how the visit went."))])
    needs_seen = MultiCheckboxField(_l("Needs you saw"), choices=CareNeed.choices,
                                    validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Length(max=1000, message=_MAX)],
                         render_kw={"rows": 2})
    photo = FileField(_l("Photo"))
    photo_tokens = HiddenField()  # the photo a failed try (or a lapsed sign-in) already kept
    referral_needed = BooleanField(_l("They need help from another colleague (referral)"))
    # Filled in only with the box above: who to hand it to, and what they should know.
    referral_role = SelectField(_l("Refer to"), choices=[], validate_choice=False)
    referral_note = TextAreaField(_l("For your colleague"), validators=[
        Length(max=1000, message=_MAX)], render_kw={"rows": 2})
    visited_on = DateField(_l("Day of the visit"), validators=[Optional()])


class ReferralForm(Form):
    to_role = SelectField(_l("Refer to"), choices=[], validate_choice=False,
                          validators=[DataRequired(_l("Choose the colleague's role to refer "
                                                      "it to."))])
    note = TextAreaField(_l("What your colleague should know"), validators=[
        DataRequired(_l("Write what your colleague should know.")),
        Length(max=1000, message=_MAX)], render_kw={"rows": 4})


class OutcomeForm(Form):
    status = RadioField(_l("How it ended"), choices=ReferralStatus.choices(
        members=(ReferralStatus.DONE, ReferralStatus.DECLINED)),
        validators=[InputRequired(_l("Choose how it ended."))])
    outcome = TextAreaField(_l("What was done"), validators=[
        DataRequired(_l("Write what was done: it goes back to whoever referred it.")),
        Length(max=1000, message=_MAX)], render_kw={"rows": 3})


class ImportForm(Form):
    register = FileField(_l("Register (.xlsx)"))


class ConfirmImportForm(Form):
    pending = IntegerField(validators=[InputRequired()])
