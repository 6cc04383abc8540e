"""/progress: the runner's chart of the last weeks, with a caption that says the same in words."""

from __future__ import annotations

import asyncio

from bot.coaching.explain import day_label
from bot.coaching.progress import PainMark, Progress, progress
from bot.services.dialogs.engine import Turn
from bot.services.plans.training_plan import history_of, replan
from bot.services.presentation.charts import progress_chart
from bot.services.presentation.replies import Document, Message, Reply
from bot.services.presentation.text import plain
from bot.storage.models import Runner

NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
ON_HOLD = (
    "Strength sessions are on hold after the warning signs you reported; send /resume once "
    "you're cleared."
)


async def show(turn: Turn, runner: Runner) -> Reply:
    """The progress chart as an image, captioned in plain words."""
    replanned = await replan(turn.ctx, turn.uow, runner)
    logs = await turn.uow.feedback.logs(runner_id=runner.id)
    shown = progress(
        replanned.plan,
        await history_of(turn.uow, runner, logs),
        today=turn.ctx.today(runner.timezone),
        race_date=runner.race_date,
    )
    image = await asyncio.to_thread(progress_chart, shown)
    return (Message(plain(caption(shown)), image=Document("progress.png", image, "image/png")),)


def caption(shown: Progress) -> str:
    """What the chart shows, in sentences that stand on their own."""
    lines = [_sessions(shown), _ladder(shown), _pain(shown)]
    if shown.paused:
        lines.append(ON_HOLD)
    race = f" Race day is {day_label(shown.race_date)}." if shown.race_date else ""
    lines.append(f"You're in the {shown.phase.value} phase.{race}")
    return " ".join(line for line in lines if line)


def _count(n: int, thing: str, *, in_words: bool = False) -> str:
    """``8 weeks``, or in words ``three weeks``, ``one week`` (numerals above ten)."""
    number = NUMBERS[n] if in_words and n < len(NUMBERS) else str(n)
    return f"{number} {thing}{'' if n == 1 else 's'}"


def _sessions(shown: Progress) -> str:
    if not shown.planned:
        return "No sessions are due yet: the chart fills in as you train."
    weeks = _count(len(shown.weeks), "week")
    return f"{shown.done} of {_count(shown.planned, 'session')} in {weeks}."


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
    if not shown.pain:
        shown_weeks = _count(len(shown.weeks), "week", in_words=True)
        return f"No pain reported in {shown_weeks}." if shown.planned else ""
    latest: PainMark = shown.pain[-1]
    weeks = (shown.today - latest.date).days // 7
    if weeks:
        return f"No pain reported in the last {_count(weeks, 'week', in_words=True)}."
    where = "somewhere else" if latest.where == "other" else latest.where.replace("_", " ")
    return f"Pain reported on {day_label(latest.date)}: {where}, {latest.score} out of 10."
