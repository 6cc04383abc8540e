"""The bridge to the coaching core: stored rows in, the plan and its changes stored back.

The plan is a pure function of the profile and the history (``bot.coaching.plan``). This
module replays it from the runner's plan checkpoint when one fits, reading only the reports
from the checkpoint's week on (so a replan costs the same in the second year as in the first
week), and keeps the checkpoint of a recent week for the next replan. It keeps the stored
upcoming sessions in step with the plan (only the sessions that really changed are replaced,
so buttons on unchanged sessions stay valid), and stores every new plan change with its rule
IDs and its "why". It keeps with the runner what the stored plan was made from
(``plan_key``), so /today and /week replay only when that changed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from hashlib import sha256
from typing import Any

from bot.coaching import (
    Change,
    Checkpoint,
    Completed,
    DayKind,
    Equipment,
    Experience,
    Feedback,
    HistoryEvent,
    Legs,
    PainReport,
    PainSite,
    Plan,
    Profile,
    ProfileChanged,
    RealWeek,
    Resumed,
    Session,
    merge_pain,
    plan,
    profile_from_dict,
    profile_to_dict,
)
from bot.coaching.checkpoint import key_of
from bot.services.context import ServiceContext
from bot.services.plans import calendar_events
from bot.services.plans.local_time import first_day
from bot.services.plans.real_weeks import real_weeks
from bot.services.plans.reminder_plan import plan_reminders
from bot.storage.models import (
    CheckIn,
    PlanChange,
    PlannedExercise,
    PlannedSession,
    ProfileVersion,
    Runner,
    RunnerStatus,
    SessionLog,
)
from bot.storage.repositories.plans import NewSession
from bot.storage.unit_of_work import UnitOfWork

LOOK_AHEAD_WEEKS = 2  # the current plan week and the next one are stored
# The checkpoint kept is the plan week holding the day this long ago: a report a few days
# late (a check-in about last week's last session) leaves it standing.
CHECKPOINT_LAG = timedelta(days=7)


def profile_of(runner: Runner) -> Profile:
    """The coaching profile of a stored runner."""
    return Profile(
        experience=Experience(runner.experience),
        week=tuple(DayKind(day.kind) for day in runner.week),
        equipment=frozenset(Equipment(item) for item in runner.equipment),
        sessions_per_week=runner.sessions_per_week,
        race_date=runner.race_date,
        race_name=runner.race_name,
        trail_runs_per_week=runner.trail_runs_per_week,
    )


def feedback_of(day: date, log: SessionLog | None, check_in: CheckIn | None) -> Feedback:
    """One feedback entry from the session log and the check-in about ``day``."""
    return Feedback(
        date=day,
        completed=Completed(log.completed) if log else Completed.NOT_LOGGED,
        rpe=log.rpe if log else None,
        legs=Legs(check_in.legs) if check_in and check_in.legs else None,
        soreness_where=tuple(check_in.soreness_where) if check_in else (),
        pain=merge_pain(_pain(log.pain if log else []), _pain(check_in.pain if check_in else [])),
        ran_normally=check_in.ran_normally if check_in else None,
        descending_stiff=check_in.descending_stiff if check_in else None,
        hamstring_sensitive=check_in.hamstring_sensitive if check_in else None,
        hips_level=log.hips_level if log else None,
    )


def _pain(rows: Sequence[dict[str, Any]]) -> tuple[PainReport, ...]:
    return tuple(
        PainReport(PainSite(row["where"]), int(row["score"]), row.get("settled")) for row in rows
    )


async def history_of(
    uow: UnitOfWork,
    runner: Runner,
    logs: Sequence[SessionLog],
    since: date = date.min,
    profiles: Sequence[ProfileChanged] = (),
) -> list[HistoryEvent]:
    """What the runner reported from ``since`` on (``logs`` and the rest, and the profile
    changes among ``profiles``), as core history."""
    by_day = {row.session_date: row for row in logs}
    check_ins = {
        row.session_date: row
        for row in await uow.feedback.check_ins(runner_id=runner.id, since=since)
    }
    events: list[tuple[date, int, HistoryEvent]] = [
        (day, 0, feedback_of(day, by_day.get(day), check_ins.get(day)))
        for day in sorted(by_day.keys() | check_ins.keys())
    ]
    events += [
        (row.resumed_on, 1, Resumed(row.resumed_on))
        for row in await uow.feedback.resumptions(runner_id=runner.id, since=since)
    ]
    events += [(change.date, 2, change) for change in profiles if change.date >= since]
    return [event for _day, _order, event in sorted(events, key=lambda e: (e[0], e[1]))]


@dataclass(frozen=True, slots=True)
class Replanned:
    """The plan after a replay, and what changed in the stored upcoming sessions."""

    plan: Plan
    new_changes: tuple[Change, ...]
    added: tuple[date, ...]
    removed: tuple[date, ...]
    altered: tuple[date, ...]

    @property
    def moved(self) -> bool:
        """Whether any upcoming session was added, removed or altered."""
        return bool(self.added or self.removed or self.altered)


PLAN_NOTES = frozenset({("P6",), ("P2",), ("Floor",), ("P7",), ("P13",)})
"""The planning changes a runner is told about when they happen: a phase, too few days or none
(the Floor), and how a beginner or a lifter starts."""


def plan_notes(replanned: Replanned, today: date) -> list[str]:
    """The newest note of each planning rule that changed from this week on, to tell the runner."""
    newest = {c.rules: c.why for c in replanned.new_changes if c.rules in PLAN_NOTES}
    week_ago = today - timedelta(days=6)
    current = {c.rules for c in replanned.new_changes if c.date >= week_ago}
    return [why for rules, why in newest.items() if rules in current]


def weeks_to_plan(start: date, today: date, ahead: int = LOOK_AHEAD_WEEKS) -> int:
    """Enough plan weeks from ``start`` to cover today's week and the ``ahead - 1`` after it."""
    return max(0, (today - start).days) // 7 + ahead


