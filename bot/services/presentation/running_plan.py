"""The words about a runner's linked running plan (issue 31): what the coach read in it, its
questions, and why a session moved when the plan changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.coaching.explain import day_label
from bot.services.presentation.sessions import DAY_KIND_LABEL, KIND_LABEL, WEEKDAYS
from bot.services.presentation.text import Text, lines
from bot.services.presentation.views import SessionView

RUN_KIND_LABEL = {**DAY_KIND_LABEL, "rest": "not a run", "race": "race"}
PLATFORMS = "TrainingPeaks, Final Surge, intervals.icu, Garmin Connect, Google or Apple Calendar"
HOW_TO_LINK = (
    "Send /plan link followed by the private calendar address of your running plan "
    "(https://… or webcal://…). " + PLATFORMS + " all give one, usually under "
    '"calendar feed", "iCal" or "subscribe". Keep it private: I only ever show its host.'
)


@dataclass(frozen=True, slots=True)
class RunView:
    """One event of the plan as read: its day, title, and kind (None: not known yet)."""

    day: date
    title: str
    kind: str | None


@dataclass(frozen=True, slots=True)
class DayChange:
    """A day whose kind the plan changed: what it was and what it is now (rest, easy, hard,
    long: the declared week's where the plan names nothing)."""

    day: date
    was: str
    now: str


def understood(runs: Sequence[RunView]) -> Text | str:
    """``Tue 24 Nov: Intervals 6 × 800 m → hard``, one line each."""
    if not runs:
        return (
            "I found no runs in your plan for the next two weeks, so your usual week holds for now."
        )
    rows = [
        f"• {day_label(run.day)}: {run.title or '(untitled)'} → "
        + (RUN_KIND_LABEL[run.kind] if run.kind is not None else "? (I'll ask)")
        for run in runs
    ]
    return lines("Here's what I read for the next two weeks:", *rows)


def kind_question(title: str, day: date, guess: str | None) -> str:
    """``Is “Hill reps” (Tue 24 Nov) a hard run?``, or what it is when there is no guess."""
    named = f"“{title or '(untitled)'}” ({day_label(day)})"
    if guess is None:
        return f"What is {named} in your plan? I'll read it the same way from now on."
    if guess == "rest":
        return f"Is {named} a day without running? I'll read it the same way from now on."
    article = "an" if guess == "easy" else "a"
    return f"Is {named} {article} {RUN_KIND_LABEL[guess]}? I'll read it the same way from now on."


def race_question(title: str, day: date) -> str:
    """Whether a race in the plan is the runner's race (P6)."""
    return (
        f"Your plan has “{title or 'a race'}” on {day_label(day)}. Is it the race to get ready "
        "for? I'd set it as your race date: your sessions then ease off in the weeks before "
        "it, with none in the last four days."
    )


def plan_changed(
    changes: Mapping[date, DayChange],
    before: Sequence[SessionView],
    after: Sequence[SessionView],
) -> str:
    """Why the sessions moved when the plan changed, one sentence each: ``Your long run moved
    to Sunday, so Saturday's focused hamstring session moves to Wednesday.``"""
    old = {s.date: s for s in before}
    new = {s.date: s for s in after}
    gone = sorted(day for day in old if day not in new)
    came = sorted(day for day in new if day not in old)
    said: list[str] = []
    for was in gone:
        now = next((day for day in came if _week(day) == _week(was)), None)
        cause = _cause(changes, was)
        session = f"{WEEKDAYS[was.weekday()]}'s {KIND_LABEL.get(old[was].kind, 'session')}"
        if now is not None:
            came.remove(now)
            said.append(f"{cause}, so {session} moves to {_on(now)}.")
        else:
            said.append(f"{cause}, so {session} is off this week: no day around it fits.")
    said += [f"{_cause(changes, day)}, so there's a session on {_on(day)} now." for day in came]
    return " ".join(said)


def _cause(changes: Mapping[date, DayChange], day: date) -> str:
    """The plan's change that matters to a session on ``day``: the day after it first (the
    run it would come before), then the day itself, then the ones after."""
    near = [day + timedelta(days=n) for n in (1, 0, 2, 3)]
    change = next((changes[d] for d in near if d in changes), None)
    if change is None:
        return "Your plan changed"
    if change.now == "rest":
        return f"Your {DAY_KIND_LABEL[change.was]} on {_on(change.day)} is off"
    moved_from = [
        c for c in changes.values() if c.was == change.now and abs((c.day - change.day).days) < 7
    ]
    if moved_from:
        return f"Your {DAY_KIND_LABEL[change.now]} moved to {_on(change.day)}"
    return f"Your plan now has a {DAY_KIND_LABEL[change.now]} on {_on(change.day)}"


def _on(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day}"


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())
