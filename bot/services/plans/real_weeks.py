"""The bridge from a runner's linked running plan to the core's real week (issue 31).

The last good copy of the plan's calendar, read with the runner's own rules, gives each day's
kind for the 14 days from the first day a replan may change (``first_open_day``). Each time
that differs from the version planned from before, a new version is kept from that day, so a
replay lays out the days before it as they were planned then (``bot.coaching.real_week``).

The versions are the plan the runner lived, not part of the link: unlinking keeps them (a
version with no days then takes over from the first open day: the declared week), and a new
link carries on from them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta

from bot.coaching import DayKind, RealWeek
from bot.coaching.run_kinds import PlannedRun, Reading, RunKind
from bot.services.plans.plan_feed import WINDOW_DAYS, readings, real_days, runs_in, usual_run
from bot.storage.models import PlanLink, Runner
from bot.storage.repositories.running_plans import Version
from bot.storage.unit_of_work import UnitOfWork

KEEP_VERSIONS = timedelta(days=8 * 7)
"""Versions replaced this long ago are dropped: replays resume from a checkpoint weeks ahead
of them."""

Read = list[tuple[PlannedRun, Reading]]


def read_plan(body: bytes, timezone: str, first: date, rules: dict[str, str]) -> Read:
    """The plan's runs of the 14 days from ``first``, each with what it reads as."""
    last = first + timedelta(days=WINDOW_DAYS - 1)
    own = {key: RunKind(kind) for key, kind in rules.items()}
    return readings(runs_in(body, timezone, first, last), usual_run(body, timezone, first), own)


async def real_weeks(
    uow: UnitOfWork,
    runner: Runner,
    first_open_day: Callable[[], Awaitable[date]],
    *,
    save: bool,
) -> tuple[RealWeek, ...]:
    """The versions of the runner's real week to plan from: those kept, and a new one from
    the first open day when their linked plan (or, once unlinked, the declared week) now
    says otherwise; with ``save``, what changed is kept."""
    link = await uow.running_plans.link_of(runner.id)
    stored = await uow.running_plans.real_weeks(runner.id)
    if link is None and not stored:
        return ()  # never linked, or long enough ago to be forgotten
    first_open = await first_open_day()
    days = await _days(uow, runner, link, first_open)
    versions = [_version(item) for item in stored]
    latest = _from(versions[-1], first_open) if versions else {}
    if latest != days:
        versions = [v for v in versions if v.since < first_open] + [RealWeek(first_open, days)]
    versions = _kept(versions, first_open)
    kept = [_stored(version) for version in versions]
    if save and kept != stored:
        await uow.running_plans.keep_real_weeks(runner.id, kept)
    return tuple(versions)


async def last_days(uow: UnitOfWork, runner: Runner) -> dict[date, DayKind]:
    """The days of the version of the real week planned from last."""
    stored = await uow.running_plans.real_weeks(runner.id)
    return dict(_version(stored[-1]).days) if stored else {}


async def _days(
    uow: UnitOfWork, runner: Runner, link: PlanLink | None, first: date
) -> dict[date, DayKind]:
    """The kinds the linked plan's last good copy gives the 14 days from ``first``; none
    without one (the declared week holds)."""
    if link is None or link.body is None:
        return {}
    rules = await uow.running_plans.rules(runner.id)
    last = first + timedelta(days=WINDOW_DAYS - 1)
    return real_days(read_plan(link.body, runner.timezone, first, rules), first, last)


def _from(version: RealWeek, first: date) -> dict[date, DayKind]:
    return {day: kind for day, kind in version.days.items() if day >= first}


def _kept(versions: Sequence[RealWeek], today: date) -> list[RealWeek]:
    """The versions still worth keeping: each whose successor began recently, from the first
    that names a day (before it, as with no version at all, the declared week holds)."""
    kept = [
        v
        for v, after in zip(versions, [*versions[1:], None], strict=True)
        if after is None or after.since > today - KEEP_VERSIONS
    ]
    while kept and not kept[0].days:
        kept.pop(0)
    return kept


def _stored(version: RealWeek) -> Version:
    return version.since, {day.isoformat(): kind.value for day, kind in version.days.items()}


def _version(item: Version) -> RealWeek:
    since, days = item
    return RealWeek(since, {date.fromisoformat(day): DayKind(kind) for day, kind in days.items()})
