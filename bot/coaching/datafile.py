"""Typed, self-describing access to one TOML table, shared by the data-file loaders."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from bot.coaching.errors import CoachingDataError

E = TypeVar("E", bound=StrEnum)


def read_toml(path: Path | None, default_name: str) -> tuple[str, dict[str, Any]]:
    """Parse ``path``, or the packaged data file ``default_name``; returns (name, document)."""
    if path is None:
        source = resources.files("bot.coaching.data").joinpath(default_name)
        name, text = default_name, source.read_text(encoding="utf-8")
    else:
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CoachingDataError(f"{name}: cannot be read ({error.strerror})") from None
    try:
        return name, tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CoachingDataError(f"{name}: not valid TOML ({error})") from None


class Table:
    """A TOML table whose getters raise ``CoachingDataError`` naming file, place and field."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise CoachingDataError(f"{where}: expected a table")
        self.data: Mapping[str, Any] = data
        self.where = where

    def fail(self, key: str, message: str) -> CoachingDataError:
        """An error naming this table and ``key``."""
        return CoachingDataError(f"{self.where}: {key}: {message}")

    def _get(self, key: str) -> Any:
        if key not in self.data:
            raise self.fail(key, "missing")
        return self.data[key]

    def has(self, key: str) -> bool:
        """Whether the optional ``key`` is present."""
        return key in self.data

    def table(self, key: str) -> Table:
        """A nested table."""
        return Table(self._get(key), f"{self.where}: {key}")

    def text(self, key: str, *, empty: bool = False) -> str:
        """A string (non-empty unless ``empty``)."""
        value = self._get(key)
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        return value

    def integer(self, key: str, low: int = 0, high: int = 10**6) -> int:
        """An integer within [low, high]."""
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"expected an integer from {low} to {high}, got {value!r}")
        return value

    def texts(self, key: str, low: int = 0, high: int = 100) -> tuple[str, ...]:
        """A list of ``low`` to ``high`` non-empty strings."""
        value = self._get(key)
        if (
            not isinstance(value, list)
            or not low <= len(value) <= high
            or not all(isinstance(item, str) and item.strip() for item in value)
        ):
            raise self.fail(key, f"expected a list of {low} to {high} non-empty strings")
        return tuple(value)

    def span(self, key: str) -> tuple[int, int]:
        """A ``[min, max]`` pair of positive integers with min <= max."""
        value = self._get(key)
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
            or value[0] > value[1]
        ):
            raise self.fail(key, f"expected [min, max] positive integers, got {value!r}")
        return value[0], value[1]

    def choice(self, key: str, kind: type[E]) -> E:
        """One value of the enum ``kind``."""
        value = self._get(key)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise self.fail(key, f"expected one of {allowed}, got {value!r}") from None

    def choices(self, key: str, kind: type[E], low: int = 0) -> tuple[E, ...]:
        """A list of at least ``low`` values of the enum ``kind``."""
        values = self.texts(key, low)
        allowed = {member.value for member in kind}
        for value in values:
            if value not in allowed:
                raise self.fail(key, f"expected only {', '.join(sorted(allowed))}, got {value!r}")
        return tuple(kind(value) for value in values)
