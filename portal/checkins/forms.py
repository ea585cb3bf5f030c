from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from portal.checkins.models import HelpKind
from portal.checkins.service import MAX_PEOPLE, NOTE_LENGTH
from portal.web import typed
from portal.web.forms import Form
from portal.web.inputs import bounded_int


class AnswerForm(Form):
    """我平安 or 我需要帮助: the button pressed is ``answer``. The kind, the number and the note
    are checked by the service (checkins.service.clean_answer), which says what is wrong."""

    answer = HiddenField()
    kind = RadioField(_l("What help do you need?"), choices=HelpKind.choices,
                      validate_choice=False)
    people = StringField(_l("How many people need help?"), filters=[typed.half_width],
                         default="1",
                         render_kw={"inputmode": "numeric", "autocomplete": "off",
                                    "maxlength": 5})
    note = TextAreaField(_l("Anything else we should know (optional)"),
                         render_kw={"rows": 2, "maxlength": NOTE_LENGTH})

    def values(self, answer: str) -> dict:
        return {"status": answer, "kind": self.kind.data or None,
                "people": bounded_int(self.people.data, maximum=MAX_PEOPLE * 1000),
                "note": self.note.data}


class OpenForm(Form):
    alert_id = SelectField(_l("For the warning"), coerce=int, validate_choice=False)

