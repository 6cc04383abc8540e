"""What a runner's progress chart shows: sessions per week, the hamstring ladder, pain reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.coaching.feedback import Feedback, HistoryEvent
from bot.coaching.library import Family, library
from bot.coaching.model import Plan, Session, SessionStatus
from bot.coaching.phases import Phase

CHART_WEEKS = 12


@dataclass(frozen=True, slots=True)
class WeekTally:
    """One plan week: its sessions whose day is over (or that are done), and those done."""

    start: date
    planned: int
    done: int


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
    weeks: tuple[WeekTally, ...]
    ladder: tuple[Rung, ...]  # the first step reached, then each change of step
    pain: tuple[PainMark, ...]
    phase: Phase
    race_date: date | None
    paused: bool  # C7: strength sessions are on hold after a red flag

    @property
    def planned(self) -> int:
        """Sessions planned in the weeks shown whose day is over (or that are done)."""
        return sum(week.planned for week in self.weeks)

    @property
    def done(self) -> int:
        """Sessions done in the weeks shown."""
        return sum(week.done for week in self.weeks)


def progress(
    plan: Plan,
    history: Iterable[HistoryEvent],
    *,
    today: date,
    race_date: date | None = None,
    weeks: int = CHART_WEEKS,
) -> Progress:
    """The chart's data: the last ``weeks`` plan weeks up to ``today`` (or since the start)."""
    shown = [week for week in plan.weeks if week.start <= today][-weeks:]
    first = shown[0].start if shown else today
    current = shown[-1] if shown else plan.weeks[0]
    return Progress(
        today=today,
        weeks=tuple(
            WeekTally(
                week.start,
                planned=sum(1 for s in week.sessions if s.date < today or _done(s, today)),
                done=sum(1 for s in week.sessions if _done(s, today)),
            )
            for week in shown
        ),
        ladder=_ladder(s for s in plan.sessions if first <= s.date and _done(s, today)),
        pain=tuple(
            PainMark(event.date, report.score, report.where.value)
            for event in history
            if isinstance(event, Feedback) and first <= event.date <= today
            for report in event.pain
        ),
        phase=current.phase,
        race_date=race_date,
        paused=plan.paused,
    )


def _done(session: Session, today: date) -> bool:
    return session.date <= today and session.status is SessionStatus.DONE


def _ladder(sessions: Iterable[Session]) -> tuple[Rung, ...]:
    """The hamstring step of each done session, kept where it changes."""
    steps = {e.id: n for n, e in enumerate(library().family(Family.HAMSTRING), start=1)}
    rungs: list[Rung] = []
    for session in sessions:
        reached = [
            (steps[p.exercise.id], p.exercise.name)
            for p in session.exercises
            if p.exercise.id in steps
        ]
        top = max(reached, default=None)
        if top is not None and (not rungs or rungs[-1].step != top[0]):
            rungs.append(Rung(session.date, *top))
    return tuple(rungs)
