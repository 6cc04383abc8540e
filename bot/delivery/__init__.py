"""The delivery port, below the adapters and the reminder tick: how a message reaches a chat.

Each platform's adapter implements a ``Notifier`` and names its failures with the
``DeliveryError`` family; each platform has one ``RateLimiter``, shared by its replies and
its reminders; a ``Route`` is what the tick needs to reach a platform. No platform library,
adapter or scheduler code is imported here.
"""