async def replan(
    ctx: ServiceContext,
    uow: UnitOfWork,
    runner: Runner,
    *,
    ahead: int = LOOK_AHEAD_WEEKS,
    joined: bool = False,
) -> Replanned:
    """Replay the runner's plan, store the upcoming sessions and any new plan changes.

    The plan reaches ``ahead`` weeks from today's week (a calendar looks further than the
    stored weeks; so does the plan of a runner with a calendar link, whose calendar's event
    versions are kept up here); what is stored, sessions and changes alike, ends with the
    ``LOOK_AHEAD_WEEKS`` stored weeks whatever ``ahead`` is. ``joined``: the runner joined
    in this unit of work, so nothing of theirs is stored yet and nothing is read back.
    """
    today = ctx.today(runner.timezone)
    subscribed = runner.calendar_token is not None
    if subscribed:
        ahead = max(ahead, calendar_events.PLAN_WEEKS)
    current, stored = await _replay(ctx, uow, runner, ahead=ahead, joined=joined, keep=True)
    kept = current.checkpoint
    if kept is not None and kept != stored.resume:
        await uow.feedback.keep_checkpoint(runner_id=runner.id, day=kept.day, state=kept.to_json())
    last = _last_day(current, today, end=_stored_end(runner.started_on, today))
    new_changes = await _store_changes(
        uow, runner, [change for change in current.changes if change.date <= last], stored
    )
    added, removed, altered = await _store_sessions(
        uow, runner, current, (today, last), stored, lambda: first_open_day(ctx, uow, runner)
    )
    runner.planned_until = last
    if current.paused and runner.status is RunnerStatus.ACTIVE:
        runner.status = RunnerStatus.PAUSED  # C7: check-ins only, until the runner resumes
    await plan_reminders(ctx, uow, runner, joined=joined)
    if subscribed:
        await _keep_calendar(ctx, uow, runner, current)
    follows = not joined and (
        bool(stored.real) or await uow.running_plans.link_of(runner.id) is not None
    )
    runner.plan_key = None if current.paused or follows else plan_key(ctx, runner)
    return Replanned(current, new_changes, added, removed, altered)


def plan_key(ctx: ServiceContext, runner: Runner) -> str:
    """What a replan makes of the runner besides their reports: the local day (a new day
    sees the sessions missed, stores a new week and keeps a new checkpoint), the profile,
    start and coaching core (the checkpoint's key) and the settings the reminders and the
    calendar follow. The reports clear the stored key as they are written
    (``FeedbackRepository``), so a stored key that matches this one says the stored plan is
    the plan a replan would store now; the time of day does not count, since with the same
    inputs on the same day a replan stores the same sessions before and after the reminder.
    A runner who follows a linked running plan (or did, recently) keeps no key: their plan
    also reads the plan's 14 days from the first open day, which moves at the reminder."""
    fields = [
        key_of(profile_of(runner), runner.started_on),
        ctx.today(runner.timezone).isoformat(),
        runner.status.value,
        runner.timezone,
        runner.reminder_time.isoformat(),
        runner.week_preview,
        runner.calendar_token is not None,
    ]
    return sha256(json.dumps(fields).encode()).hexdigest()


