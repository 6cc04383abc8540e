"""Club mode: the coach in a club's group or channel.

Admins set the club up there; members get a personal plan, and give health feedback, only in
a private chat. In a group the coach answers its own commands and stays out of the chatter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import replace
from datetime import date, time, timedelta
from typing import TypedDict

from bot.coaching import DayKind, Experience, Profile, plan
from bot.coaching.explain import day_label
from bot.services.context import ChatKind
from bot.services.dialogs.buttons import DialogName, DidIt, encode
from bot.services.dialogs.choices import Choice
from bot.services.dialogs.engine import Dialog, Step, Turn
from bot.services.dialogs.profile_questions import (
    TIMEZONE_EXAMPLE,
    WEEKDAY_CHOICES,
    timezone_choices,
    typed_time,
    typed_timezone,
)
from bot.services.plans.local_time import due_at
from bot.services.plans.reminder_plan import plan_club_posts
from bot.services.plans.training_plan import phase_on, session_row
from bot.services.plans.views import session_view
from bot.services.presentation.charts import sessions_chart
from bot.services.presentation.cues import Cue
from bot.services.presentation.replies import (
    Button,
    DeepLink,
    Document,
    Message,
    Place,
    Reply,
    say,
    toast,
)
from bot.services.presentation.sessions import WEEKDAYS, clock_label, session_text
from bot.services.presentation.text import Text, bold, cue, join, lines, moment, plain
from bot.storage.models import Club, PlannedSession

LEVELS = (
    Choice("starting", "Starting out", ("beginner", "beginners", "new")),
    Choice("intermediate", "Intermediate", ("medium", "mixed")),
    Choice("advanced", "Advanced", ("experienced", "expert")),
)
LEVEL_EXPERIENCE = {"starting": "none", "intermediate": "some", "advanced": "regular"}
DEFAULT_POST_TIME = time(18, 0)
CHART_WEEKS = 8
CHART_TITLE = "Club strength sessions per week"


def chat_kind(club: Club) -> ChatKind:
    """The club's chat: a channel or a group (rows stored before the coach had its own words
    for chats may say Telegram's "supergroup", a group)."""
    return ChatKind.CHANNEL if club.chat_type == ChatKind.CHANNEL else ChatKind.GROUP


def the_chat(kind: ChatKind) -> Text:
    """The club's chat, as its members call it: a channel, or the platform's group."""
    return plain("the channel") if kind is ChatKind.CHANNEL else cue(Cue.THE_GROUP)


def this_chat(kind: ChatKind) -> Text:
    """The club's chat, from inside it."""
    return plain("this channel") if kind is ChatKind.CHANNEL else cue(Cue.THIS_GROUP)


def greeting(club: Club) -> Text:
    """The one hello when the coach joins a club's chat."""
    title = club.title or "everyone"
    kind = chat_kind(club)
    how = "post /club in this channel" if kind is ChatKind.CHANNEL else "send /club here"
    return (
        f"Hello, {title}! I'm the trail strength coach. Admins: {how} to choose "
        "the club's strength days, time, timezone and level, and I'll post each club "
        "session. Members get a personal plan in "
        + cue(Cue.PRIVATE_CHAT)
        + ", and anything about anyone's health stays there, never in "
        + the_chat(kind)
        + "."
    )


async def chat_membership(
    turn: Turn, *, chat_id: str, kind: ChatKind, title: str | None, present: bool
) -> Reply:
    """The bot was added to or removed from a group or channel: greet once, or go quiet."""
    club = await turn.uow.clubs.find(platform=turn.person.platform, chat_id=chat_id)
    if not present:
        if club is not None:
            await _go_quiet(turn, club)
        return ()
    if club is not None and club.active:
        club.title, club.chat_type = title, kind
        return ()  # a promotion or a second event: the chat was greeted already
    if club is None:
        club = await _add_club(turn, chat_id=chat_id, kind=kind, title=title)
    club.active = True
    await plan_club_posts(turn.ctx, turn.uow, club)
    return say(greeting(club))


async def still_in(turn: Turn, chat_ids: Collection[str]) -> list[str]:
    """The chats the bot can still see on its platform, at start: every active club in any
    other chat goes quiet (the bot was removed, or the chat deleted, while it was offline and
    heard nothing). Returns the chat ids of the clubs that went quiet."""
    gone = [
        club
        for club in await turn.uow.clubs.active(platform=turn.person.platform)
        if club.chat_id not in chat_ids
    ]
    for club in gone:
        await _go_quiet(turn, club)
    return [club.chat_id for club in gone]


