"""The libraries' loggers guarded as ``trailcoach run`` guards them, for one test."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.log_libraries import FLOORS, guard_libraries


@contextmanager
def guarded_libraries(level: int | str | None = None) -> Iterator[None]:
    """Guard the libraries' loggers (at ``level``, if given; else whoever configures logging
    inside does), and put back the record factory and their levels afterwards."""
    factory = logging.getLogRecordFactory()
    loggers = [logging.getLogger(name) for name in (*FLOORS, "httpx", "apscheduler")]
    levels = [logger.level for logger in loggers]
    if level is not None:
        guard_libraries(level)
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)
        for logger, before in zip(loggers, levels, strict=True):
            logger.setLevel(before)
