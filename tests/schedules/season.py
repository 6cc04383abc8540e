"""A season of one runner on the real tick and the fake Bot API, minute-accurate where it matters.

``Season`` plays one runner's season day by day on local (Berlin) time: the reminder tick a
few seconds after each reminder minute, more ticks at the hours a reminder can fall on, and
what the runner does (commands in the seconds around the reminder, at any hour, answers to
what the tick sent). It checks issue 25's invariants as it goes, from what the fake Bot API
received and what is stored:

a. every due reminder is sent once (``remind``, ``end_of_day``);
b. every check-in follows a sent session (``_read_sent``);
c. progress survives settings changes (``change``, ``doses``);
d. every change message names a change that the plan shows (``_check_reply``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.coaching import library
from bot.coaching.explain import day_label
from bot.services.plans.training_plan import replan
from bot.services.presentation.replies import Button, Message, Reply
from bot.storage.models import PlannedSession, Runner, RunnerStatus
from tests.schedules.conftest import Reminders
from tests.services.conftest import Talker

ZONE = ZoneInfo("Europe/Berlin")
CHAT = 501
TICK_HOURS = (15,)  # on a day of events, a planning pass besides the reminder's tick
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHAPED = frozenset({"C2", "C5", "C6", "C7", "P9", "P11"})  # rules that legitimately move a dose
SESSION_DATA = re.compile(r"^ses:(\d{8}):(done|later)$")
ASKS_ABOUT = re.compile(r"after (\w+)'s session")
DAY_LABEL = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}\b")
ON_WEEKDAY = re.compile(r"\bon (" + "|".join(WEEKDAYS) + r")\b|\b(" + "|".join(WEEKDAYS) + ")'s ")

CHANGE_REPLIES = ("Thanks for checking in", "Logged.", "Saved.", "Skipped")
Dose = tuple[int | None, int | None, str | None, str | None]  # reps, hold s, load, range


def local(day: date, at: time) -> datetime:
    """The UTC instant of ``at`` on ``day`` in Berlin."""
    return datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)


def the(name: str) -> str:
    """An exercise's name inside a sentence, as the coach writes it (``explain._the``)."""
    proper = name.split()[0] in ("Romanian", "Nordic")
    return f"the {name if proper else name[0].lower() + name[1:]}"


