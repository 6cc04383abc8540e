"""The runner's own account: settings, pause and resume, history, export and deletion."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any, TypedDict

from bot.coaching.explain import day_label
from bot.services.dialogs.buttons import DialogName
from bot.services.dialogs.choices import Choice
from bot.services.dialogs.engine import Answers, Dialog, Step, Turn
from bot.services.dialogs.profile_questions import (
    ProfileAnswers,
    apply_answers,
    one_day_steps,
    profile_steps,
    running_days,
)
from bot.services.plans.reminder_plan import plan_reminders
from bot.services.plans.training_plan import first_open_day, keep_calendar, plan_notes, replan
from bot.services.plans.views import change_view, profile_view, session_views
from bot.services.presentation.plan_moves import plan_moves
from bot.services.presentation.replies import Document, Message, Reply, say
from bot.services.presentation.rule_ids import POINTER as RULES_POINTER
from bot.services.presentation.sessions import change_text, profile_text
from bot.services.presentation.table import export_csv
from bot.services.presentation.text import Text, bold, join, plain
from bot.services.presentation.views import SessionView
from bot.services.use_cases import running_plan
from bot.services.use_cases.training import runner_or_none, with_runner
from bot.storage.models import PlanChange, Resumption, Runner, RunnerStatus, as_dict

# The calendar link's secret and the key of the calendar's UIDs are keys, not data about the
# runner: an export file that gets passed around must not let anyone follow their calendar.
UNEXPORTED = frozenset({"calendar_token", "calendar_key"})
DATE_FIELDS = (
    "date",
    "session_date",
    "effective_date",
    "effective_on",
    "local_date",
    "resumed_on",
    "day",
    "since",
)
SETTINGS_FIELDS = (
    Choice("experience", "Experience"),
    Choice("week", "Running week", ("days", "running days")),
    Choice("runs", "Trail runs a week", ("trail runs",)),
    Choice("race", "Race", ("race date",)),
    Choice("kit", "Kit", ("equipment", "gear")),
    Choice("sessions", "Sessions a week", ("sessions",)),
    Choice("time", "Reminder time", ("time", "reminder")),
    Choice("timezone", "Timezone", ("time zone", "zone")),
    Choice("preview", "Week preview", ("preview",)),
    Choice("shown", "Name in club summaries", ("name",)),
    Choice("plan", "Running plan link", ("running plan", "plan", "link")),
)


def settings(runner: Runner) -> Answers:
    """What the settings dialog starts from: the running days of the stored week, the kit
    the runner has (the kit question starts from it), and their timezone (typed dates are
    read relative to their today)."""
    return {
        "running_days": running_days(runner),
        "kit": list(runner.equipment),
        "zone": runner.timezone,
    }


class SettingsAnswers(ProfileAnswers, total=False):
    """Which ``field`` changes, and its new answer: a profile answer, one day of the week
    (``wday`` and ``wkind``), or ``shown`` ("yes" names the runner in club summaries).
    ``running_days`` is the stored week's count of runs, for the trail-runs question, and
    ``zone`` the runner's timezone."""

    field: str
    shown: str
    wday: str
    wkind: str
    running_days: int
    zone: str


def _field_is(name: str) -> Callable[[Answers], bool]:
    return lambda answers: answers.get("field") == name


@with_runner
async def _finish_settings(turn: Turn, runner: Runner, answers: SettingsAnswers) -> Reply:
    if answers.get("field") == "plan":  # what /plan says: the linked plan, or how to link one
        return await running_plan.command(turn, runner, "", None)
    if "shown" in answers:
        shown = answers["shown"] == "yes"
        clubs = await turn.uow.clubs.show_name(runner_id=runner.id, shown=shown)
        if not clubs:
            return say(
                'You haven\'t joined a club yet. Once you have (through "My personal plan" '
                "under a club session), this sets whether your name shows in its summaries."
            )
        named = "will appear" if shown else "won't appear"
        return say(f"Saved: your first name {named} in your clubs' weekly summaries.")
    today = turn.ctx.today(runner.timezone)
    before = await _upcoming(turn, runner, today)
    apply_answers(runner, answers)
    await turn.uow.session.flush()
    replanned = await replan(turn.ctx, turn.uow, runner)
    after = await _upcoming(turn, runner, today)
    notes = plan_notes(replanned, today)
    said = ["Saved.", profile_text(profile_view(runner)), plan_moves(before, after), *notes]
    return say(join("\n\n", said))


