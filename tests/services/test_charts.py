"""The progress chart: the weeks on their first days, this week's sessions still ahead, pain
named on its own scale, the ladder explained; a PNG of the promised size."""

from __future__ import annotations

import gc
from datetime import date, timedelta
from io import BytesIO

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from PIL import Image

from bot.coaching import Phase
from bot.coaching.progress import PainMark, Progress, Rung, WeekTally
from bot.runtime import MIDDLE_EVERY, YOUNG_OBJECTS
from bot.services.presentation.charts import (
    HEIGHT,
    LADDER,
    PAIN,
    WIDTH,
    progress_chart,
    progress_figure,
)

MONDAY = date(2026, 9, 7)
SHOWN = Progress(
    today=date(2026, 9, 23),  # a Wednesday of the third week
    weeks=(
        WeekTally(MONDAY, done=2, not_done=0),
        WeekTally(date(2026, 9, 14), done=1, not_done=1),
        WeekTally(date(2026, 9, 21), done=1, not_done=0, ahead=1),
    ),
    ladder=(
        Rung(MONDAY, 2, "Hamstring walkout"),
        Rung(date(2026, 9, 17), 5, "Slider curl (two legs)"),
    ),
    pain=(PainMark(date(2026, 9, 14), 4, "knee"), PainMark(date(2026, 9, 22), 2, "lower_back")),
    phase=Phase.BUILD,
    race_date=date(2027, 5, 15),
    paused=False,
)


def axes(figure: Figure, label: str) -> Axes:
    (found,) = [a for a in figure.axes if a.get_label() == label]
    return found


def bars(figure: Figure) -> dict[str, list[tuple[float, float, float]]]:
    """Each bar series of the sessions panel: (left, bottom, height) of each week's bar."""
    return {
        str(container.get_label()): [(p.get_x(), p.get_y(), p.get_height()) for p in container]
        for container in axes(figure, "sessions").containers
        if isinstance(container, BarContainer)
    }


def texts(panel: Axes) -> list[str]:
    return [text.get_text() for text in panel.texts]


def test_week_ticks_stand_on_the_plan_weeks_mondays_and_each_bar_spans_its_week() -> None:
    figure = progress_figure(SHOWN)
    mondays = [week.start.toordinal() for week in SHOWN.weeks]
    for label in ("ladder", "sessions", "pain"):
        assert list(axes(figure, label).get_xticks()) == mondays
    assert [t.get_text() for t in axes(figure, "pain").get_xticklabels()] == [
        "7 Sep",
        "14 Sep",
        "21 Sep",
    ]
    for series in bars(figure).values():
        assert [left for left, _bottom, _height in series] == [m + 0.5 for m in mondays]


def test_a_week_not_starting_on_monday_is_named_by_its_weekday() -> None:
    thursday = MONDAY + timedelta(days=3)
    shown = Progress(
        thursday + timedelta(days=8),
        (WeekTally(thursday, 1), WeekTally(thursday + timedelta(days=7), 0, ahead=2)),
        (),
        (),
        Phase.BUILD,
        None,
        paused=False,
    )
    labels = [t.get_text() for t in axes(progress_figure(shown), "pain").get_xticklabels()]
    assert labels == ["Thu 10 Sep", "Thu 17 Sep"]


def test_done_not_done_and_this_weeks_sessions_ahead_are_stacked() -> None:
    drawn = bars(progress_figure(SHOWN))
    assert [h for _x, _y, h in drawn["done"]] == [2, 1, 1]
    assert [(y, h) for _x, y, h in drawn["planned, not done"]] == [(2, 0), (1, 1), (1, 0)]
    assert [(y, h) for _x, y, h in drawn["planned, still ahead"]] == [(2, 0), (2, 0), (1, 1)]


def test_pain_has_its_own_scale_and_each_mark_names_where() -> None:
    figure = progress_figure(SHOWN)
    pain = axes(figure, "pain")
    assert pain.get_ylim() == (0, 10.9)
    assert "pain" in pain.get_ylabel()
    assert axes(figure, "sessions") not in (pain.get_shared_y_axes().get_siblings(pain))
    marks = [np.asarray(line.get_xydata()).tolist() for line in pain.lines]
    assert marks == [
        [[date(2026, 9, 14).toordinal() + 0.5, 4]],
        [[date(2026, 9, 22).toordinal() + 0.5, 2]],
    ]
    assert texts(pain) == ["knee 4", "lower back 2"]


def test_the_ladder_axis_says_what_its_levels_are() -> None:
    ladder = axes(progress_figure(SHOWN), "ladder")
    assert "hamstring" in ladder.get_ylabel() and "level" in ladder.get_ylabel()
    assert list(ladder.get_yticks()) == list(range(1, 10))
    assert "level 1 = glute bridge with heel pressure … 9 = full Nordic curl" in texts(ladder)
    assert {"Hamstring walkout", "Slider curl (two legs)"} <= set(texts(ladder))


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
