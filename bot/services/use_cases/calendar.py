"""/calendar: the next four weeks of sessions as a calendar file that updates on re-import,
and, in webhook mode, as a private subscription URL that calendar apps follow by themselves.

Each event's UID is the runner and the day. Its SEQUENCE is the number of seconds from the
runner's first day with the coach to the latest change that shaped the event: the stored
session row (replaced only when its content changes), the runner's profile (the reminder
time and timezone place the event), and a skip that dropped it. Sessions beyond the stored
weeks are not stored yet: theirs is the latest report or plan change, which is all they
follow from. The profile's row also changes when the stored weeks roll on, which raises
SEQUENCE once a week without a change: harmless, a calendar app only reads the event again.
A skipped session, and every session while the runner is paused, comes as cancelled.

The subscription URL holds a per-runner secret token (``runners.calendar_token``), handed
out on the first /calendar in webhook mode; /calendar reset replaces it, so the old URL
stops working. The file and the URL are made by the same function, ``plan_file``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.context import ServiceContext
from bot.services.dialogs.engine import Turn
from bot.services.plans.training_plan import phase_on, replan, session_row
from bot.services.plans.views import session_view
from bot.services.presentation.cues import Cue
from bot.services.presentation.ics import Entry, calendar
from bot.services.presentation.replies import Document, Message, Reply, say
from bot.services.presentation.sessions import KIND_LABEL, dose
from bot.services.presentation.text import cue, plain
from bot.services.presentation.views import SessionView
from bot.storage.models import Runner, RunnerStatus
from bot.storage.unit_of_work import UnitOfWork

CALENDAR_DAYS = 28
PLAN_WEEKS = 6  # today's plan week and five more reach past the four weeks from today
FEED_PATH = "/calendar/{token}.ics"  # under the bot's public URL, on its web server
TOKEN_BYTES = 32  # secrets.token_urlsafe: 43 characters
MAX_TOKEN = 64  # the column's width: anything longer is no token of ours
RESET = "reset"

SENT = (
    "Your next four weeks of strength sessions, as a calendar file: open it to add them to "
    "your calendar. When your plan changes, send /calendar again and import the new file: "
    "the sessions update in place, and a dropped one shows as cancelled."
)
NOTHING = (
    "No strength sessions are planned in the next four weeks, so there's nothing to add to "
    "your calendar. Send /week to see where your plan stands."
)
LINK = (
    "Or let your calendar keep up by itself: add this private link to your calendar app as a "
    'subscription ("from URL"), and plan changes show up there on their own.\n{url}\n'
    "Keep it to yourself: anyone with the link can see your sessions. Send /calendar reset "
    "for a new link if it ever gets out; the old one then stops working."
)
NEW_LINK = (
    "Done: your old calendar link no longer works. Here's your new private link; replace the "
    "old subscription in your calendar app with it:\n{url}"
)
LINK_OFF = "Done: any calendar link I gave you before no longer works." + cue(Cue.NO_CALENDAR_LINK)
ARGUMENTS = (
    "Send /calendar for your sessions as a calendar file, or /calendar reset to switch off "
    "your calendar link and get a new one."
)


@dataclass(frozen=True, slots=True)
class PlanFile:
    """The runner's next four weeks as an .ics file, and how many sessions it holds."""

    content: bytes
    sessions: int


async def export(turn: Turn, runner: Runner, args: str = "") -> Reply:
    """/calendar: the .ics file (when any session is planned) and, in webhook mode, the
    private subscription link; ``/calendar reset`` replaces the link instead."""
    argument = args.strip().lower()
    if argument == RESET:
        return _reset(turn.ctx, runner)
    if argument:
        return say(ARGUMENTS)
    public = turn.ctx.public_url
    if public is not None and runner.calendar_token is None:
        runner.calendar_token = new_token()
    made = await plan_file(turn.ctx, turn.uow, runner)
    if public is None or runner.calendar_token is None:
        if not made.sessions:
            return say(NOTHING)
        return (Message(SENT + cue(Cue.NO_CALENDAR_LINK), document=_document(made)),)
    link = say(LINK.format(url=feed_url(public, runner.calendar_token)))
    if not made.sessions:
        return (*say(NOTHING), *link)
    return (Message(plain(SENT), document=_document(made)), *link)


async def subscription(ctx: ServiceContext, token: str) -> bytes | None:
    """The calendar behind a subscription URL's token; None for a token that is not current."""
    if not token or len(token) > MAX_TOKEN:
        return None
    async with ctx.database.unit_of_work() as uow:
        runner = await uow.runners.with_calendar_token(token)
        if runner is None:
            return None
        return (await plan_file(ctx, uow, runner)).content


def feed_url(public_url: str, token: str) -> str:
    """The subscription URL of ``token`` under the bot's public URL."""
    return public_url.rstrip("/") + FEED_PATH.format(token=token)


def new_token() -> str:
    """A fresh secret for a subscription URL: long and random, safe in a URL path."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _reset(ctx: ServiceContext, runner: Runner) -> Reply:
    """Revoke the runner's subscription link; in webhook mode, hand out a new one."""
    if ctx.public_url is None:
        runner.calendar_token = None
        return say(LINK_OFF)
    runner.calendar_token = new_token()
    return say(NEW_LINK.format(url=feed_url(ctx.public_url, runner.calendar_token)))


def _document(made: PlanFile) -> Document:
    return Document("strength-sessions.ics", made.content, "text/calendar")


async def plan_file(ctx: ServiceContext, uow: UnitOfWork, runner: Runner) -> PlanFile:
    """The .ics file of the runner's next four weeks, from one replan of their plan."""
    events = await entries(ctx, uow, runner)
    content = calendar(
        events,
        owner=f"runner{runner.id}",
        timezone=runner.timezone,
        at=runner.reminder_time,
        stamp=ctx.clock(),
        name="Strength sessions",
    )
    return PlanFile(content, len(events))


async def entries(ctx: ServiceContext, uow: UnitOfWork, runner: Runner) -> list[Entry]:
    """The events of the next four weeks: stored sessions first, then those planned later."""
    later = (await replan(ctx, uow, runner, ahead=PLAN_WEEKS)).plan
    today = ctx.today(runner.timezone)
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
    for session in later.sessions:
        if stored_until < session.date <= last:
            rows[session.date] = session_row(session, phase_on(later, session.date))
    paused = runner.status is RunnerStatus.PAUSED
    return [
        _entry(
            session_view(row),
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


def _entry(row: SessionView, sequence: int, *, cancelled: bool) -> Entry:
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
