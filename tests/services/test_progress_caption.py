"""The progress caption says what the chart shows, in sentences that stand on their own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.coaching import Phase
from bot.coaching.progress import PainMark, Progress, Rung, WeekTally
from bot.services.use_cases.progress import caption

MONDAY = date(2026, 9, 7)
TODAY = MONDAY + timedelta(days=55)
EIGHT_WEEKS = tuple(
    WeekTally(MONDAY + timedelta(days=7 * n), planned=2, done=1 if n in (3, 5) else 2)
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


def test_the_caption_counts_names_the_ladder_and_the_weeks_without_pain() -> None:
    assert caption(SHOWN) == (
        "14 of 16 sessions in 8 weeks. Your hamstring work moved up from the hamstring walkout "
        "to the slider curl (two legs). No pain reported in the last three weeks. "
        "You're in the build phase."
    )


def test_a_step_back_recent_pain_a_pause_and_a_race_are_said() -> None:
    shown = replace(
        SHOWN,
        ladder=tuple(reversed(SHOWN.ladder)),
        pain=(PainMark(TODAY - timedelta(days=2), 6, "lower_back"),),
        phase=Phase.TAPER,
        race_date=date(2026, 11, 14),
        paused=True,
    )
    text = caption(shown)
    assert "eased back from the slider curl (two legs) to the hamstring walkout." in text
    assert "Pain reported on Fri 30 Oct: lower back, 6 out of 10." in text
    assert "on hold after the warning signs you reported" in text
    assert text.endswith("You're in the taper phase. Race day is Sat 14 Nov.")


def test_no_pain_at_all_names_the_weeks_shown() -> None:
    assert "No pain reported in eight weeks." in caption(replace(SHOWN, pain=()))
