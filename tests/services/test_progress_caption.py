"""The progress caption says what the chart shows, in sentences that stand on their own, and
its figures are the chart's, for any history."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.container import BarContainer

from bot.coaching import Phase
from bot.coaching.progress import PainMark, Progress, Rung, WeekTally
from bot.services.presentation.charts import progress_figure
from bot.services.use_cases.progress import NUMBERS, caption

MONDAY = date(2026, 9, 7)
TODAY = MONDAY + timedelta(days=55)
EIGHT_WEEKS = tuple(
    WeekTally(MONDAY + timedelta(days=7 * n), done=1 if n in (3, 5) else 2, not_done=n in (3, 5))
    for n in range(8)
)
SHOWN = Progress(
    today=TODAY,
    weeks=EIGHT_WEEKS,
    ladder=(
        Rung(MONDAY, 2, "Hamstring walkout"),
        Rung(MONDAY + timedelta(days=30), 5, "Slider curl (two legs)"),
    ),
    pain=(PainMark(MONDAY + timedelta(days=30), 4, "knee"),),
    phase=Phase.BUILD,
    race_date=None,
    paused=False,
)


def test_the_caption_counts_names_the_ladder_every_pain_and_the_weeks_since() -> None:
    assert caption(SHOWN) == (
        "14 of 16 sessions done in 8 weeks. Your hamstring work moved up from the hamstring "
        "walkout to the slider curl (two legs). Pain reported: knee, 4 out of 10, on Wed 7 Oct. "
        "None in the last three weeks. You're in the build phase."
    )


def test_one_week_reads_the_last_week_not_the_last_one_week() -> None:
    text = caption(replace(SHOWN, today=SHOWN.pain[0].date + timedelta(days=8)))
    assert "None in the last week." in text
    assert "one week" not in text


def test_this_weeks_sessions_still_ahead_are_said() -> None:
    weeks = (*EIGHT_WEEKS[:-1], replace(EIGHT_WEEKS[-1], done=1, not_done=0, ahead=1))
    assert caption(replace(SHOWN, weeks=weeks)).startswith(
        "13 of 15 sessions done in 8 weeks; 1 more is planned this week."
    )


def test_a_step_back_recent_pains_a_pause_and_a_race_are_said() -> None:
    shown = replace(
        SHOWN,
        ladder=tuple(reversed(SHOWN.ladder)),
        pain=(
            PainMark(TODAY - timedelta(days=9), 3, "other"),
            PainMark(TODAY - timedelta(days=2), 6, "lower_back"),
        ),
        phase=Phase.TAPER,
        race_date=date(2026, 11, 14),
        paused=True,
    )
    text = caption(shown)
    assert "eased back from the slider curl (two legs) to the hamstring walkout." in text
    assert (
        "Pain reported: somewhere else, 3 out of 10, on Fri 23 Oct; lower back, 6 out of 10, "
        "on Fri 30 Oct. Strength sessions are on hold after the warning signs" in text
    )
    assert text.endswith("You're in the taper phase. Race day is Sat 14 Nov.")


def test_no_pain_at_all_names_the_weeks_shown() -> None:
    assert "No pain reported in these eight weeks." in caption(replace(SHOWN, pain=()))
    one = replace(SHOWN, weeks=EIGHT_WEEKS[:1], pain=(), ladder=())
    assert caption(one) == (
        "2 of 2 sessions done in 1 week. No pain reported this week. You're in the build phase."
    )


# -- the caption's figures are the picture's ------------------------------------------------

SITES = ("knee", "hip", "lower_back", "hamstring", "other")
WORDS = {word: n for n, word in enumerate(NUMBERS)}
SENTENCE = re.compile(r"(\d+) of (\d+) sessions? done in (\d+) weeks?(?:; (\d+) more)?")
REPORT = re.compile(
    r"(knee|hip|lower back|hamstring|somewhere else), (\d+) out of 10, on (\w+ \d+ \w+)"
)
SAID = {"lower back": "lower_back", "somewhere else": "other"}


@st.composite
def histories(draw: st.DrawFn) -> Progress:
    """Any run of weeks up to twelve, with any tallies and pain reports in them."""
    count = draw(st.integers(1, 12))
    starts = [MONDAY + timedelta(days=7 * n) for n in range(count)]
    today = starts[-1] + timedelta(days=draw(st.integers(0, 6)))
    tallies = [
        WeekTally(start, draw(st.integers(0, 3)), draw(st.integers(0, 2))) for start in starts
    ]
    tallies[-1] = replace(tallies[-1], ahead=draw(st.integers(0, 2)))
    days = draw(st.lists(st.integers(0, (today - MONDAY).days), max_size=6, unique=True))
    pain = tuple(
        PainMark(MONDAY + timedelta(days=n), draw(st.integers(0, 10)), draw(st.sampled_from(SITES)))
        for n in sorted(days)
    )
    return Progress(today, tuple(tallies), (), pain, Phase.BUILD, None, paused=False)


@pytest.mark.slow  # a property search; the named captions above stay in the fast lane
@settings(max_examples=25, deadline=None)
@given(histories())
def test_the_captions_figures_equal_the_ones_drawn(shown: Progress) -> None:
    figure = progress_figure(shown)
    (sessions,) = [a for a in figure.axes if a.get_label() == "sessions"]
    (pain,) = [a for a in figure.axes if a.get_label() == "pain"]
    drawn = {
        str(c.get_label()): [int(p.get_height()) for p in c]
        for c in sessions.containers
        if isinstance(c, BarContainer)
    }
    marks = [tuple(int(n) for n in np.asarray(line.get_xydata())[0]) for line in pain.lines]
    names = [text.get_text() for text in pain.texts if text.get_text()[-1].isdigit()]
    figure.clear()

    text = caption(shown)
    done, not_done, ahead = (
        sum(drawn[key]) for key in ("done", "planned, not done", "planned, still ahead")
    )
    found = SENTENCE.search(text)
    if done + not_done:
        assert found is not None, text
        assert (int(found[1]), int(found[2]), int(found[3])) == (
            done,
            done + not_done,
            len(drawn["done"]),
        )
        assert int(found[4] or 0) == ahead
    else:
        assert found is None and "No session is over yet" in text
    said = [(SAID.get(where, where), int(score), day) for where, score, day in REPORT.findall(text)]
    assert [(d.replace(" ", ""), s) for _w, s, d in said] == [
        (f"{date.fromordinal(x):%a%-d%b}", y) for x, y in marks
    ]
    assert [
        f"{w.replace('_', ' ') if w != 'other' else 'somewhere else'} {s}" for w, s, _d in said
    ] == names
    if not marks:
        assert "No pain reported" in text
