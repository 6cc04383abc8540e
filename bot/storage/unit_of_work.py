"""The unit of work: one session, the repositories over it, committed at its edge."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.repositories.calendar import CalendarRepository
from bot.storage.repositories.clubs import ClubRepository
from bot.storage.repositories.dialogs import DialogRepository
from bot.storage.repositories.dispatches import DispatchRepository
from bot.storage.repositories.feedback import FeedbackRepository
from bot.storage.repositories.instances import InstanceRepository
from bot.storage.repositories.plans import PlanRepository
from bot.storage.repositories.runners import RunnerRepository
from bot.storage.repositories.running_plans import RunningPlanRepository
from bot.storage.repositories.updates import UpdateRepository


class UnitOfWork:
    """Repositories sharing one session; ``Database.unit_of_work`` commits or rolls back."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.runners = RunnerRepository(session)
        self.dialogs = DialogRepository(session)
        self.plans = PlanRepository(session)
        self.feedback = FeedbackRepository(session)
        self.clubs = ClubRepository(session)
        self.dispatches = DispatchRepository(session)
        self.updates = UpdateRepository(session)
        self.calendar = CalendarRepository(session)
        self.instances = InstanceRepository(session)
        self.running_plans = RunningPlanRepository(session)

    async def write_pending(self) -> None:
        """Write what the repositories hold back for the end (a batch's dialogs)."""
        await self.dialogs.write_pending()
