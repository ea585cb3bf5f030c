"""The national five-level 好差评 scale, shared by request ratings, activity ratings and surveys.

Satisfaction rate = (非常满意 + 满意) / all valid answers. 基本满意 is reported on its own,
never counted as satisfied.
"""

from __future__ import annotations

from enum import IntEnum

from flask_babel import lazy_gettext as _l


class Level(IntEnum):
    VERY_SATISFIED = 5
    SATISFIED = 4
    FAIRLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label(self):
        return LABELS[self]

    @property
    def counts_as_satisfied(self) -> bool:
        return self >= Level.SATISFIED

    @property
    def is_unhappy(self) -> bool:
        return self <= Level.DISSATISFIED


LABELS = {
    Level.VERY_SATISFIED: _l("Very satisfied"),
    Level.SATISFIED: _l("Satisfied"),
    Level.FAIRLY_SATISFIED: _l("Fairly satisfied"),
    Level.DISSATISFIED: _l("Dissatisfied"),
    Level.VERY_DISSATISFIED: _l("Very dissatisfied"),
}

# Highest first, the order people read the scale in.
LEVELS = sorted(Level, reverse=True)
FORMULA = _l("Satisfaction rate = (very satisfied + satisfied) ÷ all valid ratings. "
             "“Fairly satisfied” is shown separately and not counted as satisfied.")


def satisfaction_rate(counts: dict[int, int]) -> float | None:
    """The share of ratings 4 and 5 among valid ratings (1–5); None when there are none."""
    valid = sum(count for level, count in counts.items() if level in Level._value2member_map_)
    if not valid:
        return None
    satisfied = counts.get(Level.VERY_SATISFIED, 0) + counts.get(Level.SATISFIED, 0)
    return satisfied / valid
