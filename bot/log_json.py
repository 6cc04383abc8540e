"""``LOG_FORMAT=json``: one JSON object a line, for a log collector, redacted as the plain
lines are (``bot.log``).

Each object holds ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` (with a
traceback, if any, in the same string) and, while an inbound update is being handled,
``update_id`` and ``platform`` (else null); a record logged with ``extra={"update_id": ...,
"platform": ...}`` gives its own.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.log import RedactingFormatter
from bot.storage import receipts


class JsonFormatter(RedactingFormatter):
    """A record as one line of JSON; the message and traceback are redacted before encoding."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        receipt = receipts.current.get()
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": super().format(record),
            "update_id": getattr(record, "update_id", receipt.update_id if receipt else None),
            "platform": getattr(record, "platform", receipt.platform if receipt else None),
        }
        return json.dumps(line, ensure_ascii=False)
