"""What a settings change did to the coming sessions: which moved, came, went or changed, and
how, in the words of the sessions themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from bot.coaching.explain import LOSES_A_SET, day_label, in_sentence
from bot.services.presentation.sessions import KIND_LABEL, short_dose
from bot.services.presentation.text import Text, lines
from bot.services.presentation.views import ExerciseView, SessionView

KEPT = "Every exercise keeps the progress you've made."


def plan_moves(before: Sequence[SessionView], after: Sequence[SessionView]) -> Text | str:
    """The coming sessions before and after a change, compared day by day: ``Moved: Tue 24
    Nov to Wed 25 Nov.``, ``New: ...``, ``Dropped: ...``, and ``Updated: Sun 29 Nov, split
    squat 3 × 8 each leg → 2 × 8 each leg.``, each with what changed in it."""
    old = {session.date: session for session in before}
    new = {session.date: session for session in after}
    gone = [day for day in old if day not in new]
    came = [day for day in new if day not in old]
    rows: list[tuple[date, str]] = []
    for was, now in _moves(gone, came):
        rows.append((was, _row(f"Moved: {day_label(was)} to {day_label(now)}", old[was], new[now])))
        gone.remove(was)
        came.remove(now)
    rows += [(day, f"New: {day_label(day)}, {_a(new[day].kind)}.") for day in came]
    rows += [(day, f"Dropped: {day_label(day)}.") for day in gone]
    rows += [
        (day, _row(f"Updated: {day_label(day)}", old[day], new[day]))
        for day in old.keys() & new.keys()
        if _changes(old[day], new[day])
    ]
    if not rows:
        return "Your upcoming sessions stay as they were."
    listed = (f"• {row}" for _day, row in sorted(rows))
    return lines("What changes in your next two weeks:", *listed, KEPT)


def _moves(gone: Sequence[date], came: Sequence[date]) -> list[tuple[date, date]]:
    """A session dropped and one added in the same week: that session moved."""
    pairs, free = [], list(came)
    for was in sorted(gone):
        now = next((day for day in sorted(free) if _week(day) == _week(was)), None)
        if now is not None:
            pairs.append((was, now))
            free.remove(now)
    return pairs


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _row(head: str, was: SessionView, now: SessionView) -> str:
    changes = _changes(was, now)
    return f"{head}, {'; '.join(changes)}." if changes else f"{head}."


def _changes(was: SessionView, now: SessionView) -> list[str]:
    """How ``now`` differs from ``was``: its kind, the exercises added and dropped, and the
    dose of each exercise in both."""
    changes = []
    if was.kind != now.kind:
        changes.append(f"now {_a(now.kind)} (was {_a(was.kind)})")
    old = {item.exercise_id: item for item in was.exercises}
    new = {item.exercise_id: item for item in now.exercises}
    added = [in_sentence(item.name) for key, item in new.items() if key not in old]
    dropped = [in_sentence(item.name) for key, item in old.items() if key not in new]
    if added:
        changes.append(f"adds {_listed(added)}")
    if dropped:
        changes.append(f"drops {_listed(dropped)}")
    kept = [(old[key], item) for key, item in new.items() if key in old]
    moved = [(was, now) for was, now in kept if short_dose(was) != short_dose(now)]
    sets = {now.sets - was.sets for was, now in kept}
    if moved and len(moved) == len(kept) and len(sets) == 1 and all(_sets_only(*m) for m in moved):
        changes.append(_every_exercise(sets.pop()))
    else:
        changes += [
            f"{in_sentence(now.name)} {short_dose(was)} → {short_dose(now)}" for was, now in moved
        ]
    return changes


def _sets_only(was: ExerciseView, now: ExerciseView) -> bool:
    """Whether only the number of sets changed."""
    return short_dose(replace(was, sets=now.sets)) == short_dose(now)


def _every_exercise(more_sets: int) -> str:
    """``every exercise loses a set``, ``every exercise gains 2 sets``."""
    if more_sets == -1:
        return LOSES_A_SET
    count = "a set" if abs(more_sets) == 1 else f"{abs(more_sets)} sets"
    return f"every exercise {'gains' if more_sets > 0 else 'loses'} {count}"


def _a(kind: str) -> str:
    """``a heavier session``."""
    return f"a {KIND_LABEL.get(kind, kind)}"


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
