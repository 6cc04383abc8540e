"""/plan: link the calendar a runner's running plan lives in, and the coach places strength
sessions around that plan's real runs (issue 31).

``/plan link <address>`` fetches the calendar (before the unit of work opens: no
transaction waits on the network), shows what it read for the next two weeks, and asks about
each kind of event once, one question a message; the answers are the runner's own rules. A
race in the plan becomes the race date only when the runner says so (P6). ``/plan unlink``
forgets the link, not the real weeks lived by it (``bot.services.plans.real_weeks``). The
tick looks at each plan again every few hours (``look_again``) and tells the runner when a
change moved a session, and once when the plan could not be read for a day. The link itself is
a secret: it is never logged nor shown back (only its host).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from bot.coaching.run_kinds import RunKind, Source
from bot.services.context import ServiceContext
from bot.services.dialogs.buttons import DialogName
from bot.services.dialogs.choices import Choice
from bot.services.dialogs.engine import Answers, Dialog, Dialogs, Step, Turn
from bot.services.infrastructure.plan_fetch import (
    Fetched,
    FetchError,
    Problem,
    fetch,
    host_of,
)
from bot.services.plans.plan_feed import WINDOW_DAYS
from bot.services.plans.real_weeks import Read, last_days, read_plan
from bot.services.plans.training_plan import plan_notes, replan
from bot.services.plans.views import session_views
from bot.services.presentation.plan_moves import plan_moves
from bot.services.presentation.replies import Reply, say
from bot.services.presentation.running_plan import (
    HOW_TO_LINK,
    RUN_KIND_LABEL,
    DayChange,
    RunView,
    kind_question,
    plan_changed,
    race_question,
    understood,
)
from bot.services.presentation.text import Text, join
from bot.services.presentation.views import SessionView
from bot.services.use_cases.training import with_runner
from bot.storage.models import DispatchKind, PlanLink, Runner
from bot.storage.unit_of_work import UnitOfWork

LOOK_EVERY = timedelta(hours=4)
"""How often a linked plan is looked at again, at most (each runner at their own minute)."""
TELL_AFTER = timedelta(days=1)
"""How long a plan may fail to be read before the runner is told (once)."""
QUESTIONS = 8
"""The most questions one round asks; any more come in the next round."""
KINDS = ("hard", "long", "easy", "race", "rest")

NOT_LINKED = "You haven't linked a running plan. " + HOW_TO_LINK
UNLINKED = (
    "Done: I no longer follow your running plan, and I've forgotten its address. Your "
    "sessions go by your usual week again (change it in /settings)."
)
ARGUMENTS = "Send /plan to see your linked plan, /plan link <address> to link one, or /plan unlink."


@dataclass(frozen=True, slots=True)
class Prefetched:
    """What ``/plan link`` fetched before its unit of work: the calendar, or why not."""

    link: str
    fetched: Fetched | None
    problem: FetchError | None


async def prefetch(ctx: ServiceContext, payload: str) -> Prefetched | None:
    """For ``/plan link <address>``: fetch it now, outside any transaction; else None."""
    word, _, link = payload.strip().partition(" ")
    if word.lower() != "link" or not link.strip():
        return None
    link = link.strip()
    try:
        return Prefetched(link, await fetch(link, limits=ctx.plan_fetch), None)
    except FetchError as problem:
        return Prefetched(link, None, problem)


async def command(turn: Turn, runner: Runner, payload: str, fetched: Prefetched | None) -> Reply:
    """/plan, /plan link <address>, /plan unlink."""
    word = payload.strip().split(" ", 1)[0].lower()
    if word == "link":
        return await _link(turn, runner, fetched) if fetched else say(HOW_TO_LINK)
    if word == "unlink":
        return await _unlink(turn, runner)
    if word:
        return say(ARGUMENTS)
    link = await turn.uow.running_plans.link_of(runner.id)
    if link is None:
        return say(NOT_LINKED)
    read = _read(turn.ctx, runner, link, await turn.uow.running_plans.rules(runner.id))
    head = f"Your running plan is linked (its calendar is at {link.host})."
    if link.failing_since is not None:
        head += " I couldn't read it lately, so I'm going by its last good copy."
    said = join("\n\n", [head, understood(_views(read)), "Send /plan unlink to stop."])
    return await _ask(turn, runner, read, said)


async def _link(turn: Turn, runner: Runner, prefetched: Prefetched) -> Reply:
    host = host_of(prefetched.link)
    if prefetched.fetched is None or prefetched.fetched.body is None:
        problem = prefetched.problem or FetchError(Problem.NOT_CALENDAR)
        return say(_not_linked(host, problem))
    now = turn.ctx.clock()
    row = PlanLink(
        runner_id=runner.id,
        link=prefetched.link.strip(),
        host=host,
        linked_at=now,
        body=prefetched.fetched.body,
        etag=prefetched.fetched.etag,
        last_modified=prefetched.fetched.last_modified,
        fetched_at=now,
        next_check_at=next_look(now, runner.id),
        failure_told=False,
    )
    try:
        read = _read(turn.ctx, runner, row, await turn.uow.running_plans.rules(runner.id))
    except FetchError as problem:
        return say(_not_linked(host, problem))
    before = await _upcoming(turn.uow, runner, turn.ctx.today(runner.timezone))
    await turn.uow.running_plans.keep_link(row)
    moves = await _replanned(turn, runner, before)
    said = join(
        "\n\n",
        [
            f"Linked: I'll follow your running plan at {host} and look at it again every few "
            "hours. Your strength sessions now go around its runs.",
            understood(_views(read)),
            moves,
        ],
    )
    return await _ask(turn, runner, read, said)


def _not_linked(host: str, problem: FetchError) -> str:
    return (
        f"I couldn't read a calendar at {host}: {problem}. Nothing was linked. Check that it's "
        "your plan's private calendar address (it often ends in .ics) and send /plan link "
        "with it again."
    )


async def _unlink(turn: Turn, runner: Runner) -> Reply:
    before = await _upcoming(turn.uow, runner, turn.ctx.today(runner.timezone))
    if not await turn.uow.running_plans.unlink(runner.id):
        return say(NOT_LINKED)
    return say(join("\n\n", [UNLINKED, await _replanned(turn, runner, before)]))


# -- the questions -------------------------------------------------------------------------


class KindsAnswers(TypedDict, total=False):
    """``pending``: the events asked about ({key, title, day, guess}); ``races``: the events
    the runner's rules read as a race ({title, day}); ``race_date``: the runner's when asked;
    ``k0``... the kinds answered; ``race``: "yes" to take the plan's race as theirs."""

    pending: list[dict[str, Any]]
    races: list[dict[str, Any]]
    race_date: str | None
    today: str
    race: str