async def plan_held(ctx: ServiceContext, uow: UnitOfWork, runner: Runner) -> bool:
    """Whether the runner's plan holds their sessions (a red flag, C7), with the stored plan
    brought up to date first: replayed, unless the last replan's ``plan_key`` still holds (a
    held plan keeps none, nor does a runner's who follows a linked running plan, so theirs
    are replayed every time)."""
    if runner.plan_key is not None and runner.plan_key == plan_key(ctx, runner):
        return False
    return (await replan(ctx, uow, runner)).plan.paused


async def keep_calendar(ctx: ServiceContext, uow: UnitOfWork, runner: Runner) -> None:
    """After a change that needs no replan (a pause): record the new versions of the events
    of a runner with a calendar link, from their plan as it stands."""
    if runner.calendar_token is not None:
        today = ctx.today(runner.timezone)
        current = await planned(ctx, uow, runner, ahead=calendar_events.PLAN_WEEKS, as_of=today)
        await _keep_calendar(ctx, uow, runner, current)


async def _keep_calendar(
    ctx: ServiceContext, uow: UnitOfWork, runner: Runner, current: Plan
) -> None:
    kept = await sessions_in(
        uow, runner, current, *calendar_events.kept(ctx.today(runner.timezone))
    )
    await calendar_events.keep_up(ctx, uow, runner, kept)


async def planned(
    ctx: ServiceContext, uow: UnitOfWork, runner: Runner, *, ahead: int, as_of: date
) -> Plan:
    """The runner's plan as a replan would have made it on ``as_of`` (its sessions missed
    since then not yet seen as missed), reaching ``ahead`` weeks from today's week; it only
    reads (nothing is stored, not even a checkpoint)."""
    current, _stored = await _replay(
        ctx, uow, runner, ahead=ahead, joined=False, keep=False, as_of=as_of
    )
    return current


async def sessions_in(
    uow: UnitOfWork, runner: Runner, current: Plan, first: date, last: date
) -> list[PlannedSession]:
    """The runner's sessions from ``first`` to ``last``: the stored ones up to the end of the
    stored weeks, then the plan's (as rows not stored)."""
    rows = {
        row.date: row
        for row in await uow.plans.between(runner_id=runner.id, first=first, last=last)
    }
    stored_until = runner.planned_until or first - timedelta(days=1)
    for session in current.sessions:
        if max(first, stored_until + timedelta(days=1)) <= session.date <= last:
            rows[session.date] = session_row(session, phase_on(current, session.date))
    return [rows[day] for day in sorted(rows)]


async def _replay(
    ctx: ServiceContext,
    uow: UnitOfWork,
    runner: Runner,
    *,
    ahead: int,
    joined: bool,
    keep: bool,
    as_of: date | None = None,
) -> tuple[Plan, _Stored]:
    """The plan replayed from the stored checkpoint, as of today unless ``as_of`` says
    otherwise (``keep``: store a new profile version if the runner's changed, and ask for the
    checkpoint to keep)."""
    today = ctx.today(runner.timezone)
    profile, changes = await _profiles(ctx, uow, runner, joined=joined, save=keep)
    stored = _NOTHING_STORED if joined else await _stored(uow, runner, profile, changes, today)
    real = () if joined else await _real(ctx, uow, runner, save=keep)
    current = plan(
        profile,
        start=runner.started_on,
        weeks=weeks_to_plan(runner.started_on, today, max(ahead, LOOK_AHEAD_WEEKS)),
        history=stored.history,
        as_of=as_of or today,
        resume=stored.resume,
        keep=today - CHECKPOINT_LAG if keep else None,
        real=real,
    )
    return current, replace(stored, real=real)


async def _real(
    ctx: ServiceContext, uow: UnitOfWork, runner: Runner, *, save: bool
) -> tuple[RealWeek, ...]:
    """The versions of the runner's real week, if they ever linked their running plan."""
    return await real_weeks(uow, runner, lambda: first_open_day(ctx, uow, runner), save=save)