async def _go_quiet(turn: Turn, club: Club) -> None:
    club.active = False
    await turn.uow.dispatches.cancel_pending(club_id=club.id, reason="removed")


async def migrate(turn: Turn, *, old_chat_id: str, new_chat_id: str) -> None:
    """A group became a supergroup: the club follows it to the new chat id."""
    club = await turn.uow.clubs.find(platform=turn.person.platform, chat_id=old_chat_id)
    moved = await turn.uow.clubs.find(platform=turn.person.platform, chat_id=new_chat_id)
    if club is not None and moved is None:
        club.chat_id, club.chat_type = new_chat_id, ChatKind.GROUP


def private_redirect(club: Club | None) -> Reply:
    """Personal commands in a group: a button to carry on in a private chat."""
    payload = f"club{club.id}" if club is not None else "private"
    return say(
        "Let's keep your plan and how your legs feel between us: carry on in "
        + cue(Cue.PRIVATE_CHAT)
        + ".",
        (DeepLink("Carry on privately", payload),),
    )


async def members(turn: Turn, club: Club) -> Reply:
    """What the club did in the last seven days, today included, "I did it" presses and
    members' own logged sessions alike, and how many members have a personal plan: each
    number with what it counts."""
    today = turn.ctx.today(club.timezone or turn.ctx.default_timezone)
    first = today - timedelta(days=6)
    trained = await turn.uow.clubs.strength_days(club_id=club.id, first=first, last=today)
    people, sessions = len(trained), sum(len(days) for days in trained.values())
    joined = await turn.uow.clubs.member_count(club.id)
    return say(
        lines(
            bold(f"The last seven days, {day_label(first)} to {day_label(today)}"),
            f"• {_count(people, 'person', 'people')} did strength work: everyone who pressed "
            '"I did it" under a club session or logged a session of their personal plan, '
            "each counted once.",
            f"• {_count(sessions, 'strength session')} done in all, at most one a day each.",
            f"• {_count(joined, 'member')} of the club {'has' if joined == 1 else 'have'} a "
            'personal plan with me (through "My personal plan").',
        )
    )


def _count(number: int, one: str, several: str = "") -> str:
    """``1 person``, ``2 people``, ``0 strength sessions``."""
    return f"{number} {one if number == 1 else several or one + 's'}"


def setup_text(club: Club) -> str:
    """The club's settings in one short paragraph."""
    days = ", ".join(WEEKDAYS[day] for day in sorted(club.session_days)) or "no days yet"
    at = clock_label(club.post_time or DEFAULT_POST_TIME)
    summary = "on" if club.weekly_summary else "off"
    level = next(c.label for c in LEVELS if c.value == club.level)
    most = (
        " Two strength sessions a week is the most that helps, so I'll post on two of those "
        "days each week."
        if len(club.session_days) > 2
        else ""
    )
    return (
        f"Club sessions: {days}, posted at {at} ({club.timezone}). Level: {level}. "
        f"Weekly summary: {summary}.{most}"
    )


class ClubSetupAnswers(TypedDict):
    """The club's setup: its weekdays (0 is Monday), post time (HH:MM), timezone, level, and
    whether to post a weekly summary ("on" or "off")."""

    days: list[str]
    time: str
    tz: str
    level: str
    summary: str


async def _finish_setup(turn: Turn, answers: ClubSetupAnswers) -> Reply:
    club = await turn.uow.clubs.find(platform=turn.person.platform, chat_id=turn.person.chat_id)
    if club is None:
        return say("I can't find this club any more. Remove me and add me again to start over.")
    club.session_days = sorted(int(day) for day in answers["days"])
    club.post_time = time.fromisoformat(answers["time"])
    club.timezone = answers["tz"]
    club.level = answers["level"]
    club.weekly_summary = answers["summary"] == "on"
    await plan_club_posts(turn.ctx, turn.uow, club)
    return say("Saved. " + setup_text(club))


