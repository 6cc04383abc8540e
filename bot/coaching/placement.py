"""Which days of a week can hold strength work (P2, P3, C5), and which ones get it (P6, P12).

Day arithmetic is conservative: a session is assumed to be late in its day and a run early in
its day, so "within 48 h before a long day" rules out the two days before it as well as the
long day itself. ``week`` is either the usual week, which repeats (the days after Sunday are
next week's Monday on), or the days ahead of one day of the real week (``real_week``: eight
days, the day itself at index 0), read the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.coaching.model import SessionKind
from bot.coaching.profile import DayKind

# P2: days from a session to the next run of each kind must be at least this (0 = same day).
# Easy: after the run on the same day is fine. Long: not on the day. Hard: nor the day before.
MIN_DAYS = {DayKind.REST: 0, DayKind.EASY: 0, DayKind.LONG: 1, DayKind.HARD: 2}
QUALITY = (DayKind.LONG, DayKind.HARD)


@lru_cache(maxsize=8192)
def strength_allowed(
    week: tuple[DayKind, ...], weekday: int, keep_away: frozenset[DayKind]
) -> bool:
    """P2, and C5's extra day away from the kinds of run in ``keep_away``."""
    for offset in range(4):
        kind = week[(weekday + offset) % len(week)]
        if offset < MIN_DAYS[kind] + (kind in keep_away):
            return False
    return True


@lru_cache(maxsize=8192)
def heavy_allowed(
    week: tuple[DayKind, ...], weekday: int, hours: int, keep_away: frozenset[DayKind]
) -> bool:
    """P3: no long or hard day within ``hours`` after (plus C5's extra day)."""
    days = -(-hours // 24)
    for offset in range(days + 2):
        kind = week[(weekday + offset) % len(week)]
        if kind in QUALITY and offset <= days + (kind in keep_away):
            return False
    return True


def days_to_quality(week: tuple[DayKind, ...], weekday: int) -> int:
    """Days from ``weekday`` to the next long or hard run (8 when there is none): P12."""
    for offset in range(1, 8):
        if week[(weekday + offset) % len(week)] in QUALITY:
            return offset
    return 8


@dataclass(frozen=True, slots=True)
class DayRules:
    """How the planner judges one free day for one session."""

    heavy_ok: Callable[[date], bool]  # P3: heavy eccentric work fits
    kept_away: Callable[[date], bool]  # C5: the day is inside an extra day's distance
    easy_day: Callable[[date], bool]  # P2: an easy-run day (after the run) rather than rest
    distance: Callable[[date], int]  # P12: days to the next long or hard run
    window: Callable[[date], int | None]  # P6: taper window, one session each


def choose_days(
    free: Sequence[date],
    kinds: Sequence[SessionKind],
    previous: date | None,
    rules: DayRules,
    used_windows: frozenset[int] = frozenset(),
    *,
    week_empty: bool = True,
) -> list[tuple[date, SessionKind]]:
    """Give each kind (most demanding first) the best free day; fewer if days run out.

    Strength days are never consecutive (P12; ``previous`` is the last session before these
    days), unless that would leave a week with no session at all (the Floor; ``week_empty``
    says no session was placed in it yet). A taper window holds one session (P6), counting
    ``used_windows`` from earlier weeks.

    Preference: outside C5's extra distance whenever a free day is (it yields, never removing
    a session: the Floor), then a heavy-capable day for heavy and focused sessions (a
    preference of ours, so it gives way to C5), then the day farthest from the next long or
    hard run (P12), then rest over an easy-run day, then the earliest day.
    """
    chosen: list[tuple[date, SessionKind]] = []
    taken = [previous] if previous is not None else []
    windows = set(used_windows)
    for kind in kinds:
        options = [
            day
            for day in free
            if all(day != other for other, _ in chosen) and rules.window(day) not in windows
        ]
        apart = [d for d in options if all(abs((d - other).days) >= 2 for other in taken)]
        if apart or chosen or not week_empty:
            options = apart
        if not options:
            break
        wants_heavy = kind in (SessionKind.HEAVY, SessionKind.FOCUSED)
        best = min(
            options,
            key=lambda day: (
                rules.kept_away(day),
                wants_heavy and not rules.heavy_ok(day),
                -rules.distance(day),
                rules.easy_day(day),
                day,
            ),
        )
        chosen.append((best, kind))
        taken.append(best)
        window = rules.window(best)
        if window is not None:
            windows.add(window)
    return sorted(chosen, key=lambda pair: pair[0])
