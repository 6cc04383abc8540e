"""One bot instance on a SQLite file: a second one, started on the same file, is refused.

SQLite is one process's database: two instances on one file would both poll, both tick and
fight over its one writer. The instance holds an exclusive ``flock`` on ``<file>.instance``
while it runs; the kernel lets it go when the process ends, however it ends, so a crash
never leaves the file refused. Several instances need PostgreSQL (``docs/deploy.md``).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.storage.faults import Unusable


class Alone:
    """The lock of the one instance on a SQLite file, held from ``hold`` to ``release``."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = Path(f"{database}.instance")
        self._fd: int | None = None

    def hold(self) -> None:
        """Take the lock; ``Unusable``, in one line, if another instance holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Unusable(
                f"another bot instance runs on {self.database}: SQLite serves one instance; "
                "run several on PostgreSQL (docs/deploy.md)"
            ) from None
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (the process's end does it too)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