CLUB_SETUP = Dialog(
    DialogName.CLUB_SETUP,
    (
        Step(
            "days",
            "Which days are club strength days? " + cue(Cue.CHOOSE_MANY),
            [Choice(str(i), day.label, day.synonyms) for i, day in enumerate(WEEKDAY_CHOICES)],
            columns=4,
            multi=True,
            label="Days",
        ),
        Step(
            "time",
            "When should I post the club session? Pick a time or type one, like 18:30."
            + cue(Cue.TYPE_IN_CLUB_CHAT),
            [Choice(t, t) for t in ("07:00", "12:00", "17:00", "18:00", "19:00", "20:00")],
            columns=3,
            read_text=typed_time,
            label="Post time",
            example="18:30",
        ),
        Step(
            "tz",
            "Which timezone is the club in? Pick one, or type a city (Denver) or an offset "
            "(+2)." + cue(Cue.TYPE_IN_CLUB_CHAT),
            timezone_choices,
            read_text=typed_timezone,
            label="Timezone",
            example=TIMEZONE_EXAMPLE,
        ),
        Step("level", "What level is the club?", LEVELS, columns=3, label="Level"),
        Step(
            "summary",
            "Shall I post a weekly summary (counts only; names only for members who opt in)?",
            [Choice("on", "Yes", ("on",)), Choice("off", "No", ("off",))],
            label="Weekly summary",
        ),
    ),
    _finish_setup,
)


NOT_YOURS = "That button isn't for you, or it's out of date; nothing changed."
NOT_ADMIN = "Only " + cue(Cue.GROUP_ADMINS) + " can change the club's setup; nothing was changed."


def group_help(kind: ChatKind) -> Text:
    """/help in a club's chat."""
    return (
        "In "
        + this_chat(kind)
        + " I post the club's strength sessions. Admins: /club to set them up, /club members "
        "for the numbers. Everyone: "
        + cue(Cue.PRESS)
        + ' "My personal plan" under a club session for a plan of your own, in private.'
    )


async def register(turn: Turn) -> Club:
    """The club of this chat, created the first time an admin asks for it."""
    person = turn.person
    club = await turn.uow.clubs.find(platform=person.platform, chat_id=person.chat_id)
    if club is not None:
        return club
    return await _add_club(turn, chat_id=person.chat_id, kind=person.chat_kind, title=None)


async def _add_club(turn: Turn, *, chat_id: str, kind: ChatKind, title: str | None) -> Club:
    """A new club for this chat, dated by the injected clock: its plan weeks count from it."""
    return await turn.uow.clubs.add(
        Club(
            platform=turn.person.platform,
            chat_id=chat_id,
            chat_type=kind,
            title=title,
            timezone=turn.ctx.default_timezone,
            created_at=turn.ctx.clock(),
        )
    )


def club_profile(club: Club) -> Profile:
    """The club as a runner the planner understands: its strength days free, runs between."""
    days = set(club.session_days)
    return Profile(
        experience=Experience(LEVEL_EXPERIENCE[club.level]),
        week=tuple(DayKind.REST if day in days else DayKind.EASY for day in range(7)),
        sessions_per_week=2 if len(days) >= 2 else 1,
    )


def first_week(club: Club) -> date:
    """The Monday of the week the club was set up in: its plan weeks count from it."""
    return club.created_at.date() - timedelta(days=club.created_at.weekday())


