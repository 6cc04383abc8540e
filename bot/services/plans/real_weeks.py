"""The bridge from a runner's linked running plan to the core's real week (issue 31).

The last good copy of the plan's calendar, read with the runner's own rules, gives each day's
kind for the 14 days from the first day a replan may change (``first_open_day``). Each time
that differs from the version planned from before, a new version is kept from that day, so a
replay lays out the days before it as they were planned then (``bot.coaching.real_week``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bot.coaching import DayKind, RealWeek
from bot.coaching.run_kinds import PlannedRun, Reading, RunKind
from bot.services.plans.plan_feed import WINDOW_DAYS, readings, real_days, runs_in, usual_run
from bot.storage.models import PlanLink, Runner
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
    uow: UnitOfWork, runner: Runner, link: PlanLink, first_open: date, *, save: bool
) -> tuple[RealWeek, ...]:
    """The versions of the runner's real week to plan from, by their linked plan; with
    ``save``, a new version is kept when the plan now says otherwise."""
    if link.body is None:
        return ()
    rules = await uow.running_plans.rules(runner.id)
    last = first_open + timedelta(days=WINDOW_DAYS - 1)
    days = real_days(read_plan(link.body, runner.timezone, first_open, rules), first_open, last)
    versions = [_version(item) for item in link.versions]
    latest = versions[-1] if versions else None
    if latest is None or _from(latest, first_open) != days:
        versions = [v for v in versions if v.since < first_open] + [RealWeek(first_open, days)]
        if save:
            link.versions = _kept(versions, first_open)
    return tuple(versions)


def last_days(link: PlanLink) -> dict[date, DayKind]:
    """The days of the version of the real week planned from last."""
    return dict(_version(link.versions[-1]).days) if link.versions else {}


def _from(version: RealWeek, first: date) -> dict[date, DayKind]:
    return {day: kind for day, kind in version.days.items() if day >= first}


def _kept(versions: Sequence[RealWeek], today: date) -> list[Any]:
    """The versions still worth keeping, as JSON: each whose successor began recently."""
    kept = [
        v
        for v, after in zip(versions, [*versions[1:], None], strict=True)
        if after is None or after.since > today - KEEP_VERSIONS
    ]
    return [
        [v.since.isoformat(), {day.isoformat(): kind.value for day, kind in v.days.items()}]
        for v in kept
    ]


def _version(item: Any) -> RealWeek:
    since, days = item
    return RealWeek(
        date.fromisoformat(since),
        {date.fromisoformat(day): DayKind(kind) for day, kind in days.items()},
    )