@dataclass
class Season:
    """One runner's season: the clock, the tick, the runner, and what was sent and logged."""

    reminders: Reminders
    talker: Talker
    checks: str = "abcd"  # the invariants checked
    seen: int = 0  # messages of the fake Bot API read so far
    reminder_time: time = time(7, 0)
    session_sends: Counter[date] = field(default_factory=Counter)
    sent_sessions: set[date] = field(default_factory=set)
    logged_by_hand: set[date] = field(default_factory=set)  # Done from /today
    kit_had: set[str] = field(default_factory=set)  # every kit item the runner has had
    due: dict[date, datetime] = field(default_factory=dict)  # days whose reminder fell due
    new_sessions: list[tuple[date, Message]] = field(default_factory=list)
    new_check_ins: list[Message] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # what happened, for the failure message

    @property
    def now(self) -> datetime:
        return self.reminders.clock.now

    def at(self, moment: datetime) -> None:
        assert moment >= self.now, f"the clock runs forward: {moment} < {self.now}"
        self.reminders.clock.now = moment

    def today(self) -> date:
        return self.now.astimezone(ZONE).date()

    def note(self, what: str) -> None:
        self.log.append(f"{self.now.astimezone(ZONE):%a %d %b %H:%M:%S}: {what}")

    def fail(self, why: str) -> str:
        return why + "\n" + "\n".join(self.log[-25:])

    # -- what is stored ---------------------------------------------------------------------

    async def runner(self) -> Runner:
        async with self.reminders.database.unit_of_work() as uow:
            return (await uow.session.scalars(select(Runner))).one()

    async def replan(self) -> None:
        """Replay the plan now, as any /week would: a stored plan may be days old (a paused
        or silent runner's is), and knowledge of today (a gap, a missed session) moves it."""
        async with self.reminders.database.unit_of_work() as uow:
            await replan(self.reminders.ctx, uow, (await uow.session.scalars(select(Runner))).one())

    async def upcoming(self, days: int = 13) -> list[PlannedSession]:
        """The stored sessions from today on (as /today and /week read them)."""
        async with self.reminders.database.unit_of_work() as uow:
            runner = (await uow.session.scalars(select(Runner))).one()
            today = self.today()
            return list(
                await uow.plans.between(
                    runner_id=runner.id, first=today, last=today + timedelta(days=days)
                )
            )

    async def reminder_wanted(self, day: date) -> bool:
        """Whether ``day``'s session reminder is wanted now: an active runner, a session
        stored that day, not logged yet."""
        async with self.reminders.database.unit_of_work() as uow:
            runner = (await uow.session.scalars(select(Runner))).one()
            if runner.status is not RunnerStatus.ACTIVE:
                return False
            if await uow.plans.on(runner_id=runner.id, day=day) is None:
                return False
            return await uow.feedback.log(runner_id=runner.id, day=day) is None

    # -- the tick and what it sent ------------------------------------------------------------

    async def tick(self) -> None:
        """One tick now; ``new_sessions`` and ``new_check_ins`` are what it sent."""
        self.new_sessions.clear()
        self.new_check_ins.clear()
        await self.reminders.run()
        self._read_sent()

    def _read_sent(self) -> None:
        messages = self.reminders.api.sent_messages(CHAT)
        for message in messages[self.seen :]:
            reply = _as_message(message)
            data = [b.data for row in reply.buttons for b in row if isinstance(b, Button)]
            days = {m.group(1) for d in data if (m := SESSION_DATA.match(d))}
            later = any(d.endswith(":later") for d in data)
            if days and later:  # a session reminder (a snoozed resend has no Later)
                (key,) = days
                day = datetime.strptime(key, "%Y%m%d").date()
                self.session_sends[day] += 1
                self.sent_sessions.add(day)
                self.new_sessions.append((day, reply))
                self.note(f"sent the session of {day:%a %d %b}")
                assert "a" not in self.checks or self.session_sends[day] == 1, self.fail(
                    f"(a) {day:%a %d %b}'s session was sent {self.session_sends[day]} times"
                )
            elif "check-in" in str(reply.text):
                self.new_check_ins.append(reply)
                self._check_asks_about_a_sent_session(reply)
        self.seen = len(messages)

    def _check_asks_about_a_sent_session(self, check_in: Message) -> None:
        """(b) A check-in that asks about a session asks about one that was sent or logged."""
        asked = ASKS_ABOUT.search(str(check_in.text))
        self.note("sent a check-in" + (f" about {asked.group(1)}" if asked else " (legs only)"))
        if asked is None or "b" not in self.checks:
            return
        sent_on = self.today()
        day = next(
            sent_on - timedelta(days=back)
            for back in range(1, 8)
            if WEEKDAYS[(sent_on - timedelta(days=back)).weekday()] == asked.group(1)
        )
        assert day in self.sent_sessions | self.logged_by_hand, self.fail(
            f"(b) the check-in of {sent_on:%a %d %b} asks about {day:%a %d %b}'s session, "
            "which was never sent"
        )

    async def remind(self, day: date, around: Sequence[tuple[int, Action]]) -> None:
        """(a) The reminder minute of ``day``: what is wanted at the due time, the runner's
        actions in the seconds after it, and the tick at due + 5 s."""
        due = local(day, self.reminder_time)
        self.at(due)
        wanted = await self.reminder_wanted(day)
        for seconds, action in sorted(around, key=lambda item: item[0]):
            self.at(due + timedelta(seconds=seconds))
            await action(self)
        self.at(due + timedelta(seconds=5))
        if wanted and await self.reminder_wanted(day):
            self.due[day] = due
        await self.tick()

    def end_of_day(self, day: date) -> None:
        """(a) Every reminder due that day went out by the day's last tick."""
        if day in self.due and "a" in self.checks:
            assert day in self.sent_sessions, self.fail(
                f"(a) {day:%a %d %b}'s session reminder, due at "
                f"{self.due[day].astimezone(ZONE):%H:%M}, was never sent"
            )

    # -- the runner -----------------------------------------------------------------------------

    def buttons(self) -> list[str]:
        return [b.label.removeprefix("✓ ") for m in self.talker.last for r in m.buttons for b in r]

    async def press_if(self, label: str, *, reply: Reply | None = None) -> bool:
        labels = self.buttons() if reply is None else _labels(reply)
        if label not in labels:
            return False
        await self.talker.press(label, reply=reply)
        return True

    async def act(self, what: str, step: Callable[[], Awaitable[Any]]) -> None:
        """One thing the runner does; every reply it gets is checked (d)."""
        self.note(what)
        before = len(self.talker.replies)
        await step()
        for reply in self.talker.replies[before:]:
            await self._check_reply(reply)

    async def change(self, what: str, step: Callable[[], Awaitable[Any]]) -> None:
        """(c) A settings change: the doses of the exercises kept are the same after it (the
        load may drop with kit taken away, and come back with kit the runner had before)."""
        if "c" not in self.checks:
            await self.act(what, step)
            return
        await self.replan()  # the same history without the change, as of now
        kit, planned = set((await self.runner()).equipment), await self.upcoming()
        self.kit_had |= kit
        await self.act(what, step)
        replanned = await self.upcoming()
        if _gap_moved(planned, replanned):
            return
        before, after = doses(planned), doses(replanned)
        now = set((await self.runner()).equipment)
        same_load = kit <= now and not (now - kit) & self.kit_had  # nothing taken, none back
        self.kit_had |= now
        for exercise in before.keys() & after.keys():
            old, new = before[exercise], after[exercise]
            loads = old[2] == new[2] or None in (old[2], new[2]) or not same_load
            assert old[:2] == new[:2] and old[3] == new[3] and loads, self.fail(
                f"(c) after '{what}', {exercise} went from {_dose(old)} to {_dose(new)}"
            )

    async def _check_reply(self, reply: Reply) -> None:
        """(d) What a reply says changes is what the stored plan shows."""
        text = "\n".join(str(message.text) for message in reply)
        if "d" not in self.checks or not text.startswith(CHANGE_REPLIES):
            return
        sessions = await self.upcoming(days=20)
        today = self.today()
        week = [s for s in sessions if s.date <= today + timedelta(days=7)]
        for match in ON_WEEKDAY.finditer(text):
            name = match.group(1) or match.group(2)
            assert any(WEEKDAYS[s.date.weekday()] == name for s in week), self.fail(
                f"(d) the reply names {name}'s session, but none is planned in the next 7 days: "
                f"{_days(sessions)}\n{text}"
            )
        _check_moves(self, text, sessions)
        _check_plan_moves(self, text, sessions)


