"""Runners' running-plan links, their own rules for reading the plan's events, and the
versions of their real week (issue 31).

The link is a secret: nothing here logs it, and no query filters or orders by it. The real
week's versions are kept apart from it: unlinking or linking anew leaves them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import PlanLink, RealWeekVersion, RunKindRule
from bot.storage.upsert import upsert

_rules = cast(Table, RunKindRule.__table__)
_versions = cast(Table, RealWeekVersion.__table__)

Version = tuple[date, dict[str, Any]]
"""A version of the real week: its first day and ``{ISO day: day kind}``."""


class RunningPlanRepository:
    """Reads and keeps each runner's plan link and classification rules."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._unlinked: set[int] = set()  # runners found without a link in this unit of work

    async def link_of(self, runner_id: int) -> PlanLink | None:
        """The runner's plan link, if they linked one (a link found is kept by the session; a
        runner found without one is not looked up again: every replan asks twice)."""
        if runner_id in self._unlinked:
            return None
        link = await self._session.get(PlanLink, runner_id)
        if link is None:
            self._unlinked.add(runner_id)
        return link

    async def keep_link(self, row: PlanLink) -> PlanLink:
        """Store a new link in place of any the runner had."""
        await self.unlink(row.runner_id)
        self._session.add(row)
        self._unlinked.discard(row.runner_id)
        return row

    async def unlink(self, runner_id: int) -> bool:
        """Forget the runner's link and its copy (not their real week's versions); False if
        there was none."""
        found = await self.link_of(runner_id)
        if found is None:
            return False
        await self._session.delete(found)
        await self._session.flush()
        return True

    async def due(self, now: datetime, limit: int) -> Sequence[int]:
        """Runners whose plan is due another look, the longest waiting first."""
        query = (
            select(PlanLink.runner_id)
            .where(PlanLink.next_check_at <= now)
            .order_by(PlanLink.next_check_at)
            .limit(limit)
        )
        return list(await self._session.scalars(query))

    async def rules(self, runner_id: int) -> dict[str, str]:
        """The runner's own rules: an event title's key to its kind."""
        query = select(RunKindRule).where(RunKindRule.runner_id == runner_id)
        return {row.key: row.kind for row in await self._session.scalars(query)}

    async def rule_rows(self, *, runner_id: int) -> Sequence[RunKindRule]:
        """The runner's rules as rows (for their export)."""
        query = select(RunKindRule).where(RunKindRule.runner_id == runner_id)
        return list(await self._session.scalars(query.order_by(RunKindRule.key)))

    async def keep_rule(self, *, runner_id: int, key: str, kind: str) -> None:
        """Remember the runner's answer about events read as ``key``."""
        row = {"runner_id": runner_id, "key": key, "kind": kind}
        await self._session.execute(upsert(self._session, _rules, "runner_id", "key"), [row])

    async def real_weeks(self, runner_id: int) -> list[Version]:
        """The versions of the runner's real week, the earliest first."""
        query = (
            select(RealWeekVersion.since, RealWeekVersion.days)
            .where(RealWeekVersion.runner_id == runner_id)
            .order_by(RealWeekVersion.since)
        )  # plain values, not rows: a version kept anew under the same day is read anew
        return [(since, days) for since, days in await self._session.execute(query)]

    async def keep_real_weeks(self, runner_id: int, versions: Sequence[Version]) -> None:
        """Keep ``versions`` as the runner's real week's, in place of those they had."""
        await self._session.execute(delete(_versions).where(_versions.c.runner_id == runner_id))
        if versions:
            rows = [{"runner_id": runner_id, "since": s, "days": d} for s, d in versions]
            await self._session.execute(insert(_versions), rows)
