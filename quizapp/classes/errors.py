"""The error every service of the classes package raises for a refused request."""

from __future__ import annotations


class ClassError(ValueError):
    """A refused request; the message is for the person who made it, about `field`."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.field = field
