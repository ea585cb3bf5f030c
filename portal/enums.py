"""Enumerations whose members carry a translated label."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from wtforms.fields.choices import SelectChoice


class LabelledEnum(StrEnum):
    """A string enum whose members are declared with their label::

        class Level(LabelledEnum):
            BLUE = "blue", _l("Blue warning")

    ``member.label`` is the (lazy) label; ``choices()`` gives a form's ``SelectChoice`` list,
    of every member or of the ``members`` given (in their order).
    """

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self):
        return self._label

    @classmethod
    def choices(cls, members: Iterable[LabelledEnum] | None = None) -> list[SelectChoice]:
        return [SelectChoice(member.value, member.label)
                for member in (cls if members is None else members)]
