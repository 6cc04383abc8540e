"""The coach's front door: every adapter hands it commands, text, buttons and locations.

Each call is one unit of work. Adapters only parse their platform's update into one of
these calls and render the reply.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Coroutine
from contextlib import asynccontextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from bot.services.context import ChatKind, IsAdmin, Person, Platform, ServiceContext, no_admin
from bot.services.dialogs.buttons import (
    DialogAnswer,
    DialogName,
    DidIt,
    Pressed,
    SessionAction,
    SessionChoice,
    decode,
)
from bot.services.dialogs.engine import Dialog, Dialogs, Turn
from bot.services.dialogs.free_text import mentions_pain, timezone_at
from bot.services.infrastructure.inbound import owe
from bot.services.infrastructure.turns import Turns
from bot.services.plans.reminder_plan import plan_reminders
from bot.services.presentation.replies import Message, Part, Reply, out_of_date, say, toast
from bot.services.presentation.rule_ids import rules_text
from bot.services.presentation.text import plain
from bot.services.use_cases import (
    account,
    calendar,
    clubs,
    progress,
    reminders,
    running_plan,
    training,
)
from bot.services.use_cases.onboarding import ONBOARDING, WELCOME
from bot.storage.models import Club, Runner, RunnerStatus

if TYPE_CHECKING:
    from bot.monitoring.metrics import Metrics

COMMANDS: tuple[tuple[str, str], ...] = (
    ("today", "Today's session"),
    ("week", "Your next seven days"),
    ("done", "Log today's session as done"),
    ("skip", "Skip today's session"),
    ("checkin", "Tell me how your legs feel"),
    ("settings", "Change one of your answers"),
    ("race", "Set or clear your race date"),
    ("pause", "Pause your sessions"),
    ("resume", "Resume your sessions"),
    ("history", "Your sessions and plan changes"),
    ("progress", "A chart of your progress"),
    ("calendar", "Your next four weeks as a calendar file"),
    ("plan", "Follow your running plan's calendar: /plan link, /plan unlink"),
    ("export", "Download all your data"),
    ("deleteme", "Delete all your data"),
    ("rules", "What the rule IDs in /history mean"),
    ("help", "What I can do"),
)
PERSONAL = frozenset({"start", "cancel", *(name for name, _ in COMMANDS)}) - {"help"}
HELP = "\n".join(
    [
        "Here's what I can do:",
        *(f"/{name}: {text}" for name, text in COMMANDS),
        "/cancel: stop the current questions",
        "",
        "Send /start if you're new here.",
    ]
)
NOT_A_COMMAND = (
    "I didn't catch that: I answer my own questions and commands. Send /help to see them."
)
ONBOARDING_OPEN = (
    "You're partway through setting up, and I've kept your answers so far. Answer the "
    "question to carry on, or start over."
)
PAIN_TALK = (
    "Sorry to hear that. I don't read health notes from messages, and I don't diagnose: "
    "the check-in asks the right questions and adjusts your next session, so send /checkin. "
    "If it's sharp pain, swelling, bruising or weakness, or it worries you, please see a "
    "doctor or physiotherapist."
)
SORRY = (
    "Sorry, something went wrong on my side. Your data is safe and nothing was lost; "
    "please try again in a moment."
)
"""What an adapter tells the person when handling their message failed."""
UNREADABLE = (
    "I can only read text and buttons, so that one went past me. Send /help to see what I can do."
)
UNREADABLE_IN_DIALOG = (
    "I can only read text and buttons, so that one went past me (send /help for my commands). "
    "Here's the question again:"
)

WE_WERE_HERE = "Welcome back! We were in the middle of this:"
OUT_OF_DATE = "That button is out of date, so nothing changed."
EDITED = "I don't read edited messages, so I went by what you first sent."
EDITED_IN_DIALOG = (
    "To change that answer, send /cancel and start these questions again, or change it in "
    "/settings once we're done."
)

RunnerAction = Callable[[Turn, Runner], Awaitable[Reply]]
P = ParamSpec("P")
Entry = Callable[Concatenate["Coach", Person, P], Coroutine[Any, Any, Reply]]


def _observed(kind: str) -> Callable[[Entry[P]], Entry[P]]:
    """An entry point whose handling of each update is timed and counted, by platform and
    ``kind``, when the coach has metrics."""

    def observe(entry: Entry[P]) -> Entry[P]:
        @wraps(entry)
        async def observed(coach: Coach, person: Person, /, *args: P.args, **kw: P.kwargs) -> Reply:
            if coach.metrics is None:
                return await entry(coach, person, *args, **kw)
            with coach.metrics.handling(person.platform, kind):
                return await entry(coach, person, *args, **kw)

        return observed

    return observe


def welcome_back(person: Person) -> str:
    """Hello again to a runner whose plan is set up."""
    name = f", {person.name}" if person.name else ""
    return (
        f"Welcome back{name}! Your plan is ready: send /today for today's session, "
        "or /help to see everything I can do."
    )


def unknown_command(name: str) -> str:
    """The answer to a command the coach does not know."""
    return f"I don't know /{name}. Send /help to see what I can do."


DIALOGS: tuple[Dialog[Any], ...] = (
    ONBOARDING,
    training.POST_SESSION,
    training.CHECK_IN,
    account.SETTINGS,
    account.DELETE,
    clubs.CLUB_SETUP,
    running_plan.PLAN_KINDS,
)
"""Every dialog the coach runs."""


class Coach:
    """Routes each incoming action to its use case, inside one unit of work."""

    def __init__(self, ctx: ServiceContext, *, metrics: Metrics | None = None) -> None:
        self.ctx = ctx
        self.metrics = metrics
        self.dialogs = Dialogs(*DIALOGS)
        self._club_setups = Turns()  # one chat's setup dialog, answered by any of its admins
        self._runner_commands: dict[str, RunnerAction] = {
            "today": training.today,
            "week": training.week,
            "done": self._done,
            "skip": self._skip,
            "checkin": self._check_in,
            "settings": lambda turn, r: self.dialogs.begin(
                turn, DialogName.SETTINGS, account.settings(r)
            ),
            "race": lambda turn, r: self.dialogs.begin(
                turn, DialogName.SETTINGS, {**account.settings(r), "field": "race"}
            ),
            "pause": account.pause,
            "resume": account.resume,
            "history": account.history,
            "progress": progress.show,
            "calendar": calendar.export,
            "plan": lambda turn, r: running_plan.command(turn, r, "", None),
            "export": account.export,
        }

    @asynccontextmanager
    async def _turn(self, person: Person, *, club_setup: bool = False) -> AsyncIterator[Turn]:
        """One unit of work for ``person``. With ``club_setup`` it first waits for any other
        answer to the chat's club setup: its admins' answers take turns, as one person's do."""
        setup = person.dialog_key if club_setup else None
        async with self._club_setups.turn(setup), self.ctx.database.unit_of_work() as uow:
            yield Turn(self.ctx, uow, person)

    async def _reply(
        self, person: Person, act: Callable[[Turn], Awaitable[Reply]], *, club_setup: bool = False
    ) -> Reply:
        """What ``act`` answers ``person`` in one turn (``_turn``), kept with the handled mark
        of the update it answers until it is sent (``owe``)."""
        async with self._turn(person, club_setup=club_setup) as turn:
            return owe(await act(turn))

    @_observed("command")
    async def command(
        self,
        person: Person,
        name: str,
        payload: str = "",
        *,
        admin: IsAdmin = no_admin,
        addressed: bool = False,
    ) -> Reply:
        """A slash command, without its slash; ``admin`` is asked only for ``/club``.
        ``addressed``: the command is certainly for this bot (a Discord slash command, or
        Telegram's ``/name@bot``), so even in a group one it does not know gets an answer."""
        name = name.lower()
        fetched = None
        if name == "plan" and person.private:  # the network, before any transaction opens
            fetched = await running_plan.prefetch(self.ctx, payload)
        if not person.private:
            return await self._reply(
                person,
                lambda turn: self._group_command(turn, name, payload, admin, addressed=addressed),
                club_setup=name == "club",
            )
        return await self._reply(person, lambda turn: self._command(turn, name, payload, fetched))

    async def _command(
        self, turn: Turn, name: str, payload: str, fetched: running_plan.Prefetched | None
    ) -> Reply:
        """A command in a private chat."""
        if name == "start":
            return await self._start(turn, payload)
        if name == "help":
            return say(HELP)
        if name == "rules":
            return say(rules_text(payload))
        if name == "deleteme":  # with or without a plan: club marks are theirs too
            return await self.dialogs.begin(turn, DialogName.DELETE)
        if name == "cancel":  # the question left behind loses its buttons
            if await self.dialogs.cancel(turn):
                return (Message(plain("Stopped. Nothing was changed."), part=Part.SETTLES),)
            return say("Nothing to stop.")
        action = self._runner_commands.get(name)
        if action is None:
            return say(unknown_command(name))
        runner = await training.runner_or_none(turn)
        if runner is None:
            return await self._not_set_up(turn)
        if name == "calendar":  # the runner commands that read an argument
            return await calendar.export(turn, runner, payload)
        if name == "plan":
            return await running_plan.command(turn, runner, payload, fetched)
        return await action(turn, runner)

    @_observed("text")
    async def text(self, person: Person, text: str, *, admin: IsAdmin = no_admin) -> Reply:
        """Free text: an answer to the open question, or a pointer to /help; in a group, only
        an admin's reply answers the club's setup, and anything else is not for the coach."""
        return await self._reply(
            person, lambda turn: self._text(turn, text, admin), club_setup=not person.private
        )

    async def _text(self, turn: Turn, text: str, admin: IsAdmin) -> Reply:
        private = turn.person.private
        if not private and not (await self.dialogs.is_open(turn) and await admin()):
            return ()
        reply = await self.dialogs.type(turn, text)
        if reply is not None:
            return reply
        if not private:
            return ()
        return say(PAIN_TALK if mentions_pain(text) else NOT_A_COMMAND)

    async def edited(self, person: Person) -> Reply:
        """An earlier message edited: edits are not read, and what to do instead."""
        return await self._reply(person, self._edited)

    async def _edited(self, turn: Turn) -> Reply:
        if await self.dialogs.is_open(turn):
            return say(EDITED + " " + EDITED_IN_DIALOG)
        return say(EDITED + " Please send it again as a new message.")

    @_observed("location")
    async def location(self, person: Person, *, latitude: float, longitude: float) -> Reply:
        """A shared location: the answer to the timezone question."""
        return await self._reply(person, lambda turn: self._location(turn, latitude, longitude))

    async def _location(self, turn: Turn, latitude: float, longitude: float) -> Reply:
        reply = await self.dialogs.locate(
            turn, lambda: timezone_at(latitude=latitude, longitude=longitude)
        )
        if reply is not None:
            return reply
        return say("Thanks! I only use a location to set your timezone, in /settings.")

    async def welcome(self, person: Person) -> Reply:
        """The greeting for someone opening the chat again (the console, at its start): the
        question their open dialog waits on, a welcome back, or how to begin."""
        async with self._turn(person) as turn:
            if await self.dialogs.is_open(turn):
                return await self.dialogs.current(
                    turn, "Welcome back! We were in the middle of this:"
                )
            if await training.runner_or_none(turn) is None:
                return say("Send /start to set up your plan, or /help to see what I can do.")
            return say(welcome_back(person))

    async def farewell(self, person: Person) -> Reply:
        """The goodbye for someone leaving the chat (the console): what of theirs is kept."""
        async with self._turn(person) as turn:
            if await self.dialogs.is_open(turn):
                return say("Bye — your answers so far are saved.")
            if await training.runner_or_none(turn) is not None:
                return say("Bye — your plan is saved. See you soon!")
            return say("Bye — nothing of yours is kept here.")

    @_observed("unreadable")
    async def unreadable(self, person: Person) -> Reply:
        """Something that is not text (a sticker, a photo...): a pointer, and nothing changes."""
        return await self._reply(person, self._unreadable)

    async def _unreadable(self, turn: Turn) -> Reply:
        if await self.dialogs.is_open(turn):
            return await self.dialogs.current(turn, UNREADABLE_IN_DIALOG)
        return say(UNREADABLE)

    @_observed("button")
    async def button(self, person: Person, data: str, *, admin: IsAdmin = no_admin) -> Reply:
        """A pressed button; stale or forged data changes nothing: a toast says so, and the
        pressed message becomes the open question (or loses its buttons). In a group or
        channel: "I did it" for anyone, the club's setup for its admins only."""
        pressed = decode(data)
        if not person.private:  # nothing personal is ever answered in a group
            return await self._group_button(person, pressed, admin=admin)
        return await self._reply(person, lambda turn: self._button(turn, pressed))

    async def _button(self, turn: Turn, pressed: Pressed | None) -> Reply:
        reply = await self.dialogs.press(turn, pressed) if pressed is not None else None
        if reply is not None:
            return reply
        runner = await training.runner_or_none(turn)
        if runner is not None and isinstance(pressed, SessionAction):
            reply = await self._session_button(turn, runner, pressed)
            if reply is not None:
                return reply
        current = await self.dialogs.out_of_date(turn)
        if current is not None:
            return current
        if runner is not None:
            return out_of_date(OUT_OF_DATE + " Send /today for today's session.")
        return out_of_date(OUT_OF_DATE + " Send /start to set up your plan.")

    @_observed("membership")
    async def chat_membership(self, person: Person, *, title: str | None, present: bool) -> Reply:
        """The bot joined or left a group or channel."""
        return await self._reply(
            person,
            lambda turn: clubs.chat_membership(
                turn, chat_id=person.chat_id, kind=person.chat_kind, title=title, present=present
            ),
        )

    async def still_in(self, platform: Platform, chat_ids: Collection[str]) -> list[str]:
        """At start, the chats the bot can still see on ``platform``: the clubs of every other
        chat go quiet. Returns their chat ids."""
        async with self._turn(Person(platform, "0", "0", None, ChatKind.GROUP)) as turn:
            return await clubs.still_in(turn, chat_ids)

    async def migrate(self, person: Person, *, new_chat_id: str) -> None:
        """A group became a supergroup with a new chat id."""
        async with self._turn(person) as turn:
            await clubs.migrate(turn, old_chat_id=person.chat_id, new_chat_id=new_chat_id)

    async def _group_button(
        self, person: Person, pressed: Pressed | None, *, admin: IsAdmin
    ) -> Reply:
        if isinstance(pressed, DidIt):
            return await self._reply(person, lambda turn: self._did_it(turn, pressed))
        if isinstance(pressed, DialogAnswer):
            return await self._reply(
                person, lambda turn: self._club_setup_press(turn, pressed, admin), club_setup=True
            )
        return toast(clubs.NOT_YOURS)

    @staticmethod
    async def _did_it(turn: Turn, pressed: DidIt) -> Reply:
        """An "I did it" press in a club's chat."""
        reply = await clubs.mark(turn, pressed)
        return reply if reply is not None else toast(clubs.NOT_YOURS)

    async def _club_setup_press(self, turn: Turn, pressed: DialogAnswer, admin: IsAdmin) -> Reply:
        """An answer to the club's setup, pressed in its chat: its admins' alone."""
        reply = await self.dialogs.press(turn, pressed) if await admin() else None
        return reply if reply is not None else toast(clubs.NOT_YOURS)

    async def _group_command(
        self, turn: Turn, name: str, args: str, admin: IsAdmin, *, addressed: bool
    ) -> Reply:
        """A command in a group or channel: one it does not know gets an answer only if it
        was ``addressed`` to this bot."""
        if name == "club":
            if not await admin():
                return say(clubs.NOT_ADMIN)
            club = await clubs.register(turn)
            if args.strip().lower() == "members":
                return await clubs.members(turn, club)
            intro = clubs.setup_text(club) if club.session_days else "Let's set up the club."
            return await self.dialogs.begin(turn, DialogName.CLUB_SETUP, intro=intro)
        if name in PERSONAL:
            person = turn.person
            here = await turn.uow.clubs.find(platform=person.platform, chat_id=person.chat_id)
            return clubs.private_redirect(here)
        if name == "help":
            return say(clubs.group_help(turn.person.chat_kind))
        return say(unknown_command(name)) if addressed else ()  # else quiet: another bot's?

    async def _start(self, turn: Turn, payload: str = "") -> Reply:
        runner = await training.runner_or_none(turn)
        club = await self._club_from(turn, payload)
        if runner is None:
            if await self.dialogs.is_open(turn, DialogName.ONBOARDING):
                return await self.dialogs.offer_restart(turn, ONBOARDING_OPEN)
            answers = {"club": club.id} if club is not None else {}
            welcome = (
                WELCOME
                if club is None
                else WELCOME + f"\n\nYou'll join {club.title or 'your club'} too."
            )  # a message of its own, which stays while the questions are answered in place
            return (*say(welcome), *await self.dialogs.begin(turn, DialogName.ONBOARDING, answers))
        if club is not None:
            joined = await turn.uow.clubs.join(club_id=club.id, runner_id=runner.id)
            title = club.title or "the club"
            return say(
                f"You've joined {title}. Your plan stays personal and private."
                if joined
                else f"You're already a member of {title}. Send /today for today's session."
            )
        if runner.status is RunnerStatus.BLOCKED:  # they unblocked the bot: remind them again
            runner.status = RunnerStatus.ACTIVE
            await plan_reminders(turn.ctx, turn.uow, runner)
        return say(welcome_back(turn.person))

    @staticmethod
    async def _club_from(turn: Turn, payload: str) -> Club | None:
        """The active club a ``club<id>`` deep-link payload names, if any."""
        if not payload.startswith("club") or not payload[4:].isdigit():
            return None
        club = await turn.uow.clubs.get(int(payload[4:]))
        return club if club is not None and club.active else None

    async def _not_set_up(self, turn: Turn) -> Reply:
        if await self.dialogs.is_open(turn):
            return await self.dialogs.current(turn, "Let's finish setting you up first.")
        return say("I don't know your running week yet. Send /start to set up your plan.")

    async def _session_button(
        self, turn: Turn, runner: Runner, pressed: SessionAction
    ) -> Reply | None:
        session = await turn.uow.plans.on(runner_id=runner.id, day=pressed.day)
        if session is None:
            return None
        if await turn.uow.feedback.log(runner_id=runner.id, day=session.date) is not None:
            return say("That session is already logged. Send /today to see what's next.")
        if pressed.action is SessionChoice.DONE:
            answers = training.post_session_answers(session)
            return await self.dialogs.begin(turn, DialogName.POST_SESSION, answers, pressed=pressed)
        if pressed.action is SessionChoice.SKIP:
            return await training.skip(turn, runner, session.date)
        if pressed.action is SessionChoice.LATER:
            return await reminders.later(turn, runner, session)
        return await reminders.snooze(turn, runner, session, pressed.action)

    async def _done(self, turn: Turn, runner: Runner) -> Reply:
        session = await training.unreported(turn, runner, need="log")
        if session is None:
            return say("There's no recent session waiting to be logged. Send /today to check.")
        answers = training.post_session_answers(session)
        return await self.dialogs.begin(turn, DialogName.POST_SESSION, answers)

    async def _skip(self, turn: Turn, runner: Runner) -> Reply:
        session = await training.unreported(turn, runner, need="log")
        if session is None:
            return say("There's no recent session to skip. Send /today to check.")
        return await training.skip(turn, runner, session.date)

    async def _check_in(self, turn: Turn, runner: Runner) -> Reply:
        session = await training.unreported(turn, runner, need="check_in")
        if session is not None:
            answers = training.check_in_answers(session.date)
            return await self.dialogs.begin(turn, DialogName.CHECK_IN, answers)
        if runner.status is RunnerStatus.PAUSED:  # no sessions: how are the legs today?
            today = turn.ctx.today(runner.timezone)
            answers = training.check_in_answers(today, happened=False)
            return await self.dialogs.begin(turn, DialogName.CHECK_IN, answers)
        return say(
            "Nothing to check in about right now: I ask the day after a session you've "
            "logged. Send /today to see your plan."
        )
