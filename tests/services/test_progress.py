"""/progress through the services: a chart image and a caption that reads on its own."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from bot.services.presentation.charts import HEIGHT, WIDTH
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock
from tests.services.conftest import Talker, go_to_next_session, log_done, onboard


async def test_a_new_runner_gets_an_empty_chart_and_a_plain_caption(runner: Talker) -> None:
    await onboard(runner)
    (message,) = await runner.command("progress")
    assert message.image is not None
    assert message.image.mime_type == "image/png"
    with Image.open(BytesIO(message.image.content)) as image:
        assert image.size == (WIDTH, HEIGHT)
    assert str(message.text) == (
        "No sessions are due yet: the chart fills in as you train. You're in the build phase."
    )


async def test_the_caption_counts_sessions_and_names_a_recent_pain(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner)
    for _ in range(2):
        await go_to_next_session(runner, clock)
        await log_done(runner)
        clock.advance(days=1)
    await runner.follow(KNEE_PAIN_CHECK_IN)
    (message,) = await runner.command("progress")
    assert str(message.text).startswith("2 of 2 sessions in 1 week. Your hamstring work is at the ")
    assert "knee, 5 out of 10" in message.text
    clock.advance(days=21)
    (message,) = await runner.command("progress")
    assert "No pain reported in the last three weeks." in message.text


async def test_progress_needs_a_plan_first(runner: Talker) -> None:
    (message,) = await runner.command("progress")
    assert message.image is None
    assert "/start" in message.text
