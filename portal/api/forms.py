from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.web.forms import Form


class KeyForm(Form):
    name = StringField(_l("Which system will use it"), validators=[
        DataRequired(_l("Give the key the name of the system that will use it.")),
        Length(max=60)])
    may_read_details = BooleanField(_l("May read the description of every request"))
    may_create = BooleanField(_l("May create requests"))


class QuestionForm(Form):
    category = SelectField(_l("Category"), coerce=int,
                           validators=[DataRequired(_l("Choose the category."))])
    prompt_zh = StringField(_l("Question in Chinese"), validators=[
        DataRequired(_l("Write the question in Chinese.")), Length(max=200)])
    prompt_en = StringField(_l("Question in English"), validators=[
        DataRequired(_l("Write the question in English.")), Length(max=200)])
    datatype = SelectField(_l("Kind of answer"),
                           validators=[DataRequired(_l("Choose the kind of answer."))])
    options = TextAreaField(_l("Choices, one a line"),
                            validators=[Optional(), Length(max=3000)])
    required = BooleanField(_l("An answer is required"))
    position = IntegerField(lazy_pgettext("position in a list", "Order"),
                            validators=[Optional()])
    active = BooleanField(_l("Ask this question"), default=True)
