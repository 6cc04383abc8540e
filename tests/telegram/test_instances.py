"""Two and three bot processes on one PostgreSQL behind a round-robin load balancer (issue
30): every update handled once and in order per runner, also across a ``kill -9``."""

from __future__ import annotations

import os

import pytest

from tests.telegram.instances import Outcome, run, scratch_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # child processes on PostgreSQL


@pytest.fixture
def server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("several instances need PostgreSQL (TEST_DATABASE_URL)")
    return url


async def test_three_instances_answer_200_runners_at_once_each_once_and_in_order(
    server_url: str,
) -> None:
    async with scratch_database(server_url) as url:
        outcome = await run(url, instances=3, runners=200, per_runner=2, kill_after=None)

    assert outcome == Outcome(
        updates=400, lost=0, twice=0, out_of_order=0, answered_twice=0, unanswered=0
    )


async def test_a_kill_9_of_one_of_two_mid_load_loses_nothing_and_handles_nothing_twice(
    server_url: str,
) -> None:
    async with scratch_database(server_url) as url:
        outcome = await run(url, instances=2, runners=200, per_runner=2, kill_after=100)

    assert (outcome.updates, outcome.lost, outcome.twice, outcome.out_of_order) == (400, 0, 0, 0)
    assert outcome.answered_twice == 0  # a reply the kill cut off may be missing, never doubled
