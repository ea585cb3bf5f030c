"""Form base class and the input clean-ups every form shares."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import FileField, IntegerField, MultipleFileField, SelectMultipleField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.web.inputs import INT_MAX, INT_MIN


def strip_spaces(value):
    return value.strip() if isinstance(value, str) else value


def file_only(value):
    """A file field holds a file: text sent under its name (a hand-made request) is dropped,
    so a view never meets a str where it expects an upload."""
    return value if isinstance(value, FileStorage) else None


def files_only(value):
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, FileStorage)]
    return []


def within_database_range(_form, field):
    """No integer a database column can't hold gets past a form (2^31 and beyond)."""
    if isinstance(field.data, int) and not INT_MIN <= field.data <= INT_MAX:
        raise ValidationError(_l("That number is far too large. Check it and try again."))


def database_int(value):
    """``int`` for a choice field's ``coerce``, refusing what no INTEGER column holds: a
    hand-made choice of 10^40 is no choice, not a database error."""
    number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError("out of the database's range")
    return number


class Form(FlaskForm):
    """Every form strips stray spaces around text, bounds its integers to what the database
    can hold, keeps only files in its file fields, and knows how to list its errors."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", ()))
            if issubclass(unbound_field.field_class, StringField):
                filters.insert(0, strip_spaces)
            if issubclass(unbound_field.field_class, MultipleFileField):
                filters.append(files_only)
            elif issubclass(unbound_field.field_class, FileField):
                filters.append(file_only)
            if issubclass(unbound_field.field_class, IntegerField):
                validators = [within_database_range,
                              *unbound_field.kwargs.get("validators", ())]
                options = {**options, "validators": validators}
            if unbound_field.kwargs.get("coerce") is int:
                options = {**options, "coerce": database_int}
            return unbound_field.bind(form=form, filters=filters, **options)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # WTForms leaves a field's errors an empty tuple until the form is validated; a list
        # from the start, so a message can be added before validation too.
        for field in self:
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)

    def add_error(self, message, field: str | None = None) -> None:
        """Show a message on ``field``, or in the error summary when the form has no such field."""
        if field and field in self:
            self[field].errors = [*self[field].errors, str(message)]
        else:
            self.form_errors.append(str(message))

    def error_list(self):
        """(field id, message) pairs for the error summary, in form order; form-wide messages
        (with no field to link to) come first with an empty id."""
        pairs = [("", message) for message in self.form_errors]
        for field in self:
            for message in field.errors:
                pairs.append((field.id, message))
        return pairs


class ActionForm(Form):
    """A button that changes something: no fields, only the CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (render it with the ``choices`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
