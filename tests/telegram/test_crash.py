"""No update is lost or handled twice when the bot is killed with SIGKILL and restarted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.telegram.crash import crash_run

pytestmark = pytest.mark.slow  # kills a child process three times


async def test_kill_9_three_times_loses_no_update_and_handles_none_twice(tmp_path: Path) -> None:
    result = await crash_run(tmp_path, total=200, runners=100, kill_after=[15, 25, 25])

    assert (result.lost, result.twice, result.out_of_order) == (0, 0, 0)