def _kind_step(index: int) -> Step:
    def item(answers: Answers) -> dict[str, Any]:
        found: dict[str, Any] = answers["pending"][index]
        return found

    def choices(answers: Answers, _ctx: ServiceContext) -> list[Choice]:
        guess = item(answers)["guess"]
        first = [Choice(guess, f"Yes, {RUN_KIND_LABEL[guess]}", ("yes",))] if guess else []
        return first + [
            Choice(kind, RUN_KIND_LABEL[kind].capitalize(), (kind,))
            for kind in KINDS
            if kind != guess
        ]

    return Step(
        f"k{index}",
        lambda answers: kind_question(
            item(answers)["title"], date.fromisoformat(item(answers)["day"]), item(answers)["guess"]
        ),
        choices,
        when=lambda answers: index < len(answers["pending"]),
        label=lambda answers: item(answers)["title"][:40] or "(untitled)",
    )


def _race(answers: Answers) -> dict[str, Any] | None:
    """The first race ahead in the plan that is not the runner's race date yet."""
    answered = [
        item for index, item in enumerate(answers["pending"]) if answers.get(f"k{index}") == "race"
    ]
    ahead = [
        item
        for item in (*answered, *answers.get("races", []))
        if answers["today"] < item["day"] != answers.get("race_date")
    ]
    return min(ahead, key=lambda item: item["day"], default=None)


def _race_question(answers: Answers) -> str:
    race = _race(answers)
    assert race is not None  # asked only then
    return race_question(race["title"], date.fromisoformat(race["day"]))


@with_runner
async def _finish(turn: Turn, runner: Runner, answers: KindsAnswers) -> Reply:
    kept: list[str] = []
    for index, item in enumerate(answers["pending"]):
        kind = answers.get(f"k{index}")
        if isinstance(kind, str) and kind in KINDS:
            await turn.uow.running_plans.keep_rule(runner_id=runner.id, key=item["key"], kind=kind)
            kept.append(f"“{item['title']}” as {_a(kind)}")
    race = _race(dict(answers))
    said: list[Text | str] = []
    if kept:
        said.append(f"Thanks: from now on I read {_listed(kept)}.")
    today = turn.ctx.today(runner.timezone)
    before = await _upcoming(turn.uow, runner, today)
    if race is not None and answers.get("race") == "yes":
        runner.race_date = date.fromisoformat(race["day"])
        runner.race_name = race["title"][:128] or None
        said.append(f"Your race is now {race['title']} on {race['day']}.")
    said.append(await _replanned(turn, runner, before))
    link = await turn.uow.running_plans.link_of(runner.id)
    if link is None:
        return say(join("\n\n", said))
    read = _read(turn.ctx, runner, link, await turn.uow.running_plans.rules(runner.id))
    return await _ask(turn, runner, read, join("\n\n", said))


