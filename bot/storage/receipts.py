"""The inbound update a task is handling: the units of work that handle it mark its effects
in, with the reply it owes, which it keeps until that is sent."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class Receipt:
    """One stored update of ``conversation`` being handled, by the instance ``replier``:
    ``handled`` once a commit has marked its effects in; the ``reply`` it owes (encoded; empty
    for none, or none yet), and the reply as the last commit ``kept`` it."""

    platform: str
    update_id: int
    at: datetime
    replier: str
    conversation: str = ""
    handled: bool = False
    reply: str = ""
    kept: str = ""
    lapsed: bool = False  # its instance may have been counted dead meanwhile: it sends no more


current: ContextVar[Receipt | None] = ContextVar("inbound_receipt", default=None)


class HandledElsewhere(Exception):
    """The update was marked handled by another instance first (this one outlived its lease):
    the unit of work that would have marked it rolls back, with its effects."""
