"""Reading a running plan's events (issue 31): long, hard, easy, rest or race, from the title,
the description and the duration; unknown events are left to ask about; the runner's own
rules win."""

from __future__ import annotations

from datetime import date

import pytest

from bot.coaching import DayKind
from bot.coaching.run_kinds import (
    LONG_MARK,
    PlannedRun,
    RunKind,
    Source,
    Usual,
    classify,
    day_kind,
    rule_key,
    usual_of,
)

DAY = date(2025, 7, 15)
USUAL = Usual(km=10, minutes=50)


def kind(title: str, description: str = "", minutes: int | None = None) -> RunKind | None:
    return classify(PlannedRun(DAY, title, description, minutes), USUAL).kind


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Intervals 6 × 800 m", RunKind.HARD),
        ("Hill reps", RunKind.HARD),
        ("Tempo 3 x 10 min", RunKind.HARD),
        ("Threshold run", RunKind.HARD),
        ("Fartlek 40'", RunKind.HARD),
        ("VO2max 5x3'", RunKind.HARD),
        ("Marathon race pace 3x5k", RunKind.HARD),  # race pace is a session, not a race
        ("6 x 800 m, 90 s rest", RunKind.HARD),  # the rest between reps is no rest day
        ("Fractionné court", RunKind.HARD),  # French
        ("Séance côtes", RunKind.HARD),
        ("Schwellenlauf 30 min", RunKind.HARD),  # German
        ("Hügel Intervalle", RunKind.HARD),
        ("Series 10 x 400", RunKind.HARD),  # Spanish
        ("Cuestas", RunKind.HARD),
        ("Ripetute 10x400", RunKind.HARD),  # Italian
        ("Ritmo gara 8 km", RunKind.HARD),
        ("Long run 28 km", RunKind.LONG),
        ("Sortie longue", RunKind.LONG),
        ("Langer Lauf", RunKind.LONG),
        ("Tirada larga", RunKind.LONG),
        ("Lungo collinare", RunKind.LONG),
        ("Easy 45 min", RunKind.EASY),
        ("Recovery jog", RunKind.EASY),
        ("Footing 40 min", RunKind.EASY),
        ("Locker 10 km", RunKind.EASY),
        ("Rodaje suave", RunKind.EASY),
        ("Corsa lenta", RunKind.EASY),
        ("Rest day", RunKind.REST),
        ("Repos", RunKind.REST),
        ("Ruhetag", RunKind.REST),
        ("Descanso", RunKind.REST),
        ("Riposo", RunKind.REST),
        ("Trail des Cimes race", RunKind.RACE),
        ("Semi-marathon de Paris", RunKind.RACE),
        ("Gara sociale", RunKind.RACE),
    ],
)
def test_the_title_names_the_kind_in_several_languages(title: str, expected: RunKind) -> None:
    assert kind(title) is expected


def test_long_by_distance_or_duration_against_the_usual_run() -> None:
    assert kind("Run 18 km") is RunKind.LONG  # 1.8 x the usual 10 km, above the 14 km floor
    assert kind("Run 12 km") is None  # a bit longer than usual: not guessed
    assert kind("Run 11 mi") is RunKind.LONG  # 17.7 km
    assert kind("Run", minutes=95) is RunKind.LONG  # 1.9 x the usual 50 minutes
    assert kind("Easy 2h45") is RunKind.LONG  # the numbers beat "easy"
    assert kind("Run 26 km") is RunKind.LONG  # above the absolute mark, usual or not
    assert classify(PlannedRun(DAY, "Run 20 km"), Usual()).kind is None  # no usual, no mark
    assert classify(PlannedRun(DAY, "Run 18 km"), USUAL).source is Source.DISTANCE


def test_the_description_speaks_when_the_title_does_not() -> None:
    assert kind("Thursday session", "Warm up, then 5 x 1 km at threshold") is RunKind.HARD
    assert kind("Saturday", "Keep it easy") is RunKind.EASY


def test_unknown_events_are_left_to_ask_about() -> None:
    for title in ("UTMB", "Club night", "Run with Anna", "Cross-training"):
        reading = classify(PlannedRun(DAY, title), USUAL)
        assert reading.kind is None
        assert reading.source is None


def test_the_runners_rules_win_and_name_titles_without_numbers() -> None:
    rules = {"hill reps": RunKind.EASY, "club night": RunKind.HARD}
    assert classify(PlannedRun(DAY, "Hill reps 8 x 1'"), USUAL, rules).kind is RunKind.EASY
    assert classify(PlannedRun(DAY, "Club night"), USUAL, rules).source is Source.RULE
    assert rule_key("Long run 28 km") == rule_key("Long Run 32km") == "long run"
    assert rule_key("Côtes 10 × 45 s") == "cotes"


def test_an_event_long_by_its_numbers_has_a_rule_of_its_own() -> None:
    long = classify(PlannedRun(DAY, "Run 18 km"), USUAL)
    short = classify(PlannedRun(DAY, "Run 8 km"), USUAL)
    assert (long.key, short.key) == ("run" + LONG_MARK, "run")
    rules = {"run": RunKind.EASY}
    assert classify(PlannedRun(DAY, "Run 18 km"), USUAL, rules).kind is RunKind.LONG


def test_the_usual_run_is_the_median_of_the_plan() -> None:
    runs = [PlannedRun(DAY, t) for t in ("Easy 8 km", "Easy 10 km", "Long 30 km", "Rest")]
    assert usual_of(runs) == Usual(km=10, minutes=None)
    assert usual_of([PlannedRun(DAY, "Easy", minutes=40), PlannedRun(DAY, "Easy 1h")]) == Usual(
        None, 50
    )


def test_a_days_kind_is_its_most_demanding_event_and_a_race_is_a_quality_day() -> None:
    assert day_kind([RunKind.EASY, RunKind.HARD]) is DayKind.HARD
    assert day_kind([RunKind.LONG, RunKind.EASY]) is DayKind.LONG
    assert day_kind([RunKind.RACE]) is DayKind.HARD  # P2: nothing the day before either
    assert day_kind([RunKind.REST]) is DayKind.REST
