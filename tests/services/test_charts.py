"""The progress chart draws to a PNG of the promised size with something on it."""

from __future__ import annotations

import gc
from datetime import date
from io import BytesIO

import pytest
from PIL import Image

from bot.coaching import Phase
from bot.coaching.progress import PainMark, Progress, Rung, WeekTally
from bot.runtime import MIDDLE_EVERY, YOUNG_OBJECTS
from bot.services.presentation.charts import HEIGHT, LADDER, PAIN, WIDTH, progress_chart

MONDAY = date(2026, 9, 7)
SHOWN = Progress(
    today=date(2026, 9, 27),
    weeks=(
        WeekTally(MONDAY, planned=2, done=2),
        WeekTally(date(2026, 9, 14), planned=2, done=1),
        WeekTally(date(2026, 9, 21), planned=1, done=1),
    ),
    ladder=(
        Rung(MONDAY, 2, "Hamstring walkout"),
        Rung(date(2026, 9, 17), 5, "Slider curl (two legs)"),
    ),
    pain=(PainMark(date(2026, 9, 14), 4, "knee"),),
    phase=Phase.BUILD,
    race_date=date(2027, 5, 15),
    paused=False,
)


def colours(png: bytes) -> set[tuple[int, ...]]:
    with Image.open(BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH, HEIGHT)
        counted = image.convert("RGB").getcolors(WIDTH * HEIGHT)
    assert counted is not None
    return {tuple(colour) for _count, colour in counted}  # type: ignore[arg-type]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_the_chart_is_a_png_of_the_promised_size_with_the_ladder_and_pain_on_it() -> None:
    drawn = colours(progress_chart(SHOWN))
    assert len(drawn) > 20  # not a blank page
    assert {rgb(LADDER), rgb(PAIN)} <= drawn


def test_a_new_runner_still_gets_a_chart() -> None:
    empty = Progress(SHOWN.today, (), (), (), Phase.BUILD, None, paused=True)
    assert rgb(LADDER) not in colours(progress_chart(empty))


@pytest.mark.slow
def test_charts_leave_no_garbage_behind_under_the_bots_collector_settings() -> None:
    """Issue 32.6: drawn with the bot's rare collections (``bot.runtime``), charts used to
    pile up reference cycles until a full collection; the objects alive stay flat now."""
    before = gc.get_threshold()
    gc.freeze()  # as the bot does once built: what exists by now is never scanned
    gc.set_threshold(YOUNG_OBJECTS, MIDDLE_EVERY, 20)
    try:
        progress_chart(SHOWN)  # warm-up: matplotlib's own caches
        settled = len(gc.get_objects())
        counts = []
        for _ in range(8):
            progress_chart(SHOWN)
            counts.append(len(gc.get_objects()))
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
    assert max(counts) < settled * 1.1
