"""Dialog state: where a user is in onboarding or a check-in, kept across restarts.

A batch that opens many dialogs at once (the reminder tick's check-ins) reads them first
with ``preload``: its users' dialogs are then read from memory and written together when
the unit of work ends, instead of one read and one write each. A dialog read once is not
read again in the same unit of work: a press that finds no dialog and opens one reads once.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DialogState


class DialogRepository:
    """Reads and writes the one open dialog of each user."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._preloaded: dict[tuple[str, str], DialogState | None] = {}
        self._read: dict[tuple[str, str], DialogState | None] = {}  # read or written here

    async def preload(self, *, platform: str, user_ids: Collection[str]) -> None:
        """Read the open dialogs of these users in one query, for a batch about to save many."""
        query = select(DialogState).where(
            DialogState.platform == platform, DialogState.user_id.in_(user_ids)
        )
        found = {state.user_id: state for state in await self._session.scalars(query)}
        self._preloaded.update(((platform, user), found.get(user)) for user in user_ids)

    async def get(self, *, platform: str, user_id: str) -> DialogState | None:
        """The user's open dialog, if any."""
        key = platform, user_id
        if key in self._preloaded:
            return self._preloaded[key]
        if key not in self._read:
            query = select(DialogState).where(
                DialogState.platform == platform, DialogState.user_id == user_id
            )
            self._read[key] = (await self._session.scalars(query)).one_or_none()
        return self._read[key]

    async def save(
        self, *, platform: str, user_id: str, dialog: str, step: str, data: dict[str, Any]
    ) -> DialogState:
        """Open or move the user's dialog to ``step`` with ``data``."""
        state = await self.get(platform=platform, user_id=user_id)
        if state is None:
            state = DialogState(platform=platform, user_id=user_id)
            self._session.add(state)
        state.dialog, state.step, state.data = dialog, step, dict(data)
        if (platform, user_id) in self._preloaded:
            self._preloaded[platform, user_id] = state  # written with the batch's others
        else:
            self._read[platform, user_id] = state
            await self._session.flush()
        return state

    async def clear(self, *, platform: str, user_id: str) -> None:
        """Close the user's dialog."""
        self._preloaded.pop((platform, user_id), None)
        self._read[platform, user_id] = None
        await self._session.execute(
            delete(DialogState).where(
                DialogState.platform == platform, DialogState.user_id == user_id
            )
        )

    async def forget(self, *, platform: str, user_id: str) -> None:
        """Close every dialog of the user: the private one, and any kept under their id in a
        group before a group's dialog belonged to the group itself."""
        self._preloaded.clear()
        self._read.clear()
        await self._session.execute(
            delete(DialogState).where(
                DialogState.platform == platform,
                or_(
                    DialogState.user_id == user_id,
                    DialogState.user_id.startswith(f"{user_id}@", autoescape=True),
                ),
            )
        )
