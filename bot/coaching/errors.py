"""The two errors the coaching core raises: broken packaged data, and bad runner input."""

from __future__ import annotations


class CoachingDataError(ValueError):
    """A packaged data file (exercises, rules) is missing a field or has a wrong value."""


class CoachingInputError(ValueError):
    """A profile or feedback value is invalid; ``field`` names where, like ``week.tue``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
