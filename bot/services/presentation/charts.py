"""Drawing charts as PNG images with matplotlib's object API (Agg, no pyplot state).

The drawing only draws: the data comes ready-made (``bot.coaching.progress``). matplotlib is
imported inside the drawing functions, so only the code that draws pays for its import; run
them off the event loop (``asyncio.to_thread``). Days are drawn at their ordinal numbers, a
day spanning from its number to the next; a week's bar spans its seven days, and its tick
stands on its first day. Each drawing leaves nothing behind: its figure is cleared and its
cycles collected.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING

from bot.coaching.progress import Progress, ladder_names

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 1000, 760, 100  # pixels, and pixels per inch
SMALL_WIDTH, SMALL_HEIGHT = 800, 360
NOT_DONE, DONE, AHEAD, LADDER, PAIN = "#c9d3dc", "#2f6f4f", "#ffffff", "#1f4e79", "#c0392b"
EDGE = "#7a8a99"  # the outline of a session still ahead
BAR_DAYS = 6  # a week's bar leaves half a day clear on each side
SITE = {"lower_back": "lower back", "other": "somewhere else"}


def progress_chart(shown: Progress) -> bytes:
    """The runner's chart as a PNG: see ``progress_figure``."""
    return _png(progress_figure(shown))


def progress_figure(shown: Progress) -> Figure:
    """The runner's chart: the hamstring ladder, sessions per plan week, and pain reports,
    one above the other on the same days. Axes are labelled ``ladder``, ``sessions`` and
    ``pain`` (``Axes.get_label``)."""
    figure = _figure(WIDTH, HEIGHT)
    ladder, sessions, pain = figure.subplots(3, 1, sharex=True, height_ratios=(1.3, 1.2, 0.8))
    for axes, label in ((ladder, "ladder"), (sessions, "sessions"), (pain, "pain")):
        axes.set_label(label)
    _ladder(ladder, shown)
    _sessions(sessions, shown)
    _pain(pain, shown)
    starts = [week.start for week in shown.weeks]
    _week_ticks(pain, starts)
    pain.set_xlim(starts[0].toordinal(), starts[-1].toordinal() + 7)
    ladder.set_title(_title(shown), fontsize=11, loc="left")
    return figure


def sessions_chart(weeks: Sequence[tuple[date, int]], *, title: str) -> bytes:
    """A small bar chart of sessions per week, from (week start, count) pairs."""
    figure = _figure(SMALL_WIDTH, SMALL_HEIGHT)
    axes = figure.subplots()
    starts = [start for start, _count in weeks]
    _week_bars(axes, starts, [count for _, count in weeks], color=DONE)
    _week_ticks(axes, starts)
    _count_axis(axes, "sessions a week")
    axes.set_title(title, fontsize=11, loc="left")
    return _png(figure)


def _ladder(axes: Axes, shown: Progress) -> None:
    """The step of each done session's hardest hamstring exercise, held until it changes."""
    names = ladder_names()
    end = shown.today.toordinal() + 1
    if shown.ladder:
        days = [rung.date.toordinal() for rung in shown.ladder]
        steps = [rung.step for rung in shown.ladder]
        axes.step([*days, end], [*steps, steps[-1]], where="post", color=LADDER, linewidth=2)
        for n, rung in enumerate(shown.ladder):  # labels alternate below and above the line
            _label(axes, rung.exercise, (days[n], rung.step), (3, 6 if n % 2 else -13), LADDER)
    else:
        _note(axes, "No hamstring work done yet in these weeks.")
    axes.set_ylim(0.5, len(names) + 0.5)
    axes.set_yticks(range(1, len(names) + 1))
    axes.tick_params(axis="y", labelsize=8)
    axes.set_ylabel("hamstring\nexercise level", fontsize=9)
    axes.text(
        0.995,
        0.04,
        f"level 1 = {_lower(names[0])} … {len(names)} = {_lower(names[-1])}",
        transform=axes.transAxes,
        ha="right",
        fontsize=8,
        color="#555555",
    )


def _sessions(axes: Axes, shown: Progress) -> None:
    """Each plan week's sessions: done, then not done, then still ahead, stacked."""
    starts = [week.start for week in shown.weeks]
    done = [week.done for week in shown.weeks]
    not_done = [week.not_done for week in shown.weeks]
    ahead = [week.ahead for week in shown.weeks]
    _week_bars(axes, starts, done, color=DONE, label="done")
    _week_bars(axes, starts, not_done, bottom=done, color=NOT_DONE, label="planned, not done")
    below = [a + b for a, b in zip(done, not_done, strict=True)]
    _week_bars(
        axes, starts, ahead, bottom=below, color=AHEAD, label="planned, still ahead", edge=EDGE
    )
    axes.set_ylim(0, max([3, *(week.planned + week.ahead for week in shown.weeks)]) + 0.6)
    _count_axis(axes, "sessions\nper plan week")
    axes.legend(loc="upper left", fontsize=8, ncols=3, frameon=False)


def _pain(axes: Axes, shown: Progress) -> None:
    """Each pain report at its day and score, named by where it was felt."""
    for mark in shown.pain:
        spot = (mark.date.toordinal() + 0.5, mark.score)
        axes.plot(*spot, "v", color=PAIN, markersize=8)
        words = f"{SITE.get(mark.where, mark.where.replace('_', ' '))} {mark.score}"
        _label(axes, words, spot, (5, -3), PAIN)
    if not shown.pain:
        _note(axes, "No pain reported in these weeks.")
    axes.set_ylim(0, 10.9)
    axes.set_yticks([0, 5, 10])
    axes.tick_params(axis="y", labelsize=8)
    axes.set_ylabel("pain\n(0 to 10)", color=PAIN, fontsize=9)


def _week_bars(
    axes: Axes,
    starts: Sequence[date],
    heights: Sequence[int],
    *,
    color: str,
    label: str = "",
    bottom: Sequence[int] | None = None,
    edge: str | None = None,
) -> None:
    """One bar per week over its days, from half a day after its first to half a day before
    the next week's."""
    axes.bar(
        [start.toordinal() + 0.5 for start in starts],
        heights,
        BAR_DAYS,
        bottom=bottom,
        align="edge",
        color=color,
        edgecolor=edge,
        hatch="//" if edge else None,
        label=label,
    )


def _week_ticks(axes: Axes, starts: Sequence[date]) -> None:
    """A tick on each week's first day, named by it."""
    axes.set_xticks([start.toordinal() for start in starts], [_day(start) for start in starts])
    axes.tick_params(axis="x", labelsize=8)


def _count_axis(axes: Axes, label: str) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.set_ylabel(label, fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="y", labelsize=8)


def _day(day: date) -> str:
    """``8 Feb``, or ``Thu 11 Feb`` for a week that does not start on a Monday."""
    label = f"{day.day} {day:%b}"
    return label if day.weekday() == 0 else f"{day:%a} {label}"


def _lower(name: str) -> str:
    return f"{name[0].lower()}{name[1:]}"


def _label(
    axes: Axes, text: str, at: tuple[float, float], offset: tuple[int, int], color: str
) -> None:
    axes.annotate(text, at, xytext=offset, textcoords="offset points", fontsize=8, color=color)


def _note(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", fontsize=9, color="#777777")


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
