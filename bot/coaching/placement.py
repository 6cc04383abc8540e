"""Which days of a week can hold strength work (P2, P3, C5), and which ones get it.

Day arithmetic is conservative: a session is assumed to be late in its day and a run early in
its day, so "within 48 h before a long day" rules out the two days before it as well as the
long day itself. The usual week repeats, so the days after Sunday are next week's Monday on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
        kind = week[(weekday + offset) % 7]
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
        kind = week[(weekday + offset) % 7]
        if kind in QUALITY and offset <= days + (kind in keep_away):
            return False
    return True


def choose_days(
    free: Sequence[date],
    kinds: Sequence[SessionKind],
    previous: date | None,
    heavy_ok: Callable[[date], bool],
    easy_day: Callable[[date], bool],
) -> list[tuple[date, SessionKind]]:
    """Give each kind (most demanding first) the best free day; fewer if days run out.

    Preference: a heavy-capable day for heavy and focused sessions, no two sessions on
    consecutive days (``previous`` is the last session before these days), a rest day over
    an easy-run day, then the earliest day.
    """
    days, chosen = list(free), list[tuple[date, SessionKind]]()
    taken = [previous] if previous is not None else []
    for kind in kinds:
        if not days:
            break
        wants_heavy = kind in (SessionKind.HEAVY, SessionKind.FOCUSED)
        best = min(
            days,
            key=lambda day: (
                wants_heavy and not heavy_ok(day),
                any(abs((day - other).days) < 2 for other in taken),
                easy_day(day),
                day,
            ),
        )
        chosen.append((best, kind))
        taken.append(best)
        days.remove(best)
    return sorted(chosen, key=lambda pair: pair[0])
