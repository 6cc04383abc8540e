"""/calendar: the next four weeks of sessions as a calendar file that updates on re-import.

Each event's UID is the runner and the day. Its SEQUENCE is the number of seconds from the
runner's first day with the coach to the latest change that shaped the event: the stored
session row (replaced only when its content changes), the runner's profile (the reminder
time and timezone place the event), and a skip that dropped it. Sessions beyond the stored
weeks are not stored yet: theirs is the latest report or plan change, which is all they
follow from. The profile's row also changes when the stored weeks roll on, which raises
SEQUENCE once a week without a change: harmless, a calendar app only reads the event again.
A skipped session, and every session while the runner is paused, comes as cancelled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.dialog import Turn
from bot.services.ics import Entry, calendar
from bot.services.planning import history_of, phase_on, replan, replay, session_row
from bot.services.render import KIND_LABEL, dose
from bot.services.replies import Document, Message, Reply, say
from bot.services.text import plain
from bot.storage.models import PlannedSession, Runner, RunnerStatus

CALENDAR_DAYS = 28
PLAN_WEEKS = 6  # today's plan week and five more reach past the four weeks from today
SENT = (
    "Your next four weeks of strength sessions, as a calendar file: open it to add them to "
    "your calendar. When your plan changes, send /calendar again and import the new file: "
    "the sessions update in place, and a dropped one shows as cancelled."
)
NOTHING = (
    "No strength sessions are planned in the next four weeks, so there's nothing to add to "
    "your calendar. Send /week to see where your plan stands."
)


async def export(turn: Turn, runner: Runner) -> Reply:
    """The .ics file of the next four weeks, when any session is planned in them."""
    events = await entries(turn, runner)
    if not events:
        return say(NOTHING)
    content = calendar(
        events,
        owner=f"runner{runner.id}",
        timezone=runner.timezone,
        at=runner.reminder_time,
        stamp=turn.ctx.clock(),
        name="Strength sessions",
    )
    return (
        Message(plain(SENT), document=Document("strength-sessions.ics", content, "text/calendar")),
    )


async def entries(turn: Turn, runner: Runner) -> list[Entry]:
    """The events of the next four weeks: stored sessions first, then those planned later."""
    uow = turn.uow
    await replan(turn.ctx, uow, runner)
    today = turn.ctx.today(runner.timezone)
    last = today + timedelta(days=CALENDAR_DAYS - 1)
    logs = await uow.feedback.logs(runner_id=runner.id)
    skipped = {log.session_date: log.logged_at for log in logs if log.completed == "skipped"}
    rows = {s.date: s for s in await uow.plans.between(runner_id=runner.id, first=today, last=last)}
    reported = [
        *(log.logged_at for log in logs),
        *(row.answered_at for row in await uow.feedback.check_ins(runner_id=runner.id)),
        *(row.created_at for row in await uow.feedback.changes(runner_id=runner.id)),
    ]
    stored_until = runner.planned_until or today
    later = replay(runner, await history_of(uow, runner, logs), today, ahead=PLAN_WEEKS)
    for session in later.sessions:
        if stored_until < session.date <= last:
            rows[session.date] = session_row(session, phase_on(later, session.date))
    paused = runner.status is RunnerStatus.PAUSED
    return [
        _entry(
            row,
            _seconds(
                runner.created_at,
                runner.updated_at,
                skipped.get(day),
                *([row.created_at] if day <= stored_until else reported),
            ),
            cancelled=paused or day in skipped,
        )
        for day, row in sorted(rows.items())
    ]


def _entry(row: PlannedSession, sequence: int, *, cancelled: bool) -> Entry:
    kind = KIND_LABEL.get(row.kind, row.kind)
    lines = [f"About {row.minutes} minutes with the warm-up."]
    for n, item in enumerate(row.exercises, start=1):
        lines.append(f"{n}. {item.name}: {dose(item)}")
        if item.cues_emphasised:
            lines.append(f"   Check your form on this one: {'; '.join(item.cues)}")
    return Entry(
        day=row.date,
        minutes=row.minutes,
        summary=f"Strength: {kind}",
        description="\n".join(lines),
        sequence=sequence,
        cancelled=cancelled,
    )


def _seconds(since: datetime, *moments: datetime | None) -> int:
    """Whole seconds from ``since`` to the latest of ``moments``."""
    return max(0, *(int((m - since).total_seconds()) for m in moments if m is not None))
