from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FileField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.clock import from_local, utcnow
from portal.notices.models import AlertKind, AlertLevel, NoticeKind
from portal.web.forms import Form


class KeyedForm(Form):
    """A form carrying a one-off key, so submitting it twice publishes one thing."""

    form_key = HiddenField(default=lambda: secrets.token_urlsafe(16),
                           validators=[DataRequired(), Length(max=40)])


class NoticeForm(KeyedForm):
    kind = SelectField(lazy_pgettext("notice", "Type"), choices=NoticeKind.choices)
    title = StringField(lazy_pgettext("notice", "Title"), validators=[
        DataRequired(_l("Enter a title.")),
        Length(max=120, message=_l("Use at most %(max)d characters."))])
    body = TextAreaField(lazy_pgettext("notice", "Text"), validators=[
        DataRequired(_l("Write the text residents will read.")), Length(max=50000)],
        render_kw={"rows": 12})
    attachment = FileField(_l("Attachment (a picture or PDF)"))
    # Kept across a failed submit, so the file needn't be chosen again.
    attachment_token = HiddenField()
    pinned = BooleanField(_l("Pin to the top of the list"))
    expires_at = DateTimeLocalField(_l("Take it down on"), validators=[Optional()],
                                    format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])


def _in_future(_form, field):
    if field.data and from_local(field.data) <= utcnow():
        raise ValidationError(_l("Choose a time in the future."))


class AlertForm(KeyedForm):
    level = SelectField(_l("Warning level"), choices=AlertLevel.choices)
    kind = SelectField(_l("Kind of emergency"), choices=AlertKind.choices)
    text = StringField(_l("What residents must know and do"), validators=[
        DataRequired(_l("Enter a short text for residents.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])
    expires_at = DateTimeLocalField(
        _l("Ends at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(_l("Enter when the warning ends.")), _in_future])
    # Shown to those who may open one (portal/checkins); orange and red warnings only.
    open_checkin = BooleanField(_l("Also open a safety check-in: every resident is asked to "
                                   "tap “I am safe” or “I need help”"))
