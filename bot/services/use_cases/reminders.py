"""What the reminder tick sends: the day's session, the next-day check-in, the week preview.

The tick claims due rows in batches; ``build`` turns a batch into messages with a few bulk
reads, and says which rows are no longer wanted (the session was logged, re-planned away or
paused, the runner blocked the bot...). ``later`` and ``snooze`` answer the Later button.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.coaching import Phase
from bot.coaching.explain import phase_now
from bot.services.context import Person, Platform, ServiceContext
from bot.services.dialogs.buttons import DialogName, SessionChoice
from bot.services.dialogs.engine import Dialogs, Turn
from bot.services.plans.local_time import due_at
from bot.services.plans.views import session_views
from bot.services.presentation.replies import Message, Reply, say
from bot.services.presentation.sessions import clock_label, week_text
from bot.services.presentation.text import Text, italic, join
from bot.services.use_cases import clubs, running_plan, training
from bot.storage.models import (
    CheckIn,
    Club,
    DispatchKind,
    PlannedSession,
    Runner,
    RunnerStatus,
    SessionLog,
)
from bot.storage.repositories.dispatches import Claimed as Due
from bot.storage.unit_of_work import UnitOfWork

DAY = timedelta(days=1)
EVENING = time(19, 0)
SNOOZES = {
    SessionChoice.IN_1H: ("In 1 hour", timedelta(hours=1)),
    SessionChoice.IN_3H: ("In 3 hours", timedelta(hours=3)),
}
LATE = italic("Sorry, this one comes late: I was offline for a while.")
CHECK_IN_INTRO = "Time for your check-in: it takes under a minute."
PREVIEW_FOOTER = italic("You can switch this preview off in /settings.")
# Rows built between two turns of the event loop: a batch's rows are built from what
# ``_load`` read, with no I/O of their own, so without a turn now and then a batch of 500
# would hold a button press behind it for the whole build (some 50 ms of check-ins).
BUILT_BETWEEN_TURNS = 25

_CHECK_IN = Dialogs(training.CHECK_IN)
# Which days' sessions a reminder shows, counted from its own day: a check-in asks about
# the day before; a week preview lists seven days. Any other, its own day's session.
_SESSION_DAYS = {DispatchKind.CHECK_IN: (-1, -1), DispatchKind.WEEK_PREVIEW: (0, 6)}


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where a reminder goes: a chat on a platform; a club's chat (a group, a channel, a
    server's channel) is a group, a runner's own chat is not."""

    platform: str
    chat_id: str
    group: bool = False


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What to do with one claimed row: send ``reply`` to ``to``, or cancel it."""

    due: Due
    to: Recipient | None = None
    reply: Reply = ()
    cancelled: str = ""  # why the row is no longer wanted


@dataclass
class _Batch:
    """Everything the rows of one batch show, read with a few queries: the runners, and their
    sessions, logs and check-ins of the days the rows are about (a bounded number of rows
    per runner, whatever their history)."""

    runners: dict[int, Runner]
    sessions: dict[tuple[int, date], PlannedSession]
    logs: dict[tuple[int, date], SessionLog]
    check_ins: dict[tuple[int, date], CheckIn]
    sent: set[tuple[int, date]]  # the session reminders that went out


async def build(
    ctx: ServiceContext,
    uow: UnitOfWork,
    rows: Sequence[Due],
    *,
    now: datetime,
    late_after: timedelta,
) -> list[Outgoing]:
    """The message for each claimed row at ``now``, or why it is no longer wanted."""
    batch = await _load(uow, rows)
    built = []
    for position, due in enumerate(rows, start=1):
        if position % BUILT_BETWEEN_TURNS == 0:
            await asyncio.sleep(0)  # let the loop run what waits: see BUILT_BETWEEN_TURNS
        outgoing = await _one(ctx, uow, batch, due)
        if outgoing.reply and now - due.due_at > late_after:
            first, *rest = outgoing.reply
            late = Message(LATE + "\n\n" + first.text, first.buttons, first.document)
            outgoing = Outgoing(due, outgoing.to, (late, *rest))
        built.append(outgoing)
    return built


async def _load(uow: UnitOfWork, rows: Sequence[Due]) -> _Batch:
    ids = {due.runner_id for due in rows if due.runner_id is not None}
    if not ids:
        return _Batch({}, {}, {}, {}, set())
    spans = [_days_shown(due) for due in rows]
    first = min(start for start, _ in spans)
    last = max(end for _, end in spans)
    logs = await uow.feedback.of_runners(SessionLog, ids, first=first, last=last)
    check_ins = await uow.feedback.of_runners(CheckIn, ids, first=first, last=last)
    runners = {runner.id: runner for runner in await uow.runners.many(ids)}
    asking = {due.runner_id for due in rows if due.kind is DispatchKind.CHECK_IN}
    for platform in {runners[i].platform for i in asking if i in runners}:
        users = [
            _person(r).dialog_key
            for i, r in runners.items()
            if i in asking and r.platform == platform
        ]
        await uow.dialogs.preload(platform=platform, user_ids=users)  # check-ins open dialogs
    return _Batch(
        runners=runners,
        sessions={
            (s.runner_id, s.date): s
            for s in await uow.plans.of_runners(ids, first=first, last=last)
        },
        logs={(row.runner_id, row.session_date): row for row in logs},
        check_ins={(row.runner_id, row.session_date): row for row in check_ins},
        sent=await uow.dispatches.sessions_sent(ids, first=first, last=last),
    )


def _days_shown(due: Due) -> tuple[date, date]:
    """The first and last day whose session ``due`` shows."""
    before, after = _SESSION_DAYS.get(due.kind, (0, 0))
    return due.local_date + before * DAY, due.local_date + after * DAY


async def _one(ctx: ServiceContext, uow: UnitOfWork, batch: _Batch, due: Due) -> Outgoing:
    if due.club_id is not None:
        return await _club(ctx, uow, due, due.club_id)
    runner = batch.runners.get(due.runner_id) if due.runner_id is not None else None
    if runner is None or runner.status in (RunnerStatus.BLOCKED, RunnerStatus.DELETED):
        return Outgoing(due, cancelled="the runner is gone or blocked the bot")
    if due.kind in (DispatchKind.SESSION, DispatchKind.SNOOZED_SESSION):
        session = batch.sessions.get((runner.id, due.local_date))
        if runner.status is RunnerStatus.PAUSED:
            return Outgoing(due, cancelled="sessions are paused")
        if session is None:
            return Outgoing(due, cancelled="no session that day any more")
        if (runner.id, due.local_date) in batch.logs:
            return Outgoing(due, cancelled="the session is already logged")
        later = due.kind is DispatchKind.SESSION
        return Outgoing(due, _private(runner), training.session_reply(session, later=later))
    if due.kind is DispatchKind.CHECK_IN:
        day = due.local_date - DAY
        answered = batch.check_ins.get((runner.id, day))
        if answered is not None and answered.legs is not None:
            return Outgoing(due, cancelled="the runner already checked in")
        paused = runner.status is RunnerStatus.PAUSED  # legs only: no session was sent
        if not paused and (runner.id, day) not in batch.sessions:
            return Outgoing(due, cancelled="no session the day before")
        log = batch.logs.get((runner.id, day))
        if not paused and log is not None and log.completed == "skipped":
            return Outgoing(due, cancelled="the session was skipped")
        if not paused and log is None and (runner.id, day) not in batch.sent:
            return Outgoing(due, cancelled="the session was never sent nor logged")
        turn = Turn(ctx, uow, _person(runner))
        answers = training.check_in_answers(day, happened=not paused or log is not None)
        reply = await _CHECK_IN.begin(turn, DialogName.CHECK_IN, answers, intro=CHECK_IN_INTRO)
        return Outgoing(due, _private(runner), reply)
    if due.kind is DispatchKind.WEEK_PREVIEW:
        if runner.status is not RunnerStatus.ACTIVE or not runner.week_preview:
            return Outgoing(due, cancelled="the week preview is off or sessions are paused")
        week = [
            session
            for offset in range(7)
            if (session := batch.sessions.get((runner.id, due.local_date + offset * DAY)))
        ]
        if not week:
            return Outgoing(due, cancelled="no sessions this week")
        parts: list[Text | str] = [
            week_text(session_views(week), title="Your week ahead"),
            PREVIEW_FOOTER,
        ]
        if week[0].phase != Phase.BUILD:
            parts.insert(0, phase_now(Phase(week[0].phase), due.local_date, runner.race_date))
        return Outgoing(due, _private(runner), say(join("\n\n", parts)))
    if due.kind is DispatchKind.PLAN_NOTICE:
        notice = await running_plan.take_notice(uow, runner)
        if notice is None:
            return Outgoing(due, cancelled="nothing new about the running plan")
        return Outgoing(due, _private(runner), say(notice))
    return Outgoing(due, cancelled=f"{due.kind} is not a runner reminder")


async def _club(ctx: ServiceContext, uow: UnitOfWork, due: Due, club_id: int) -> Outgoing:
    """The club's session of the day, or last week's summary, posted in the club's chat."""
    club = await uow.clubs.get(club_id)
    if club is None or not club.active:
        return Outgoing(due, cancelled="the club is gone or removed the bot")
    turn = Turn(ctx, uow, _club_person(club))
    if due.kind is DispatchKind.CLUB_SESSION:
        reply = await clubs.session_post(turn, club, due.local_date)
        if not reply:
            return Outgoing(due, cancelled="no club session that day any more")
        return Outgoing(due, _club_chat(club), reply)
    if due.kind is DispatchKind.CLUB_SUMMARY:
        if not club.weekly_summary:
            return Outgoing(due, cancelled="the weekly summary is off")
        summary = await clubs.weekly_summary(turn, club, due.local_date - DAY)
        if not summary:
            return Outgoing(due, cancelled="no club activity to sum up yet")
        return Outgoing(due, _club_chat(club), summary)
    return Outgoing(due, cancelled=f"{due.kind} is not a club message")


