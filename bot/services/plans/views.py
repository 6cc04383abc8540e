"""The stored plan and profile as the read models presentation words."""

from __future__ import annotations

from collections.abc import Iterable

from bot.services.presentation.views import ChangeView, ExerciseView, ProfileView, SessionView
from bot.storage.models import PlanChange, PlannedExercise, PlannedSession, Runner


def exercise_view(row: PlannedExercise) -> ExerciseView:
    """One stored exercise of a session."""
    return ExerciseView(
        exercise_id=row.exercise_id,
        name=row.name,
        sets=row.sets,
        reps=row.reps,
        hold_s=row.hold_s,
        load=row.load,
        tempo=row.tempo,
        range=row.range,
        cues=tuple(row.cues),
        cues_emphasised=row.cues_emphasised,
    )


def session_view(row: PlannedSession) -> SessionView:
    """One stored session, its exercises in order."""
    return SessionView(
        date=row.date,
        kind=row.kind,
        minutes=row.minutes,
        after_run=row.after_run,
        exercises=tuple(exercise_view(item) for item in row.exercises),
        rules=tuple(row.rules),
    )


def session_views(rows: Iterable[PlannedSession]) -> list[SessionView]:
    """Several stored sessions, in the order given."""
    return [session_view(row) for row in rows]


def change_view(row: PlanChange) -> ChangeView:
    """One stored plan change."""
    return ChangeView(effective_date=row.effective_date, why=row.why, rules=tuple(row.rules))


def profile_view(runner: Runner) -> ProfileView:
    """The runner's answers (stored or a draft)."""
    return ProfileView(
        experience=runner.experience,
        week=tuple((day.weekday, day.kind) for day in runner.week),
        trail_runs_per_week=runner.trail_runs_per_week,
        race_date=runner.race_date,
        race_name=runner.race_name,
        equipment=tuple(runner.equipment),
        sessions_per_week=runner.sessions_per_week,
        reminder_time=runner.reminder_time,
        timezone=runner.timezone,
        week_preview=runner.week_preview,
    )