async def _upcoming(turn: Turn, runner: Runner, today: date) -> list[SessionView]:
    """The stored sessions of the next two weeks."""
    sessions = await turn.uow.plans.between(
        runner_id=runner.id, first=today, last=today + timedelta(days=13)
    )
    return session_views(sessions)


SETTINGS = Dialog(
    DialogName.SETTINGS,
    (
        Step(
            "field",
            "What would you like to change?",
            SETTINGS_FIELDS,
            columns=3,
            when=lambda answers: "field" not in answers,
        ),
        Step(
            "shown",
            "Show your first name in your clubs' weekly summaries? (Counts are always anonymous.)",
            [Choice("yes", "Yes, name me"), Choice("no", "No, keep me anonymous", ("anonymous",))],
            when=_field_is("shown"),
            label="Name in club summaries",
        ),
        *one_day_steps(_field_is("week")),
        *(
            step
            for step in profile_steps(_field_is)
            if step.key not in {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
        ),
    ),
    _finish_settings,
)


class DeleteAnswers(TypedDict):
    """``confirm``: "delete", or "keep"."""

    confirm: str


async def _finish_delete(turn: Turn, answers: DeleteAnswers) -> Reply:
    if answers["confirm"] != "delete":
        return say("Nothing was deleted. Your plan carries on.")
    runner = await runner_or_none(turn)
    person = turn.person
    await turn.uow.dialogs.forget(platform=person.platform, user_id=person.user_id)
    await turn.uow.clubs.forget_marks(platform=person.platform, user_id=person.user_id)
    if runner is not None:  # the rest of what is theirs goes with them (ON DELETE CASCADE)
        await turn.uow.runners.delete(runner.id)
    return say(
        "Done: your profile, plan, logs, check-ins, history and club marks are deleted. "
        "If you ever want to start again, send /start."
    )


DELETE = Dialog(
    DialogName.DELETE,
    (
        Step(
            "confirm",
            "This deletes your profile, plan, session logs, check-ins, history, club "
            'memberships and club "I did it" marks for good. Are you sure?',
            [
                Choice("delete", "Yes, delete everything", ("delete",)),
                Choice("keep", "No, keep it", ("keep", "cancel")),
            ],
            columns=1,
        ),
    ),
    _finish_delete,
)


async def pause(turn: Turn, runner: Runner) -> Reply:
    """Stop session reminders until the runner resumes; short check-ins go on."""
    runner.status = RunnerStatus.PAUSED
    await plan_reminders(turn.ctx, turn.uow, runner)
    await keep_calendar(turn.ctx, turn.uow, runner)  # the sessions ahead come cancelled
    return say(
        "Paused. I won't send sessions until you send /resume, just a quick check-in on your "
        "legs twice a week. Take care!"
    )


async def resume(turn: Turn, runner: Runner) -> Reply:
    """Resume sessions; after a red flag, this is the runner saying they have been cleared."""
    held = (await replan(turn.ctx, turn.uow, runner)).plan.paused
    if held:  # from the first day a session can still be sent on (C7's graded return)
        back = await first_open_day(turn.ctx, turn.uow, runner)
        await turn.uow.feedback.add(Resumption(runner_id=runner.id, resumed_on=back))
    runner.status = RunnerStatus.ACTIVE
    await replan(turn.ctx, turn.uow, runner)
    if held:
        return say(
            "Welcome back. I'm glad you've been cleared. We'll pick up gently, and please "
            "tell me at the next check-in if anything flares up. Send /today to see where "
            "we are."
        )
    return say("You're back on. Send /today to see where we are.")


async def history(turn: Turn, runner: Runner) -> Reply:
    """Recent sessions, and every plan change with its why."""
    logs = await turn.uow.feedback.logs(runner_id=runner.id)
    changes = await turn.uow.feedback.changes(runner_id=runner.id)
    lines: list[Text | str] = [bold("Recent sessions")]
    lines += [
        f"• {day_label(log.session_date)}: {log.completed}"
        + (f", effort {log.rpe}/10" if log.rpe is not None else "")
        for log in logs[-10:]
    ] or ["None logged yet."]
    lines += ["", bold("Plan changes")]
    lines += ["• " + change_text(change_view(change)) for change in shown_changes(changes)] or [
        "None yet."
    ]
    lines += ["", RULES_POINTER]
    return say(join("\n", lines))


def shown_changes(changes: Sequence[PlanChange]) -> list[PlanChange]:
    """The changes in date order, each report once: a session's check-in re-decides what its
    log decided, so of a day's changes made by feedback (a C rule) only the latest stands."""
    latest = {change.effective_date: change.id for change in changes if _by_feedback(change)}
    kept = [c for c in changes if not _by_feedback(c) or latest[c.effective_date] == c.id]
    return sorted(kept, key=lambda change: (change.effective_date, change.id))


def _by_feedback(change: PlanChange) -> bool:
    """Whether a report on the session (not the planner's calendar) made the change."""
    return any(rule.startswith("C") for rule in change.rules)


async def export(turn: Turn, runner: Runner) -> Reply:
    """Everything stored about the runner, as a JSON file and a CSV file."""
    uow, rid, person = turn.uow, runner.id, turn.person
    last = date.max
    sessions = await uow.plans.between(runner_id=rid, first=date.min, last=last)
    marks = await uow.clubs.marks_of(platform=person.platform, user_id=person.user_id)
    question = await uow.dialogs.get(platform=person.platform, user_id=person.dialog_key)
    checkpoint = await uow.feedback.checkpoint(runner_id=rid)
    link = await uow.running_plans.link_of(rid)
    records: dict[str, list[dict[str, Any]]] = {
        "runner": [{k: v for k, v in as_dict(runner).items() if k not in UNEXPORTED}],
        "running_week": [as_dict(day) for day in runner.week],
        "planned_sessions": [
            {**as_dict(s), "exercises": [as_dict(e) for e in s.exercises]} for s in sessions
        ],
        "session_logs": [as_dict(row) for row in await uow.feedback.logs(runner_id=rid)],
        "check_ins": [as_dict(row) for row in await uow.feedback.check_ins(runner_id=rid)],
        "plan_changes": [as_dict(row) for row in await uow.feedback.changes(runner_id=rid)],
        "resumptions": [as_dict(row) for row in await uow.feedback.resumptions(runner_id=rid)],
        "profile_versions": [as_dict(row) for row in await uow.feedback.profiles(runner_id=rid)],
        "plan_checkpoint": [as_dict(checkpoint)] if checkpoint is not None else [],
        "club_memberships": [as_dict(row) for row in await uow.clubs.memberships(runner_id=rid)],
        "club_marks": [as_dict(row) for row in marks],
        "reminders": [as_dict(row) for row in await uow.dispatches.of_runner(rid)],
        "calendar_events": [
            as_dict(row)
            for row in (
                await uow.calendar.versions(runner_id=rid, first=date.min, last=last)
            ).values()
        ],
        "open_question": [asdict(question)] if question is not None else [],
        # The running plan's link is a secret: only that there is one, and since when.
        "running_plan_link": [{"linked": True, "linked_at": link.linked_at.isoformat()}]
        if link is not None
        else [],
        "running_plan_rules": [
            as_dict(row) for row in await uow.running_plans.rule_rows(runner_id=rid)
        ],
        "real_week_versions": [
            {"since": since.isoformat(), "days": days}
            for since, days in await uow.running_plans.real_weeks(rid)
        ],
    }
    return (
        Message(plain("Here is everything I keep about you.")),
        Message(
            plain("Your data as JSON."),
            document=Document(
                "trail-coach-data.json",
                json.dumps(
                    {**records, "runner": records["runner"][0]}, indent=2, default=str
                ).encode(),
                "application/json",
            ),
        ),
        Message(
            plain("Your data as CSV."),
            document=Document(
                "trail-coach-data.csv", export_csv(records, DATE_FIELDS).encode(), "text/csv"
            ),
        ),
    )
