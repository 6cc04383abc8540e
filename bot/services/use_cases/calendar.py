"""/calendar: the four weeks before today and the four from today as a calendar file that
updates on re-import, and, in webhook mode, as a private subscription URL that calendar apps
follow by themselves.

The events and their versions are ``bot.services.plans.calendar_events``'s; their words and
the file's shape are ``bot.services.presentation.ics``'s. /calendar replans (and records each
changed event's new version); the subscription URL only reads, in a unit of work that cannot
write, and says with an ETag and Last-Modified whether anything changed since the app's last
look.

The subscription URL holds a per-runner secret token (``runners.calendar_token``), handed
out on the first /calendar in webhook mode; /calendar reset replaces it, so the old URL
stops working. The file and the URL are made by the same function, ``plan_file``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.services.context import ServiceContext
from bot.services.dialogs.engine import Turn
from bot.services.plans import calendar_events
from bot.services.plans.training_plan import planned, replan, sessions_in
from bot.services.presentation.cues import Cue
from bot.services.presentation.ics import Entry, calendar
from bot.services.presentation.replies import Document, Message, Reply, say
from bot.services.presentation.text import cue, plain
from bot.storage.models import Runner
from bot.storage.unit_of_work import UnitOfWork

FEED_PATH = "/calendar/{token}.ics"  # under the bot's public URL, on its web server
TOKEN_BYTES = 32  # secrets.token_urlsafe: 43 characters
MAX_TOKEN = 64  # the column's width: anything longer is no token of ours
RESET = "reset"

SENT = (
    "Your strength sessions as a calendar file, the next four weeks and how the last four "
    "went: open it to add them to your calendar. When your plan changes, send /calendar "
    "again and import the new file: the sessions update in place, and a dropped one shows "
    "as cancelled."
)
NOTHING = (
    "No strength sessions are planned in the next four weeks, so there's nothing to add to "
    "your calendar. Send /week to see where your plan stands."
)
NOTHING_AHEAD = (
    "No strength sessions are planned in the next four weeks: send /week to see where your "
    "plan stands. The calendar file has how the last four weeks went, and shows any session "
    "dropped from your plan as cancelled."
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
    """The runner's calendar as an .ics file: how many sessions ahead it holds (not
    cancelled), when it last changed, and its ETag (a hash of the bytes)."""

    content: bytes
    ahead: int
    events: int
    revised: datetime

    @property
    def etag(self) -> str:
        """A strong validator of the file's bytes, quoted as HTTP wants it."""
        return '"' + hashlib.sha256(self.content).hexdigest()[:32] + '"'


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
    sent = SENT if made.ahead else NOTHING_AHEAD
    if public is None or runner.calendar_token is None:
        if not made.events:
            return say(NOTHING)
        return (Message(sent + cue(Cue.NO_CALENDAR_LINK), document=_document(made)),)
    link = say(LINK.format(url=feed_url(public, runner.calendar_token)))
    if not made.events:
        return (*say(NOTHING), *link)
    return (Message(plain(sent), document=_document(made)), *link)


async def subscription(ctx: ServiceContext, token: str) -> PlanFile | None:
    """The calendar behind a subscription URL's token; None for a token that is not current.
    It only reads: a calendar app's poll writes nothing."""
    if not token or len(token) > MAX_TOKEN:
        return None
    async with ctx.database.reading() as uow:
        runner = await uow.runners.with_calendar_token(token)
        if runner is None:
            return None
        today = ctx.today(runner.timezone)
        as_of = min(runner.calendar_as_of or today, today)
        current = await planned(ctx, uow, runner, ahead=calendar_events.PLAN_WEEKS, as_of=as_of)
        shown = await sessions_in(uow, runner, current, *calendar_events.window(today))
        return _file(ctx, runner, await calendar_events.events(ctx, uow, runner, shown))


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
    """The runner's calendar as an .ics file, from one replan of their plan (which records
    each changed event's new version)."""
    current = (await replan(ctx, uow, runner, ahead=calendar_events.PLAN_WEEKS)).plan
    today = ctx.today(runner.timezone)
    shown = await sessions_in(uow, runner, current, *calendar_events.kept(today))
    return _file(ctx, runner, await calendar_events.keep_up(ctx, uow, runner, shown))


def _file(ctx: ServiceContext, runner: Runner, events: list[Entry]) -> PlanFile:
    content = calendar(
        events,
        key=runner.calendar_key,
        domain=ctx.calendar_domain,
        timezone=runner.timezone,
        name="Strength sessions",
    )
    today = ctx.today(runner.timezone)
    ahead = sum(1 for event in events if event.day >= today and not event.cancelled)
    revised = calendar_events.last_revised(events, ctx, runner)
    return PlanFile(content, ahead, len(events), revised)
