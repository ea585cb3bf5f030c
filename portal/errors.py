"""The one error a service raises when a rule says no."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the person can act on.

    ``message`` is a (lazy) translated string that says what to do; ``field`` names the form
    field it belongs to, or None for the whole form or action. Views turn it into a response
    with ``portal.web.render.refused``. Areas subclass it only where the subclass carries
    meaning that a caller checks for.
    """

    status = 422

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
