"""Club mode: the coach in a club's group or channel.

Admins set the club up there; members get a personal plan, and give health feedback, only in
a private chat. In a group the coach answers its own commands and stays out of the chatter.
"""

from __future__ import annotations

from datetime import time, timedelta
from html import escape

from bot.services.dialog import Answers, Choice, Dialog, Step, Turn
from bot.services.free_text import read_time, read_timezone
from bot.services.render import WEEKDAYS, clock_label
from bot.services.replies import DeepLink, Reply, say
from bot.storage.models import Club

LEVELS = (
    Choice("starting", "Starting out"),
    Choice("intermediate", "Intermediate"),
    Choice("advanced", "Advanced"),
)
LEVEL_EXPERIENCE = {"starting": "none", "intermediate": "some", "advanced": "regular"}
DEFAULT_POST_TIME = time(18, 0)


def greeting(club: Club) -> str:
    """The one hello when the coach joins a club's chat."""
    title = escape(club.title or "everyone")
    where = "posted in this channel" if club.chat_type == "channel" else "sent here"
    return (
        f"Hello, {title}! I'm the trail strength coach. Admins: send /club {where} to choose "
        "the club's strength days, time, timezone and level, and I'll post each club "
        "session. Members get a personal plan in a private chat, and anything about "
        "anyone's health stays there, never in the group."
    )


async def chat_membership(
    turn: Turn, *, chat_id: str, chat_kind: str, title: str | None, present: bool
) -> Reply:
    """The bot was added to or removed from a group or channel: greet once, or go quiet."""
    club = await turn.uow.clubs.find(platform=turn.person.platform, chat_id=chat_id)
    if not present:
        if club is not None:
            club.active = False
        return ()
    if club is not None and club.active:
        club.title, club.chat_type = title, chat_kind
        return ()  # a promotion or a second event: the chat was greeted already
    if club is None:
        club = await turn.uow.clubs.add(
            Club(
                platform=turn.person.platform,
                chat_id=chat_id,
                chat_type=chat_kind,
                title=title,
                timezone=turn.ctx.default_timezone,
            )
        )
    club.active = True
    return say(greeting(club))


async def migrate(turn: Turn, *, old_chat_id: str, new_chat_id: str) -> None:
    """A group became a supergroup: the club follows it to the new chat id."""
    club = await turn.uow.clubs.find(platform=turn.person.platform, chat_id=old_chat_id)
    moved = await turn.uow.clubs.find(platform=turn.person.platform, chat_id=new_chat_id)
    if club is not None and moved is None:
        club.chat_id, club.chat_type = new_chat_id, "supergroup"


def private_redirect(club: Club | None) -> Reply:
    """Personal commands in a group: a button to carry on in a private chat."""
    payload = f"club{club.id}" if club is not None else "private"
    return say(
        "Let's keep your plan and how your legs feel between us: continue in a private chat.",
        (DeepLink("Continue in private", payload),),
    )


async def members(turn: Turn, club: Club) -> Reply:
    """How many members have personal plans, and how many trained in the last seven days."""
    today = turn.ctx.today(club.timezone or turn.ctx.default_timezone)
    joined = await turn.uow.clubs.member_count(club.id)
    active = await turn.uow.clubs.active_members(club.id, since=today - timedelta(days=6))
    return say(
        f"{joined} member{'s' if joined != 1 else ''} have a personal plan; "
        f"{active} trained in the last seven days."
    )


def setup_text(club: Club) -> str:
    """The club's settings in one short paragraph."""
    days = ", ".join(WEEKDAYS[day] for day in sorted(club.session_days)) or "no days yet"
    at = clock_label(club.post_time or DEFAULT_POST_TIME)
    summary = "on" if club.weekly_summary else "off"
    level = next(c.label for c in LEVELS if c.value == club.level)
    return (
        f"Club sessions: {days}, posted at {at} ({club.timezone}). Level: {level}. "
        f"Weekly summary: {summary}."
    )


async def _finish_setup(turn: Turn) -> Reply:
    club = await turn.uow.clubs.find(platform=turn.person.platform, chat_id=turn.person.chat_id)
    if club is None:
        return say("I can't find this club any more. Remove me and add me again to start over.")
    answers = turn.answers
    club.session_days = sorted(int(day) for day in answers["days"])
    club.post_time = time.fromisoformat(answers["time"])
    club.timezone = answers["tz"]
    club.level = answers["level"]
    club.weekly_summary = answers["summary"] == "on"
    return say("Saved. " + setup_text(club))


def _time(text: str, _answers: Answers, _ctx: object) -> str:
    return read_time(text).strftime("%H:%M")


def _timezone(text: str, _answers: Answers, _ctx: object) -> str:
    return read_timezone(text)


CLUB_SETUP = Dialog(
    "club",
    (
        Step(
            "days",
            "Which days are club strength days? Tap them, then Done.",
            [Choice(str(i), name) for i, name in enumerate(WEEKDAYS)],
            columns=4,
            multi=True,
        ),
        Step(
            "time",
            "When should I post the club session? Pick a time, or reply to this message "
            "with one, like 18:30.",
            [Choice(t, t) for t in ("07:00", "12:00", "17:00", "18:00", "19:00", "20:00")],
            columns=3,
            read_text=_time,
        ),
        Step(
            "tz",
            "Which timezone is the club in? Pick one, or reply with a city (Denver) "
            "or an offset (+2).",
            lambda _a, ctx: [
                Choice(zone, zone)
                for zone in dict.fromkeys((ctx.default_timezone, "Europe/London", "Europe/Berlin"))
            ],
            read_text=_timezone,
        ),
        Step("level", "What level is the group?", LEVELS, columns=3),
        Step(
            "summary",
            "Shall I post a weekly summary (counts only; names only for members who opt in)?",
            [Choice("on", "Yes"), Choice("off", "No")],
        ),
    ),
    _finish_setup,
)


NOT_YOURS = "That button isn't for you, or it's out of date; nothing changed."
NOT_ADMIN = "Only the group's admins can change the club's setup; nothing was changed."
GROUP_HELP = (
    "In this group I post the club's strength sessions. Admins: /club to set them up, "
    '/club members for the numbers. Everyone: tap "My personal plan" under a club session '
    "for a plan of your own, in private."
)


async def register(turn: Turn) -> Club:
    """The club of this chat, created the first time an admin asks for it."""
    person = turn.person
    club = await turn.uow.clubs.find(platform=person.platform, chat_id=person.chat_id)
    if club is not None:
        return club
    return await turn.uow.clubs.add(
        Club(
            platform=person.platform,
            chat_id=person.chat_id,
            chat_type=person.chat_kind,
            timezone=turn.ctx.default_timezone,
        )
    )
