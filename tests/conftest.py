"""Shared pytest configuration: the fake Telegram Bot API fixtures."""

import os

# python-telegram-bot 22 warns (an error here) whenever a time period is read as an int, e.g.
# `RetryAfter.retry_after`; opt in to the coming `datetime.timedelta` values instead.
os.environ["PTB_TIMEDELTA"] = "true"

pytest_plugins = ["tests.fake_telegram.fixtures"]
