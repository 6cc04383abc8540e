"""What a runner's progress chart shows: sessions per plan week, the hamstring ladder, pain.

Everything comes from what happened, never from a replay of the plan: the sessions that were
planned (as stored, day by day) and what the runner reported about them. So the chart reads
the same on any day, whatever checkpoint a replan resumes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.coaching.feedback import Completed, Feedback, HistoryEvent
from bot.coaching.library import Family, library
from bot.coaching.model import Session
from bot.coaching.phases import Phase

CHART_WEEKS = 12
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Planned:
    """One planned session as the chart reads it: its day and its exercises' ids."""

    date: date
    exercises: tuple[str, ...]

    @classmethod
    def of(cls, session: Session) -> Planned:
        """A session of the coaching core's plan."""
        return cls(session.date, tuple(item.exercise.id for item in session.exercises))


@dataclass(frozen=True, slots=True)
class WeekTally:
    """One plan week: its sessions done, those whose day is over without being done (skipped
    or missed), and those still ahead (today's included, until it is reported)."""

    start: date
    done: int
    not_done: int = 0
    ahead: int = 0

    @property
    def planned(self) -> int:
        """The sessions whose day is over, or that were reported."""
        return self.done + self.not_done


@dataclass(frozen=True, slots=True)
class Rung:
    """The hamstring ladder step a done session reached (1 is the easiest), from ``date`` on."""

    date: date
    step: int
    exercise: str


@dataclass(frozen=True, slots=True)
class PainMark:
    """One pain report: where and how strong (0-10)."""

    date: date
    score: int
    where: str


@dataclass(frozen=True, slots=True)
class Progress:
    """Everything the progress chart draws and its caption says, as of ``today``."""

    today: date
    weeks: tuple[WeekTally, ...]  # the plan weeks shown, the current one last
    ladder: tuple[Rung, ...]  # the first step reached, then each change of step
    pain: tuple[PainMark, ...]
    phase: Phase
    race_date: date | None
    paused: bool  # C7: strength sessions are on hold after a red flag

    @property
    def planned(self) -> int:
        """Sessions in the weeks shown whose day is over, or that were reported."""
        return sum(week.planned for week in self.weeks)

    @property
    def done(self) -> int:
        """Sessions done in the weeks shown."""
        return sum(week.done for week in self.weeks)

    @property
    def ahead(self) -> int:
        """Sessions still to come this week."""
        return sum(week.ahead for week in self.weeks)

    @property
    def empty(self) -> bool:
        """Nothing to show yet: no session over or reported, no pain reported."""
        return not (self.planned or self.pain)


def shown_weeks(start: date, today: date, weeks: int = CHART_WEEKS) -> tuple[date, ...]:
    """The first days of the plan weeks shown: the last ``weeks`` up to today's, or since
    ``start`` (plan weeks are seven days from the day coaching began)."""
    current = max(0, (today - start).days // 7)
    return tuple(start + n * WEEK for n in range(max(0, current - weeks + 1), current + 1))


def progress(
    sessions: Iterable[Planned],
    history: Iterable[HistoryEvent],
    *,
    start: date,
    today: date,
    phase: Phase,
    race_date: date | None = None,
    paused: bool = False,
    weeks: int = CHART_WEEKS,
) -> Progress:
    """The chart's data: the last ``weeks`` plan weeks up to ``today`` (or since ``start``),
    from the sessions planned in them and the runner's reports."""
    starts = shown_weeks(start, today, weeks)
    first, end = starts[0], starts[-1] + WEEK
    reports = {
        event.date: event
        for event in history
        if isinstance(event, Feedback) and first <= event.date < end
    }
    planned = {s.date: s for s in sessions if first <= s.date < end}
    outcomes = {day: _outcome(day, reports.get(day), today) for day in planned}
    outcomes |= {day: "done" for day, report in reports.items() if report.done}
    return Progress(
        today=today,
        weeks=tuple(_tally(week, outcomes) for week in starts),
        ladder=_ladder(planned[day] for day in sorted(planned) if outcomes[day] == "done"),
        pain=tuple(
            PainMark(day, report.score, report.where.value)
            for day, event in sorted(reports.items())
            if day <= today
            for report in event.pain
        ),
        phase=phase,
        race_date=race_date,
        paused=paused,
    )


def _outcome(day: date, report: Feedback | None, today: date) -> str:
    """``done``, ``not_done`` (skipped, or its day is over without a log) or ``ahead``."""
    if report is not None and report.done:
        return "done"
    if (report is not None and report.completed is Completed.SKIPPED) or day < today:
        return "not_done"
    return "ahead"


def _tally(start: date, outcomes: dict[date, str]) -> WeekTally:
    kinds = [kind for day, kind in outcomes.items() if start <= day < start + WEEK]
    return WeekTally(
        start,
        done=kinds.count("done"),
        not_done=kinds.count("not_done"),
        ahead=kinds.count("ahead"),
    )


def _ladder(sessions: Iterable[Planned]) -> tuple[Rung, ...]:
    """The hamstring step of each done session, kept where it changes."""
    family = library().family(Family.HAMSTRING)
    steps = {exercise.id: (n, exercise.name) for n, exercise in enumerate(family, start=1)}
    rungs: list[Rung] = []
    for session in sessions:
        top = max((steps[id_] for id_ in session.exercises if id_ in steps), default=None)
        if top is not None and (not rungs or rungs[-1].step != top[0]):
            rungs.append(Rung(session.date, *top))
    return tuple(rungs)


def ladder_names() -> tuple[str, ...]:
    """The hamstring ladder's exercises, easiest first: step ``n`` is the ``n``-th."""
    return tuple(exercise.name for exercise in library().family(Family.HAMSTRING))