@dataclass(frozen=True)
class _Stored:
    """What a replay starts from: the checkpoint that fits, the reports since it (as the
    session logs and as core history), the plan changes stored since it, the stored
    sessions from today on, and the real week's versions."""

    resume: Checkpoint | None
    logs: Sequence[SessionLog]
    history: Sequence[HistoryEvent]
    changes: frozenset[tuple[date, tuple[str, ...], str]]
    sessions: dict[date, PlannedSession]
    real: tuple[RealWeek, ...] = ()  # the versions of the real week it planned from


_NOTHING_STORED = _Stored(None, (), (), frozenset(), {})


async def first_open_day(ctx: ServiceContext, uow: UnitOfWork, runner: Runner) -> date:
    """The first day a change may re-plan: today, unless today's session is already a fact
    (its reminder is due or sent, or the runner logged it), then tomorrow."""
    now = ctx.clock()
    day = first_day(now, runner.timezone, runner.reminder_time)
    today = ctx.today(runner.timezone)
    if day == today and (
        await uow.feedback.log(runner_id=runner.id, day=today) is not None
        or await uow.dispatches.session_reminded(runner_id=runner.id, local_date=today, now=now)
    ):
        return today + timedelta(days=1)
    return day


async def _profiles(
    ctx: ServiceContext, uow: UnitOfWork, runner: Runner, *, joined: bool, save: bool = True
) -> tuple[Profile, list[ProfileChanged]]:
    """The runner's profile on their first day, and each change of it since.

    A profile that differs from the last one kept is kept (with ``save``) from the first day
    still open (``first_open_day``): a session already due or done keeps the profile it was
    planned by.
    """
    current = profile_of(runner)
    if joined:  # nothing of theirs is stored yet: no read, no stale checkpoint to drop
        row = ProfileVersion(
            runner_id=runner.id, effective_on=runner.started_on, profile=profile_to_dict(current)
        )
        await uow.feedback.add(row)
        return current, []
    versions = await uow.feedback.profiles(runner_id=runner.id)
    kept = [(row.effective_on, profile_from_dict(row.profile)) for row in versions]
    if not kept or kept[-1][1] != current:
        day = runner.started_on
        if kept:
            day = max(day, await first_open_day(ctx, uow, runner))
        if save:
            await uow.feedback.save_profile(
                runner_id=runner.id, day=day, profile=profile_to_dict(current)
            )
        kept = [(effective, profile) for effective, profile in kept if effective < day]
        kept.append((day, current))
    (_, first), *later = kept
    return first, [ProfileChanged(day, profile) for day, profile in later]


async def _stored(
    uow: UnitOfWork,
    runner: Runner,
    profile: Profile,
    profiles: Sequence[ProfileChanged],
    today: date,
) -> _Stored:
    resume = await _checkpoint(uow, runner, profile)
    since = resume.day if resume else date.min
    logs = await uow.feedback.logs(runner_id=runner.id, since=since)
    changes = await uow.feedback.changes(runner_id=runner.id, since=since)
    sessions = await uow.plans.between(runner_id=runner.id, first=today, last=date.max)
    return _Stored(
        resume=resume,
        logs=logs,
        history=await history_of(uow, runner, logs, since, profiles),
        changes=frozenset((row.effective_date, tuple(row.rules), row.why) for row in changes),
        sessions={row.date: row for row in sessions},
    )


async def _checkpoint(uow: UnitOfWork, runner: Runner, profile: Profile) -> Checkpoint | None:
    """The stored checkpoint, if it was taken for this first profile and start (and core
    version)."""
    row = await uow.feedback.checkpoint(runner_id=runner.id)
    if row is None:
        return None
    checkpoint = Checkpoint.from_json(row.state)
    return checkpoint if checkpoint.fits(profile, runner.started_on) else None


async def _store_changes(
    uow: UnitOfWork, runner: Runner, changes: Sequence[Change], stored: _Stored
) -> tuple[Change, ...]:
    new = tuple(c for c in changes if (c.date, tuple(c.rules), c.why) not in stored.changes)
    for change in new:
        await uow.feedback.add(
            PlanChange(
                runner_id=runner.id,
                effective_date=change.date,
                rules=list(change.rules),
                why=change.why,
            )
        )
    return new