PLAN_KINDS = Dialog(
    DialogName.PLAN_KINDS,
    (
        *(_kind_step(index) for index in range(QUESTIONS)),
        Step(
            "race",
            _race_question,
            [
                Choice("yes", "Yes, that's my race", ("yes",)),
                Choice("no", "No, keep my race as it is", ("no",)),
            ],
            columns=1,
            when=lambda answers: _race(answers) is not None,
            label="Race date",
        ),
    ),
    _finish,
)
_DIALOGS = Dialogs(PLAN_KINDS)


async def _ask(turn: Turn, runner: Runner, read: Read, said: Text) -> Reply:
    """``said``, then the first question about the events the runner's rules don't cover yet
    (or a race to confirm); just ``said`` when there is nothing to ask."""
    pending: dict[str, dict[str, Any]] = {}
    races = []
    for run, reading in read:
        if reading.source is Source.RULE:
            if reading.kind is RunKind.RACE:
                races.append({"title": run.title, "day": run.day.isoformat()})
            continue
        guess = reading.kind.value if reading.kind is not None else None
        pending.setdefault(
            reading.key,
            {"key": reading.key, "title": run.title, "day": run.day.isoformat(), "guess": guess},
        )
    answers = {
        "pending": list(pending.values())[:QUESTIONS],
        "races": races,
        "race_date": runner.race_date.isoformat() if runner.race_date else None,
        "today": turn.ctx.today(runner.timezone).isoformat(),
    }
    if not answers["pending"] and _race(answers) is None:
        return say(said)
    return (*say(said), *await _DIALOGS.begin(turn, DialogName.PLAN_KINDS, answers))


# -- looking again ---------------------------------------------------------------------------


def next_look(now: datetime, runner_id: int) -> datetime:
    """When to look at a runner's plan again: ``LOOK_EVERY`` on, at the runner's own minute
    of the hour (spread by their id), so the looks spread over the hour."""
    spread = int(hashlib.sha256(str(runner_id).encode()).hexdigest()[:8], 16) % 3600
    hour = (now + LOOK_EVERY).replace(minute=0, second=0, microsecond=0)
    return hour + timedelta(seconds=spread)


async def due(
    ctx: ServiceContext, now: datetime, limit: int
) -> list[tuple[int, str, str | None, str | None]]:
    """The plans due another look: (runner id, link, ETag, Last-Modified)."""
    async with ctx.database.unit_of_work() as uow:
        found = []
        for runner_id in await uow.running_plans.due(now, limit):
            link = await uow.running_plans.link_of(runner_id)
            if link is not None:
                link.next_check_at = next_look(now, runner_id)  # claimed until then
                found.append((runner_id, link.link, link.etag, link.last_modified))
        return found


async def looked(
    ctx: ServiceContext, runner_id: int, link: str, outcome: Fetched | FetchError
) -> None:
    """Keep what one look at a runner's plan found, replan, and note what to tell them."""
    async with ctx.database.unit_of_work() as uow:
        row = await uow.running_plans.link_of(runner_id)
        runner = await uow.runners.get(runner_id)
        if row is None or runner is None or row.link != link:
            return  # unlinked or linked anew meanwhile
        now = ctx.clock()
        if isinstance(outcome, FetchError):
            _failed(row, now, outcome)
            if row.notice is not None:
                await _notify(uow, runner, ctx.today(runner.timezone), now)
            return
        row.failing_since, row.failure_told = None, False
        row.fetched_at = now
        if outcome.body is None or outcome.body == row.body:
            return
        row.body, row.etag, row.last_modified = outcome.body, outcome.etag, outcome.last_modified
        await _changed(ctx, uow, runner, row)


def _failed(row: PlanLink, now: datetime, problem: FetchError) -> None:
    row.failing_since = row.failing_since or now
    if not row.failure_told and now - row.failing_since >= TELL_AFTER:
        row.failure_told = True
        row.notice = _joined(
            row.notice,
            f"I haven't been able to read your running plan at {row.host} for a day "
            f"({problem}), so I'm placing your sessions by its last good copy. If its address "
            "changed, send /plan link with the new one, or /plan unlink to stop.",
        )


