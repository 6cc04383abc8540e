"""The bot's Prometheus metrics (``METRICS=true``), in a registry of its own.

Every label is a platform name or a word from a fixed list (an update's kind, a reminder's
outcome): never a chat, a person, a name or anything a person typed. The module is imported
only when metrics are on (``prometheus_client`` takes a while to load); the parts that feed
it take ``Metrics | None``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TICK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

Depths = Callable[[], Awaitable[Mapping[str, int]]]


class Metrics:
    """Counters, gauges and histograms of updates, reminders, 429s, the tick and the
    database. ``depths``, once set, counts the stored updates still waiting, by platform, at
    each scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.depths: Depths | None = None
        self.update_seconds = Histogram(
            "trailcoach_update_seconds",
            "Time the coach took to handle one update, by platform and kind",
            ["platform", "kind"],
            buckets=UPDATE_BUCKETS,
            registry=self.registry,
        )
        self.updates = Counter(
            "trailcoach_updates",
            "Updates the coach handled, by platform, kind and outcome (ok or error)",
            ["platform", "kind", "outcome"],
            registry=self.registry,
        )
        self.inbox_depth = Gauge(
            "trailcoach_inbox_depth",
            "Stored updates not yet handled, by platform (read at each scrape)",
            ["platform"],
            registry=self.registry,
        )
        self.reminders = Counter(
            "trailcoach_reminders",
            "Reminders by platform and outcome: sent, failed, cancelled (the chat is gone), "
            "deferred (handed back to a later tick)",
            ["platform", "outcome"],
            registry=self.registry,
        )
        self.retry_after = Counter(
            "trailcoach_retry_after",
            "429 answers (retry after) the bot waited out, by platform",
            ["platform"],
            registry=self.registry,
        )
        self.tick_seconds = Histogram(
            "trailcoach_tick_seconds",
            "How long each reminder tick took",
            buckets=TICK_BUCKETS,
            registry=self.registry,
        )
        self.tick_lag = Gauge(
            "trailcoach_tick_lag_seconds",
            "How much later than its turn the last reminder tick started",
            registry=self.registry,
        )
        self.database_errors = Counter(
            "trailcoach_database_errors",
            "Errors the database driver raised",
            registry=self.registry,
        )

    @contextmanager
    def handling(self, platform: str, kind: str) -> Iterator[None]:
        """Time the handling of one update in the block, and count it by outcome."""
        began = time.perf_counter()
        outcome = "error"
        try:
            yield
            outcome = "ok"
        finally:
            self.update_seconds.labels(platform, kind).observe(time.perf_counter() - began)
            self.updates.labels(platform, kind, outcome).inc()

    def reminder(self, platform: str, outcome: str, count: int = 1) -> None:
        """Count ``count`` reminders on ``platform`` that ended in ``outcome``."""
        self.reminders.labels(platform, outcome).inc(count)

    def flooded(self, platform: str) -> None:
        """Count one 429 from ``platform``."""
        self.retry_after.labels(platform).inc()

    def ticked(self, seconds: float, lag: float) -> None:
        """Record one reminder tick: how long it took, and how late it started."""
        self.tick_seconds.observe(seconds)
        self.tick_lag.set(lag)

    def watch(self, engine: AsyncEngine) -> None:
        """Count every error the engine's driver raises (statements and connections)."""
        event.listen(engine.sync_engine, "handle_error", self._database_error)

    def _database_error(self, _context: Any) -> None:
        self.database_errors.inc()

    async def exposition(self) -> tuple[bytes, str]:
        """Every metric in Prometheus' text format, and its content type, with the inbox depth
        read now (the last value kept if the database does not answer)."""
        if self.depths is not None:
            try:
                depths = await self.depths()
            except Exception as error:
                logger.warning("could not count the waiting updates (%s)", type(error).__name__)
            else:
                for platform, depth in depths.items():
                    self.inbox_depth.labels(platform).set(depth)
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
