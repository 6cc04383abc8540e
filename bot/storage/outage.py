"""A database outage in two log lines: when it starts, with its cause, and when it ends, with
how many failures came between (instead of a traceback per failure).

The parts of the bot that write on their own and try again later (the inbox, the reminder
tick, the WAL checkpoint) tell ``Outages`` of each failure and of each write that went
through. An outage starts at the first failure and ends once every part that failed during
it has written again: a part whose writes need nothing the outage took (a tick with nothing
to send, while a full disk refuses the inbox's new rows) does not end it early.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.storage.faults import Fault, fault

logger = logging.getLogger(__name__)


class Outages:
    """Logs each database outage's start and end, once each."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = 0.0
        self._failing: set[str] = set()  # the parts that failed and have not written since
        self._failures = 0

    def failed(self, part: str, error: BaseException) -> Fault | None:
        """Count ``part``'s failure if ``error`` is an outage, logging the outage's start if
        none is going on; its ``Fault``, or None for a failure that is no outage (a bug)."""
        found = fault(error)
        if found is None:
            return None
        if not self._failing:
            self._started = self._clock()
            logger.error("database outage: %s (%s failed); retrying", found, part)
        self._failing.add(part)
        self._failures += 1
        return found

    def answered(self, part: str) -> None:
        """``part`` wrote: once every part that failed has, the outage is over."""
        if part not in self._failing:
            return
        self._failing.discard(part)
        if self._failing:
            return
        seconds = self._clock() - self._started
        failures, self._failures = self._failures, 0
        logger.warning(
            "database answers again after %.0f s; %d failed tries during the outage",
            seconds,
            failures,
        )