Action = Callable[[Season], Awaitable[None]]


def _gap_moved(before: Sequence[PlannedSession], after: Sequence[PlannedSession]) -> bool:
    """Whether the change moved the first session back across P9's two-week line: P9 steps
    back at the first strength session two weeks or more after the last one, so a change
    that moves that session to another day may bring the step back or spare it, by the rules.
    (On the same day, P9 must stay where it was.)"""
    first = [next((s for s in plan if s.kind != "recovery"), None) for plan in (before, after)]
    if first[0] is None or first[1] is None:
        return False
    return first[0].date != first[1].date and ("P9" in first[0].rules) != ("P9" in first[1].rules)


def doses(sessions: Sequence[PlannedSession]) -> dict[str, Dose]:
    """Each exercise's dose in the first upcoming session holding it that no cue rule shaped
    (a P3 day's bodyweight eccentric load is left out: ``None``)."""
    found: dict[str, Dose] = {}
    for session in sessions:
        if SHAPED & set(session.rules) or session.kind == "recovery":
            continue
        for item in session.exercises:
            load = None if "P3" in session.rules else item.load
            found.setdefault(item.exercise_id, (item.reps, item.hold_s, load, item.range))
    return found


def _dose(dose: Dose) -> str:
    reps, hold, load, span = dose
    return f"{reps or hold}{'' if reps else ' s'} ({load}, {span})"


def _days(sessions: Sequence[PlannedSession]) -> str:
    return ", ".join(day_label(s.date) for s in sessions) or "none"


def _check_moves(season: Season, text: str, sessions: Sequence[PlannedSession]) -> None:
    """ "X goes up to N", "moves to a R", "now takes L", "makes way for Y": the next session
    holding the exercise shows it."""
    exercises = library().exercises
    for exercise in exercises.values():
        name = the(exercise.name)
        if name + " " not in text:
            continue
        holding = [
            (s, item)
            for s in sessions
            for item in s.exercises
            if item.exercise_id == exercise.id and not SHAPED & set(s.rules)
        ]
        if holding:
            session, shown = holding[0]
            for said, value in (
                ("goes up to ", f"{shown.reps or shown.hold_s} "),
                ("moves to a ", f"{shown.range}"),
                ("now takes ", f"{shown.load}"),
            ):
                assert name + " " + said not in text or f"{name} {said}{value}" in text, (
                    season.fail(
                        f"(d) the reply says {name} {said}..., but the next session holding "
                        f"it ({day_label(session.date)}) shows {value}\n{text}"
                    )
                )
        if name + " makes way for " in text:
            successor = next(
                e for e in exercises.values() if f"{name} makes way for {the(e.name)}" in text
            )
            assert any(
                item.exercise_id == successor.id for s in sessions for item in s.exercises
            ), season.fail(
                f"(d) the reply says {name} makes way for {successor.name}, "
                f"but no upcoming session holds it: {_days(sessions)}\n{text}"
            )


def _check_plan_moves(season: Season, text: str, sessions: Sequence[PlannedSession]) -> None:
    """``plan_moves``: "New: ...", "Updated: ..." name stored sessions, "Dropped: ..." none."""
    today = season.today()
    stored = {s.date for s in sessions}
    labels = {day_label(today + timedelta(days=n)): today + timedelta(days=n) for n in range(21)}
    for kind, listed in re.findall(r"(New|Dropped|Updated): ([^.]*)\.", text):
        for label in DAY_LABEL.findall(listed):
            day = labels[label]
            assert (day in stored) == (kind != "Dropped"), season.fail(
                f"(d) the reply says {kind}: {label}, but the plan holds {_days(sessions)}\n{text}"
            )
    for label in re.findall(r"Your next session is on (\w+ \d+ \w+)\.", text):
        assert labels[label] in stored, season.fail(
            f"(d) the reply names the next session on {label}, but the plan holds "
            f"{_days(sessions)}\n{text}"
        )


def _as_message(sent: dict[str, Any]) -> Message:
    rows = sent.get("reply_markup", {}).get("inline_keyboard", [])
    buttons = tuple(tuple(Button(b["text"], b["callback_data"]) for b in row) for row in rows)
    return Message(sent.get("text", ""), buttons)


def _labels(reply: Reply) -> list[str]:
    return [b.label.removeprefix("✓ ") for m in reply for r in m.buttons for b in r]
