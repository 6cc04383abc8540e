"""A plan checkpoint: the replay state at the start of a plan week, as JSON-able data.

A replan resumes from it instead of replaying from the day coaching began, and gets the same
weeks, changes, decisions and pause as a full replay from that week on. A checkpoint belongs
to one profile, start day and version of the coaching core (its ``key``); it holds only while
the history before its week stays as it was, so whoever stores it drops it when a report
about an earlier day arrives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from hashlib import sha256
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from bot.coaching.decisions import Adjustment
from bot.coaching.library import Joint
from bot.coaching.profile import Profile


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The replay state before plan week ``week`` (first day ``day``) of one profile."""

    key: str
    week: int
    day: date
    state: Mapping[str, Any]

    def fits(self, profile: Profile, start: date) -> bool:
        """Whether this checkpoint was taken replaying this profile from ``start``."""
        return self.key == key_of(profile, start)

    def to_json(self) -> dict[str, Any]:
        """The checkpoint as JSON-able data."""
        return {"key": self.key, "week": self.week, "day": self.day.isoformat(), **self.state}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Checkpoint:
        """The checkpoint ``to_json`` returned."""
        state = {k: v for k, v in data.items() if k not in ("key", "week", "day")}
        return cls(data["key"], data["week"], date.fromisoformat(data["day"]), state)


def key_of(profile: Profile, start: date) -> str:
    """What a checkpoint depends on besides the history: the profile, start and core."""
    fields = [
        profile.experience.value,
        [kind.value for kind in profile.week],
        sorted(item.value for item in profile.equipment),
        profile.sessions_per_week,
        iso(profile.race_date),
        profile.race_name,
        profile.trail_runs_per_week,
        start.isoformat(),
    ]
    return sha256(json.dumps([_core_version(), fields]).encode()).hexdigest()


@cache
def _core_version() -> str:
    """A digest of the coaching core's code and data: a new release replays from the start."""
    digest = sha256()
    for name, content in sorted(_sources(resources.files("bot.coaching"), "")):
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def _sources(folder: Traversable, prefix: str) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for item in folder.iterdir():
        name = prefix + item.name
        if item.is_dir() and item.name != "__pycache__":
            found += _sources(item, name + "/")
        elif item.name.endswith((".py", ".toml")):
            found.append((name, item.read_bytes()))
    return found


def iso(day: date | None) -> str | None:
    """A date as JSON, or None."""
    return day.isoformat() if day else None


def day_of(text: str | None) -> date | None:
    """The date ``iso`` returned."""
    return date.fromisoformat(text) if text else None


def adjustment_json(adjustment: Adjustment) -> list[Any]:
    """An adjustment as JSON-able data."""
    return [
        adjustment.recovery,
        sorted(adjustment.ease),
        sorted(adjustment.swap),
        adjustment.fewer_sets,
        adjustment.sticky,
    ]


def adjustment_of(data: list[Any]) -> Adjustment:
    """The adjustment ``adjustment_json`` returned."""
    recovery, ease, swap, fewer_sets, sticky = data
    return Adjustment(
        recovery=recovery,
        ease=frozenset(Joint(joint) for joint in ease),
        swap=frozenset(Joint(joint) for joint in swap),
        fewer_sets=fewer_sets,
        sticky=sticky,
    )
