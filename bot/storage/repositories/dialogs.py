"""Dialog state: where a user is in onboarding or a check-in, kept across restarts.

Every update of a user in a dialog reads and writes it, so it is read and written by table
statements built once (no ORM objects to load, track and flush). A dialog read once is not
read again in the same unit of work: a press that finds no dialog and opens one reads once.
A batch that opens many dialogs at once (the reminder tick's check-ins) reads them first
with ``preload``: its users' dialogs are then read from memory and written together when
the unit of work ends (``write_pending``), instead of one read and one write each.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DialogState, utcnow
from bot.storage.upsert import upsert

_dialogs = cast(Table, DialogState.__table__)
_KEY = ("platform", "user_id")
_THE_USERS = and_(_dialogs.c.platform == bindparam("at"), _dialogs.c.user_id == bindparam("who"))
_GET = select(_dialogs.c.dialog, _dialogs.c.step, _dialogs.c.data).where(_THE_USERS)
_CLEAR = delete(_dialogs).where(_THE_USERS)


@dataclass(frozen=True, slots=True)
class OpenDialog:
    """A user's open dialog: which one, the step it is on, and its data (answers so far)."""

    dialog: str
    step: str
    data: dict[str, Any]


class DialogRepository:
    """Reads and writes the one open dialog of each user."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._known: dict[tuple[str, str], OpenDialog | None] = {}  # read or written here
        self._batched: set[tuple[str, str]] = set()  # preloaded: written at the end
        self._pending: dict[tuple[str, str], OpenDialog] = {}

    async def preload(self, *, platform: str, user_ids: Collection[str]) -> None:
        """Read the open dialogs of these users in one query, for a batch about to save many."""
        query = select(_dialogs.c.user_id, _dialogs.c.dialog, _dialogs.c.step, _dialogs.c.data)
        rows = await self._session.execute(
            query.where(_dialogs.c.platform == platform, _dialogs.c.user_id.in_(user_ids))
        )
        found = {row.user_id: OpenDialog(row.dialog, row.step, row.data) for row in rows}
        for user in user_ids:
            self._known[platform, user] = found.get(user)
            self._batched.add((platform, user))

    async def get(self, *, platform: str, user_id: str) -> OpenDialog | None:
        """The user's open dialog, if any."""
        key = platform, user_id
        if key not in self._known:
            row = (await self._session.execute(_GET, {"at": platform, "who": user_id})).first()
            self._known[key] = None if row is None else OpenDialog(row.dialog, row.step, row.data)
        return self._known[key]

    async def save(
        self, *, platform: str, user_id: str, dialog: str, step: str, data: dict[str, Any]
    ) -> OpenDialog:
        """Open or move the user's dialog to ``step`` with ``data``."""
        key = platform, user_id
        state = self._known[key] = OpenDialog(dialog, step, dict(data))
        if key in self._batched:
            self._pending[key] = state
        else:
            await self._session.execute(upsert(self._session, _dialogs, *_KEY), _row(key, state))
        return state

    async def write_pending(self) -> None:
        """Write the batch's dialogs saved since ``preload``, in one statement."""
        if self._pending:
            rows = [_row(key, state) for key, state in self._pending.items()]
            self._pending.clear()
            await self._session.execute(upsert(self._session, _dialogs, *_KEY), rows)

    async def clear(self, *, platform: str, user_id: str) -> None:
        """Close the user's dialog."""
        self._pending.pop((platform, user_id), None)
        self._known[platform, user_id] = None
        await self._session.execute(_CLEAR, {"at": platform, "who": user_id})

    async def forget(self, *, platform: str, user_id: str) -> None:
        """Close every dialog of the user: the private one, and any kept under their id in a
        group before a group's dialog belonged to the group itself."""
        self._known.clear()
        self._batched.clear()
        self._pending.clear()
        await self._session.execute(
            delete(_dialogs).where(
                _dialogs.c.platform == platform,
                or_(
                    _dialogs.c.user_id == user_id,
                    _dialogs.c.user_id.startswith(f"{user_id}@", autoescape=True),
                ),
            )
        )


def _row(key: tuple[str, str], state: OpenDialog) -> dict[str, Any]:
    platform, user_id = key
    return {
        "platform": platform,
        "user_id": user_id,
        "dialog": state.dialog,
        "step": state.step,
        "data": state.data,
        "updated_at": utcnow(),
    }
