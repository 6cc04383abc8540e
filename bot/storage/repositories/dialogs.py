"""Dialog state: where a user is in onboarding or a check-in, kept across restarts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DialogState


class DialogRepository:
    """Reads and writes the one open dialog of each user."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, *, platform: str, user_id: str) -> DialogState | None:
        """The user's open dialog, if any."""
        query = select(DialogState).where(
            DialogState.platform == platform, DialogState.user_id == user_id
        )
        return (await self._session.scalars(query)).one_or_none()

    async def save(
        self, *, platform: str, user_id: str, dialog: str, step: str, data: dict[str, Any]
    ) -> DialogState:
        """Open or move the user's dialog to ``step`` with ``data``."""
        state = await self.get(platform=platform, user_id=user_id)
        if state is None:
            state = DialogState(platform=platform, user_id=user_id)
            self._session.add(state)
        state.dialog, state.step, state.data = dialog, step, dict(data)
        await self._session.flush()
        return state

    async def clear(self, *, platform: str, user_id: str) -> None:
        """Close the user's dialog."""
        await self._session.execute(
            delete(DialogState).where(
                DialogState.platform == platform, DialogState.user_id == user_id
            )
        )

    async def forget(self, *, platform: str, user_id: str) -> None:
        """Close every dialog of the user: the private one, and any kept under their id in a
        group before a group's dialog belonged to the group itself."""
        await self._session.execute(
            delete(DialogState).where(
                DialogState.platform == platform,
                or_(
                    DialogState.user_id == user_id,
                    DialogState.user_id.startswith(f"{user_id}@", autoescape=True),
                ),
            )
        )