def club_session(club: Club, day: date) -> PlannedSession | None:
    """The club's session on ``day`` by the P rules for its level and week, if it has one.

    Club sessions carry no personal feedback, so they hold their level's dose: progression
    is personal, and happens in members' own plans.
    """
    if not club.session_days:
        return None
    start = first_week(club)
    if day < start:
        return None
    current = plan(club_profile(club), start=start, weeks=(day - start).days // 7 + 1)
    session = next((s for s in current.sessions if s.date == day), None)
    return session_row(session, phase_on(current, day)) if session is not None else None


def _post(turn: Turn, club: Club, session: PlannedSession, count: int) -> Message:
    label = "💪 I did it" + (f" ({count})" if count else "")
    post_time = club.post_time or DEFAULT_POST_TIME
    at = due_at(session.date, post_time, club.timezone or turn.ctx.default_timezone)
    heading = bold("Club session") + ", " + moment(clock_label(post_time), at)
    return Message(
        heading + "\n" + session_text(session_view(session)),
        (
            (Button(label, encode(DidIt(club.id, session.date))),),
            (DeepLink("My personal plan", f"club{club.id}"),),
        ),
    )


async def session_post(turn: Turn, club: Club, day: date) -> Reply:
    """The club's session of the day, with "I did it" and "My personal plan"."""
    session = club_session(club, day)
    if session is None:
        return ()
    return (_post(turn, club, session, await turn.uow.clubs.mark_count(club_id=club.id, day=day)),)


async def mark(turn: Turn, pressed: DidIt) -> Reply | None:
    """An "I did it" press: counted once per person; pressing again takes it back. None if
    it is not for this chat's club, or out of date."""
    day = pressed.day
    club = await turn.uow.clubs.get(pressed.club_id)
    session = club_session(club, day) if club is not None else None
    if club is None or session is None or club.chat_id != turn.person.chat_id:
        return None
    counted = await turn.uow.clubs.toggle_mark(
        club_id=club.id, day=day, user_id=turn.person.user_id
    )
    count = await turn.uow.clubs.mark_count(club_id=club.id, day=day)
    note = "Counted: nice work!" if counted else "Taken back: you're no longer counted."
    post = _post(turn, club, session, count)
    return (*toast(note), replace(post, place=Place.PRESSED))


async def weekly_summary(turn: Turn, club: Club, last: date) -> Reply:
    """The week ending ``last``, named: how many did one session and how many two, the club's
    streak, and the names of those who trained only if they opted in; then the chart of the
    weeks since the club began (eight at most). Nothing at all while the chart would be empty:
    a club with no activity yet gets no summary."""
    weeks = await sessions_per_week(turn, club, last)
    if not any(count for _start, count in weeks):
        return ()
    first = last - timedelta(days=6)
    week = await turn.uow.clubs.strength_days(club_id=club.id, first=first, last=last)
    once = sum(len(days) == 1 for days in week.values())
    twice = sum(len(days) >= 2 for days in week.values())
    streak = await _streak(turn, club, last) if week else 0
    said: list[Text | str] = [
        bold(f"Strength work in the week {day_label(first)} to {day_label(last)}"),
        f"{once} did one session and {twice} did two or more."
        if week
        else "No strength work was logged that week.",
        f"Club streak: {streak} week{'s' if streak != 1 else ''} in a row."
        if streak
        else "A new week is a fresh start: the next club session is a good one to join.",
    ]
    names = await turn.uow.clubs.shown_names(club.id)
    named = sorted(names[user] for user in week if user in names)
    if named:
        said.append(f"Well done, {', '.join(named)}!")
    title = chart_title(weeks)
    chart = await asyncio.to_thread(sessions_chart, weeks, title=title)
    return (
        Message(join("\n", said)),
        Message(plain(f"{title}."), image=Document("club-sessions.png", chart, "image/png")),
    )


def chart_title(weeks: list[tuple[date, int]]) -> str:
    """``Club strength sessions per week, since 16 Nov`` (or ``..., the last eight weeks``)."""
    if len(weeks) < CHART_WEEKS:
        return f"{CHART_TITLE}, since {weeks[0][0].day} {weeks[0][0]:%b}"
    return f"{CHART_TITLE}, the last eight weeks"


async def sessions_per_week(turn: Turn, club: Club, last: date) -> list[tuple[date, int]]:
    """(first day, sessions) for each week ending ``last``, from the club's first week and
    eight at most: counts, no names."""
    since_start = (last - first_week(club)).days // 7 + 1
    shown = max(1, min(CHART_WEEKS, since_start))
    first = last - timedelta(days=7 * shown - 1)
    counts = [0] * shown
    trained = await turn.uow.clubs.strength_days(club_id=club.id, first=first, last=last)
    for days in trained.values():
        for day in days:
            counts[(day - first).days // 7] += 1
    return [(first + timedelta(days=7 * n), count) for n, count in enumerate(counts)]


async def _streak(turn: Turn, club: Club, last: date, *, at_most: int = 104) -> int:
    """Weeks in a row, ending with the week of ``last``, in which someone trained."""
    weeks = 0
    while weeks < at_most:
        end = last - timedelta(days=7 * weeks)
        trained = await turn.uow.clubs.strength_days(
            club_id=club.id, first=end - timedelta(days=6), last=end
        )
        if not trained:
            break
        weeks += 1
    return weeks
