"""The inbound update a task is handling: its first unit of work marks it handled, and keeps
the reply it owes until that is sent."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class Receipt:
    """One stored update being handled; ``handled`` once a commit has marked it so, with the
    ``reply`` it owes (encoded) if it has one to send."""

    platform: str
    update_id: int
    at: datetime
    handled: bool = False
    reply: str | None = None


current: ContextVar[Receipt | None] = ContextVar("inbound_receipt", default=None)


class HandledElsewhere(Exception):
    """The update was marked handled by another instance first (this one outlived its lease):
    the unit of work that would have marked it rolls back, with its effects."""
