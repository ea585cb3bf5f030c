from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.registry import registry
from portal.web import typed
from portal.web.forms import Form, MultiCheckboxField


class ProfileForm(Form):
    name = StringField(_l("Profile name"), validators=[
        DataRequired(_l("Enter a name, for example Lobby.")), Length(max=80)])
    slug = StringField(_l("Short name for the address"), filters=[
        lambda value: value.lower() if isinstance(value, str) else value],
        validators=[DataRequired(_l("Enter a short name, for example lobby.")), Length(max=40)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"})
    sections = MultiCheckboxField(_l("Sections to show"), validators=[Optional()])
    building = StringField(_l("Building"), filters=[typed.building],
                           validators=[Optional(), Length(max=20)])

    def __init__(self, *args, stored_sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(section.key, section.title) for section in registry().sorted("board_sections")]
        known = {key for key, _title in choices}
        # Keep sections of areas not installed here, so saving doesn't silently drop them.
        choices += [(key, key) for key in stored_sections if key not in known]
        self.sections.choices = choices
