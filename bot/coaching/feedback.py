"""What the runner tells the coach: one feedback entry per session date, and resume events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.coaching.profile import Profile


class Completed(StrEnum):
    """Whether the session was done."""

    FULL = "full"
    PARTIAL = "partial"
    SKIPPED = "skipped"
    NOT_LOGGED = "not_logged"  # a check-in came, but no log: not taken as done (P9, C4)


class Legs(StrEnum):
    """How the legs feel at the next-day check-in."""

    FRESH = "fresh"
    MUSCLE_SORENESS = "muscle_soreness"
    HEAVY = "heavy"
    JOINT_PAIN = "joint_pain"
    RED_FLAG = "red_flag"  # sharp pain, bruising or weakness (C7)


class PainSite(StrEnum):
    """Where pain was felt."""

    KNEE = "knee"
    HIP = "hip"
    LOWER_BACK = "lower_back"
    HAMSTRING = "hamstring"
    OTHER = "other"


MUSCLES = frozenset({"glutes", "hamstrings", "quads", "calves"})
"""Places a runner may name for muscle soreness (C1); pain sites are the other places."""


@dataclass(frozen=True, slots=True)
class PainReport:
    """Pain at one place, 0-10, and whether it settled by the next morning (C8)."""

    where: PainSite
    score: int
    settled: bool | None = None


def merge_pain(
    during: Sequence[PainReport], morning: Sequence[PainReport]
) -> tuple[PainReport, ...]:
    """Pain during the session and at the next-day check-in, one report per site (C8).

    The worst score stands (pain above 5 during the session still counts), and whether it
    settled comes from the morning.
    """
    sites: dict[PainSite, PainReport] = {}
    for report in (*during, *morning):
        before = sites.get(report.where)
        score = max(report.score, before.score) if before is not None else report.score
        sites[report.where] = PainReport(report.where, score, report.settled)
    return tuple(sites.values())


@dataclass(frozen=True, slots=True)
class Feedback:
    """The after-session answers and next-day check-in for the session on ``date``."""

    date: date
    completed: Completed = Completed.FULL
    rpe: int | None = None
    legs: Legs | None = None
    soreness_where: tuple[str, ...] = ()
    pain: tuple[PainReport, ...] = ()
    ran_normally: bool | None = None
    descending_stiff: bool | None = None
    hamstring_sensitive: bool | None = None
    hips_level: bool | None = None

    @property
    def done(self) -> bool:
        """Whether the runner logged strength work as done (fully or partly)."""
        return self.completed in (Completed.FULL, Completed.PARTIAL)


@dataclass(frozen=True, slots=True)
class Resumed:
    """The runner resumes strength work after a red flag (C7), from ``date`` on."""

    date: date


@dataclass(frozen=True, slots=True)
class ProfileChanged:
    """From ``date`` on, the runner's week, kit, race or the like are ``profile``: the coming
    sessions are laid out and composed again, and every exercise keeps its progress."""

    date: date
    profile: Profile


HistoryEvent = Feedback | Resumed | ProfileChanged
