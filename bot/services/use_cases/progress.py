"""/progress: the runner's chart of the last weeks, with a caption that says the same in words.

The chart reads what happened, in bounded reads from the first week shown: the sessions
stored for those weeks, the runner's logs and check-ins about them, and (while paused)
whether the pause is a red flag's. It replays nothing and writes nothing.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.coaching import rules
from bot.coaching.explain import day_label
from bot.coaching.phases import phase_on
from bot.coaching.progress import PainMark, Planned, Progress, progress, shown_weeks
from bot.services.dialogs.engine import Turn
from bot.services.plans.training_plan import history_of
from bot.services.presentation.charts import SITE, progress_chart
from bot.services.presentation.replies import Document, Message, Reply, say
from bot.services.presentation.text import plain
from bot.storage.models import Runner, RunnerStatus
from bot.storage.unit_of_work import UnitOfWork

NUMBERS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
NOTHING_YET = (
    "Nothing to chart yet: once your first session is done, /progress shows your sessions "
    "week by week, your hamstring exercise level and any pain you report."
)
ON_HOLD = (
    "Strength sessions are on hold after the warning signs you reported; send /resume once "
    "you're cleared."
)
RED_FLAG = "C7"


async def show(turn: Turn, runner: Runner) -> Reply:
    """The progress chart as an image, captioned in plain words; a sentence when there is
    nothing to show yet."""
    shown = await progress_of(turn.uow, runner, turn.ctx.today(runner.timezone))
    if shown.empty:
        return say(NOTHING_YET)
    image = await asyncio.to_thread(progress_chart, shown)
    return (Message(plain(caption(shown)), image=Document("progress.png", image, "image/png")),)


async def progress_of(uow: UnitOfWork, runner: Runner, today: date) -> Progress:
    """What the chart shows as of ``today``, from the runner's stored sessions and reports."""
    starts = shown_weeks(runner.started_on, today)
    first, last = starts[0], starts[-1] + timedelta(days=6)
    rows = await uow.plans.between(runner_id=runner.id, first=first, last=last)
    logs = await uow.feedback.logs(runner_id=runner.id, since=first)
    return progress(
        [Planned(row.date, tuple(item.exercise_id for item in row.exercises)) for row in rows],
        await history_of(uow, runner, logs, first),
        start=runner.started_on,
        today=today,
        phase=phase_on(today, runner.race_date, rules()),
        race_date=runner.race_date,
        paused=await _red_flag_open(uow, runner),
    )


async def _red_flag_open(uow: UnitOfWork, runner: Runner) -> bool:
    """Whether the runner is paused by a red flag (C7) they have not resumed from since."""
    if runner.status is not RunnerStatus.PAUSED:
        return False
    resumed = await uow.feedback.resumptions(runner_id=runner.id)
    since = max((row.resumed_on for row in resumed), default=date.min)
    changes = await uow.feedback.changes(runner_id=runner.id, since=since)
    return any(RED_FLAG in change.rules for change in changes)


def caption(shown: Progress) -> str:
    """What the chart shows, in sentences that stand on their own."""
    lines = [_sessions(shown), _ladder(shown), _pain(shown)]
    if shown.paused:
        lines.append(ON_HOLD)
    race = f" Race day is {day_label(shown.race_date)}." if shown.race_date else ""
    lines.append(f"You're in the {shown.phase.value} phase.{race}")
    return " ".join(line for line in lines if line)


def count(n: int, thing: str, *, in_words: bool = False) -> str:
    """``8 weeks``, or in words ``three weeks``, ``one week`` (numerals above twelve)."""
    number = NUMBERS[n] if in_words and n < len(NUMBERS) else str(n)
    return f"{number} {thing}{'' if n == 1 else 's'}"


def _sessions(shown: Progress) -> str:
    parts = []
    if shown.planned:
        weeks = count(len(shown.weeks), "week")
        parts.append(f"{shown.done} of {count(shown.planned, 'session')} done in {weeks}")
    else:
        parts.append("No session is over yet")
    if shown.ahead:
        parts.append(f"{shown.ahead} more {'is' if shown.ahead == 1 else 'are'} planned this week")
    return "; ".join(parts) + "."


def _ladder(shown: Progress) -> str:
    if not shown.ladder:
        return ""
    first, last = shown.ladder[0], shown.ladder[-1]
    if last.step > first.step:
        return f"Your hamstring work moved up from {_the(first.exercise)} to {_the(last.exercise)}."
    if last.step < first.step:
        return (
            f"Your hamstring work eased back from {_the(first.exercise)} to {_the(last.exercise)}."
        )
    return f"Your hamstring work is at {_the(last.exercise)}."


def _the(exercise: str) -> str:
    return f"the {exercise[0].lower()}{exercise[1:]}"


def _pain(shown: Progress) -> str:
    """Every pain report shown, and how long since the last one."""
    if not shown.pain:
        return f"No pain reported {_span(len(shown.weeks))}."
    reports = "; ".join(_report(mark) for mark in shown.pain)
    weeks = (shown.today - shown.pain[-1].date).days // 7
    since = f" None in the last {_weeks(weeks)}." if weeks else ""
    return f"Pain reported: {reports}.{since}"


def _report(mark: PainMark) -> str:
    where = SITE.get(mark.where, mark.where.replace("_", " "))
    return f"{where}, {mark.score} out of 10, on {day_label(mark.date)}"


def _span(weeks: int) -> str:
    """``this week``, ``in these three weeks``."""
    return "this week" if weeks == 1 else f"in these {count(weeks, 'week', in_words=True)}"


def _weeks(n: int) -> str:
    """``week``, ``three weeks``: after ``the last``."""
    return "week" if n == 1 else count(n, "week", in_words=True)
