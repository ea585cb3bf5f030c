"""The follow-up record of a bad rating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.figures.followups import METHODS
from portal.web.forms import Form


class FollowUpForm(Form):
    method = RadioField(_l("How you followed it up"),
                        choices=[SelectChoice(key, label) for key, label in METHODS.items()],
                        validators=[DataRequired(_l("Say whether you called or visited."))])
    outcome = TextAreaField(_l("What the resident said"), validators=[
        DataRequired(_l("Write down what the resident said.")), Length(max=500)])
    fix_plan = TextAreaField(_l("What will be fixed, and how"),
                             validators=[Optional(), Length(max=500)])
    fix_by = DateField(_l("To be fixed by"), validators=[Optional()])
    view_changed = BooleanField(_l("The resident's view changed after the follow-up"))
