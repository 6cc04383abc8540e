"""Drawing charts as PNG images with matplotlib's object API (Agg, no pyplot state).

The drawing only draws: the data comes ready-made (``bot.coaching.progress``). matplotlib is
imported inside the drawing functions, so only the code that draws pays for its import; run
them off the event loop (``asyncio.to_thread``). Days are drawn at their ordinal numbers.
Each drawing leaves nothing behind: its figure is cleared and its cycles collected.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING

from bot.coaching.progress import Progress

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 1000, 620, 100  # pixels, and pixels per inch
SMALL_WIDTH, SMALL_HEIGHT = 800, 360
PLANNED, DONE, LADDER, PAIN = "#c9d3dc", "#2f6f4f", "#1f4e79", "#c0392b"


def progress_chart(shown: Progress) -> bytes:
    """The runner's chart: the hamstring ladder above; sessions per week and pain below."""
    figure = _figure(WIDTH, HEIGHT)
    ladder, weeks = figure.subplots(2, 1, sharex=True, height_ratios=(1, 1.3))
    _bars(weeks, [(w.start, w.planned) for w in shown.weeks], color=PLANNED, label="planned")
    _bars(weeks, [(w.start, w.done) for w in shown.weeks], color=DONE, label="done", width=3)
    weeks.set_ylim(0, max([3, *(w.planned for w in shown.weeks)]) + 0.5)
    weeks.legend(loc="upper left", fontsize=8)

    pain = weeks.twinx()
    pain.set_ylim(0, 10.5)
    pain.set_ylabel("pain (0-10)", color=PAIN)
    for mark in shown.pain:
        spot = (mark.date.toordinal(), mark.score)
        pain.plot(*spot, "v", color=PAIN, markersize=9)
        _label(pain, str(mark.score), spot, (6, -4), PAIN)

    end = shown.today.toordinal() + 1
    if shown.ladder:
        days = [rung.date.toordinal() for rung in shown.ladder]
        steps = [rung.step for rung in shown.ladder]
        ladder.step([*days, end], [*steps, steps[-1]], where="post", color=LADDER, linewidth=2)
        for n, rung in enumerate(shown.ladder):  # labels alternate below and above the line
            _label(ladder, rung.exercise, (days[n], rung.step), (3, 6 if n % 2 else -13), LADDER)
    ladder.set_ylim(0, 10)
    ladder.set_ylabel("hamstring step")
    first = shown.weeks[0].start.toordinal() if shown.weeks else end - 7
    ladder.set_xlim(first - 2, end + 2)
    ladder.set_title(_title(shown), fontsize=11, loc="left")
    return _png(figure)


def sessions_chart(weeks: Sequence[tuple[date, int]], *, title: str) -> bytes:
    """A small bar chart of sessions per week, from (week start, count) pairs."""
    figure = _figure(SMALL_WIDTH, SMALL_HEIGHT)
    axes = figure.subplots()
    _bars(axes, weeks, color=DONE)
    axes.set_title(title, fontsize=11, loc="left")
    return _png(figure)


def _bars(
    axes: Axes, weeks: Sequence[tuple[date, int]], *, color: str, label: str = "", width: int = 5
) -> None:
    """One bar per week over its days, labelled with the week's first day."""
    from matplotlib.ticker import MaxNLocator

    days = [start.toordinal() for start, _count in weeks]
    axes.bar(
        [day + 3 for day in days], [count for _, count in weeks], width, color=color, label=label
    )
    axes.set_xticks(days, [f"{start:%d %b}" for start, _count in weeks], fontsize=8)
    axes.set_ylabel("sessions a week")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _label(axes: Axes, text: str, at: tuple[int, int], offset: tuple[int, int], color: str) -> None:
    axes.annotate(text, at, xytext=offset, textcoords="offset points", fontsize=8, color=color)


def _title(shown: Progress) -> str:
    parts = [f"Phase: {shown.phase.value}"]
    if shown.race_date is not None:
        parts.append(f"race on {shown.race_date:%d %b %Y}")
    if shown.paused:
        parts.append("strength sessions on hold")
    return " · ".join(parts)


def _figure(width: int, height: int) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")


def _png(figure: Figure) -> bytes:
    """The figure as PNG; then its artists go, and the reference cycles a figure is made of
    are collected at once. Left to the collector, which the bot tunes to run rarely
    (``bot.runtime``), every chart's cycles waited for a full collection: RSS climbed by some
    200 MiB over a soak of charts before one came."""
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    figure.clear()
    gc.collect()
    return buffer.getvalue()
