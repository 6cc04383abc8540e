"""How the reminder tick reaches one platform."""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery.notifier import Notifier
from bot.delivery.rate_limit import RateLimiter


@dataclass(frozen=True, slots=True)
class Route:
    """How the tick reaches one platform: its notifier, its limiter (shared with the replies
    there), and how many more tries a ``Transient`` failure gets."""

    notifier: Notifier
    limiter: RateLimiter
    retries: int = 3  # 0 where the platform's library already retries server errors itself