async def _store_sessions(
    uow: UnitOfWork,
    runner: Runner,
    current: Plan,
    days: tuple[date, date],
    stored: _Stored,
    first_open: Callable[[], Awaitable[date]],
) -> tuple[tuple[date, ...], tuple[date, ...], tuple[date, ...]]:
    """Store what changed from ``days[0]`` (today) to ``days[1]``. Today's session, once its
    reminder is due or sent (``first_open``), is a fact: a replay may change it (a report
    asks for it) but never drops it, and never adds one after its reminder time."""
    today, last = days
    planned = {s.date: s for s in current.sessions if today <= s.date <= last}
    kept = {day: row for day, row in stored.sessions.items() if day <= last}
    logged = {log.session_date for log in stored.logs}
    stale: list[PlannedSession] = []
    fresh: list[NewSession] = []
    added: list[date] = []
    removed: list[date] = []
    altered: list[date] = []
    for day in sorted(planned.keys() | kept.keys()):
        if day in logged:
            continue  # a session already reported stays as it was done
        old, new = kept.get(day), planned.get(day)
        row = _new_session(new, phase_on(current, day), runner.id) if new else None
        if old is not None and row is not None and _unchanged(old, row):
            continue
        if (old is None or row is None) and day == today and today < await first_open():
            continue  # changed by what the runner reports, but never dropped nor added
        stale += [old] if old is not None else []
        fresh += [row] if row is not None else []
        (added if old is None else removed if row is None else altered).append(day)
    await uow.plans.replace(stale, fresh)
    return tuple(added), tuple(removed), tuple(altered)


def _stored_end(start: date, today: date) -> date:
    """The day after the stored weeks: the plan weeks from ``start`` up to the next one."""
    return start + timedelta(days=7 * weeks_to_plan(start, today))


def _last_day(current: Plan, today: date, *, end: date) -> date:
    """The last day of the plan's last week before ``end``: how far the stored sessions reach."""
    starts = (week.start for week in current.weeks if week.start < end)
    return max(starts, default=today) + timedelta(days=6)


def phase_on(current: Plan, day: date) -> str:
    """The phase of the plan week holding ``day``."""
    return next(w.phase.value for w in current.weeks if w.start <= day < _end(w.start))


def _end(start: date) -> date:
    return start + timedelta(days=7)


def session_row(session: Session, phase: str) -> PlannedSession:
    """A coaching session as a (not yet stored) planned-session row with its exercises."""
    columns, exercises = _new_session(session, phase)
    return PlannedSession(**columns, exercises=[PlannedExercise(**e) for e in exercises])


def _new_session(session: Session, phase: str, runner_id: int | None = None) -> NewSession:
    """``session`` as a planned session to store: its row's columns and its exercises'."""
    exercises = [
        {
            "position": position,
            "exercise_id": item.exercise.id,
            "name": item.exercise.name,
            "sets": item.sets,
            "reps": item.reps,
            "hold_s": item.hold_s,
            "load": item.load,
            "tempo": item.tempo or None,
            "range": item.range,
            "cues": list(item.cues),
            "cues_emphasised": item.cues_emphasised,
        }
        for position, item in enumerate(session.exercises)
    ]
    columns = {
        "date": session.date,
        "kind": session.kind.value,
        "phase": phase,
        "minutes": session.minutes,
        "after_run": session.after_run,
        "rules": list(session.rules),
    }
    return NewSession(
        columns if runner_id is None else {**columns, "runner_id": runner_id}, exercises
    )


# What makes a stored session differ from a new plan's: not its exercises' names (a renamed
# exercise is not a changed session).
_SESSION_SHAPE = ("kind", "phase", "minutes", "after_run", "rules")
_EXERCISE_SHAPE = (
    "exercise_id",
    "sets",
    "reps",
    "hold_s",
    "load",
    "tempo",
    "range",
    "cues",
    "cues_emphasised",
)


def _unchanged(old: PlannedSession, new: NewSession) -> bool:
    """Whether a stored session is already the new one (compared without building rows:
    most sessions stay as they were at each replan)."""
    return (
        all(getattr(old, name) == new.columns[name] for name in _SESSION_SHAPE)
        and len(old.exercises) == len(new.exercises)
        and all(
            getattr(stored, name) == exercise[name]
            for stored, exercise in zip(old.exercises, new.exercises, strict=True)
            for name in _EXERCISE_SHAPE
        )
    )