async def _changed(ctx: ServiceContext, uow: UnitOfWork, runner: Runner, row: PlanLink) -> None:
    """A changed plan: replan, and tell the runner why any session moved."""
    today = ctx.today(runner.timezone)
    days_before = await last_days(uow, runner)
    before = await _upcoming(uow, runner, today)
    await replan(ctx, uow, runner)
    after = await _upcoming(uow, runner, today)
    changes = _day_changes(runner, days_before, await last_days(uow, runner), today)
    said = plan_changed(changes, before, after) if before != after else ""
    rules = await uow.running_plans.rules(runner.id)
    unknown = sorted({run.title for run, r in _read(ctx, runner, row, rules) if r.kind is None})
    if unknown:
        said = _joined(
            said or None,
            f"Your running plan has runs I can't read yet ({_listed(unknown[:3])}): "
            "send /plan and tell me what they are.",
        )
    if said:
        row.notice = _joined(row.notice, said)
        await _notify(uow, runner, today, ctx.clock())


def _day_changes(
    runner: Runner, was: dict[date, Any], now: dict[date, Any], today: date
) -> dict[date, DayChange]:
    declared = {day.weekday: day.kind for day in runner.week}
    found = {}
    for day in sorted(was.keys() | now.keys()):
        if day < today:
            continue
        old = str(was.get(day) or declared[day.weekday()])
        new = str(now.get(day) or declared[day.weekday()])
        if old != new:
            found[day] = DayChange(day, old, new)
    return found


async def _notify(uow: UnitOfWork, runner: Runner, today: date, now: datetime) -> None:
    """Have the tick send the runner's notice: today's, or tomorrow's if today's went out."""
    for day in (today, today + timedelta(days=1)):
        row = {
            "runner_id": runner.id,
            "kind": DispatchKind.PLAN_NOTICE,
            "local_date": day,
            "due_at": now,
        }
        if await uow.dispatches.add_new([row]):
            return


async def take_notice(uow: UnitOfWork, runner: Runner) -> str | None:
    """The runner's notice about their plan, once: the tick sends it."""
    row = await uow.running_plans.link_of(runner.id)
    if row is None or row.notice is None:
        return None
    notice, row.notice = row.notice, None
    return notice


# -- shared ---------------------------------------------------------------------------------


def _read(ctx: ServiceContext, runner: Runner, link: PlanLink, rules: dict[str, str]) -> Read:
    assert link.body is not None
    return read_plan(link.body, runner.timezone, ctx.today(runner.timezone), rules)


def _views(read: Read) -> list[RunView]:
    return [
        RunView(run.day, run.title, reading.kind.value if reading.kind is not None else None)
        for run, reading in read
    ]


async def _upcoming(uow: UnitOfWork, runner: Runner, today: date) -> list[SessionView]:
    """The stored sessions of the next two weeks."""
    last = today + timedelta(days=WINDOW_DAYS - 1)
    return session_views(await uow.plans.between(runner_id=runner.id, first=today, last=last))


async def _replanned(turn: Turn, runner: Runner, before: list[SessionView]) -> Text | str:
    """Replan, and what changed in the sessions of the next two weeks."""
    today = turn.ctx.today(runner.timezone)
    replanned = await replan(turn.ctx, turn.uow, runner)
    after = await _upcoming(turn.uow, runner, today)
    return join("\n\n", [plan_moves(before, after), *plan_notes(replanned, today)])


def _a(kind: str) -> str:
    label = RUN_KIND_LABEL[kind]
    return label if kind == "rest" else ("an " if kind == "easy" else "a ") + label


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _joined(first: str | None, then: str) -> str:
    return then if not first else f"{first}\n\n{then}"


async def look_again(ctx: ServiceContext, now: datetime, *, limit: int) -> int:
    """Look at the linked plans due another look (up to ``limit``): each is claimed until
    its next look, fetched outside any transaction, then kept. Returns how many."""
    found = await due(ctx, now, limit)
    for runner_id, link, etag, last_modified in found:
        outcome: Fetched | FetchError
        try:
            outcome = await fetch(
                link, etag=etag, last_modified=last_modified, limits=ctx.plan_fetch
            )
        except FetchError as problem:
            outcome = problem
        await looked(ctx, runner_id, link, outcome)
    return len(found)