def _private(runner: Runner) -> Recipient:
    return Recipient(runner.platform, runner.chat_id)


def _club_chat(club: Club) -> Recipient:
    return Recipient(club.platform, club.chat_id, group=True)


def _person(runner: Runner) -> Person:
    return Person(
        Platform(runner.platform), runner.platform_user_id, runner.chat_id, runner.display_name
    )


def _club_person(club: Club) -> Person:
    """The club's chat, speaking as itself."""
    return Person(Platform(club.platform), club.chat_id, club.chat_id, None, clubs.chat_kind(club))


async def later(turn: Turn, runner: Runner, session: PlannedSession) -> Reply:
    """Offer when to send the session again: in 1 h, in 3 h or this evening (once only)."""
    if await _snoozed(turn.uow, runner, session):
        return say("I'll already send this session again later; there's one Later per session.")
    buttons = [
        training.session_button(label, session.date, choice)
        for choice, (label, _delay) in SNOOZES.items()
    ]
    evening = due_at(turn.ctx.today(runner.timezone), EVENING, runner.timezone)
    if evening - turn.ctx.clock() >= timedelta(hours=1):
        buttons.append(training.session_button("This evening", session.date, SessionChoice.EVENING))
    return say("When shall I send it again?", tuple(buttons))


async def snooze(
    turn: Turn, runner: Runner, session: PlannedSession, choice: SessionChoice
) -> Reply:
    """Send the session again at the chosen time, with Done and Skip but no further Later."""
    if await _snoozed(turn.uow, runner, session):
        return say("I'll already send this session again later; there's one Later per session.")
    now = turn.ctx.clock()
    if choice is SessionChoice.EVENING:
        when = due_at(turn.ctx.today(runner.timezone), EVENING, runner.timezone)
    else:
        when = now + SNOOZES[choice][1]
    await turn.uow.dispatches.add_new(
        [
            {
                "runner_id": runner.id,
                "kind": DispatchKind.SNOOZED_SESSION,
                "local_date": session.date,
                "due_at": max(when, now),
            }
        ]
    )
    local = when.astimezone(ZoneInfo(runner.timezone)).time()
    return say(f"OK, I'll send it again at {clock_label(local)}.")


async def _snoozed(uow: UnitOfWork, runner: Runner, session: PlannedSession) -> bool:
    return await uow.dispatches.exists(
        runner_id=runner.id, local_date=session.date, kind=DispatchKind.SNOOZED_SESSION
    )
