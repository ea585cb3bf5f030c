"""Enumerations whose members carry a translated label."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members are declared with their label::

        class Level(LabelledEnum):
            BLUE = "blue", _l("Blue warning")

    ``member.label`` is the (lazy) label; ``choices()`` gives (value, label) pairs for forms.
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
    def choices(cls) -> list[tuple[str, object]]:
        return [(member.value, member.label) for member in cls]
