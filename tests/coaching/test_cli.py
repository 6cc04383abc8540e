"""The coach's plan preview: ``trailcoach plan`` and the input validation behind it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.coaching import CoachingInputError, Feedback, Legs, feedback_from_list, profile_from_dict

PROFILE = {
    "experience": "some",
    "week": {
        "mon": "rest",
        "tue": "easy",
        "wed": "hard",
        "thu": "rest",
        "fri": "easy",
        "sat": "long",
        "sun": "rest",
    },
    "equipment": ["step", "sliders"],
    "sessions_per_week": 2,
    "timezone": "Europe/Berlin",
    "reminder_time": "07:30",
    "race_date": "2025-05-18",
}
FEEDBACK = [
    {
        "date": "2025-03-03",
        "completed": "full",
        "rpe": 6,
        "legs": "joint_pain",
        "soreness_where": ["knee"],
        "pain": [{"where": "knee", "score": 4, "settled": False}],
        "ran_normally": True,
        "descending_stiff": False,
        "hamstring_sensitive": False,
        "hips_level": True,
    }
]


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(tmp_path: Path, *extra: str, profile: object = PROFILE) -> list[str]:
    return ["plan", "--profile", str(write(tmp_path, "profile.json", profile)), *extra]


def test_json_output_has_the_documented_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feedback = write(tmp_path, "feedback.json", FEEDBACK)
    args = run(
        tmp_path, "--start", "2025-03-03", "--weeks", "3", "--feedback", str(feedback), "--json"
    )
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"weeks", "changes", "paused"}
    assert data["paused"] is False
    assert len(data["weeks"]) == 3
    week = data["weeks"][0]
    assert week["start"] == "2025-03-03"
    assert week["phase"] == "build"
    session = week["sessions"][0]
    assert {"date", "kind", "minutes", "exercises"} <= set(session)
    exercise = session["exercises"][0]
    keys = {"id", "name", "family", "tags", "joints", "sets", "reps", "hold_s", "load", "cues"}
    assert keys <= set(exercise)
    change = data["changes"][0]
    assert change["date"] == "2025-03-03"
    assert change["rules"][0] == "C2"
    assert change["why"]


def test_table_output_is_week_by_week(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(run(tmp_path, "--start", "2025-03-03", "--weeks", "2")) == 0
    out = capsys.readouterr().out
    assert "Week 1  from 2025-03-03  phase: build" in out
    assert "Week 2  from 2025-03-10" in out
    assert "Single-leg Romanian deadlift" in out


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (
            {**PROFILE, "week": {**PROFILE["week"], "tue": "run"}},  # type: ignore[dict-item]
            'profile.json: week.tue: expected one of rest, easy, hard, long, got "run"',
        ),
        ({**PROFILE, "experience": "lots"}, "profile.json: experience: expected one of"),
        ({**PROFILE, "equipment": ["rope"]}, "profile.json: equipment[0]: expected one of"),
        ({**PROFILE, "sessions_per_week": 3}, "profile.json: sessions_per_week:"),
        ({**PROFILE, "race_date": "soon"}, "profile.json: race_date: expected a date"),
        ({**PROFILE, "colour": "red"}, "profile.json: colour: unknown field"),
    ],
)
def test_a_bad_profile_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: object, message: str
) -> None:
    assert main(run(tmp_path, profile=profile)) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_bad_feedback_file_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [{**FEEDBACK[0], "legs": "wobbly"}]
    feedback = write(tmp_path, "feedback.json", bad)
    assert main(run(tmp_path, "--feedback", str(feedback))) == 2
    assert "feedback.json: [0].legs: expected one of" in capsys.readouterr().err


def test_a_file_that_is_not_json_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profile.json"
    path.write_text("{nope", encoding="utf-8")
    assert main(["plan", "--profile", str(path)]) == 2
    assert "profile.json: line 1: not valid JSON" in capsys.readouterr().err


def test_inputs_build_core_types() -> None:
    profile = profile_from_dict(PROFILE)
    assert profile.trail_runs == 4
    assert profile.reminder is not None
    assert profile.reminder.timezone == "Europe/Berlin"
    (entry,) = feedback_from_list(FEEDBACK)
    assert isinstance(entry, Feedback)
    assert entry.legs is Legs.JOINT_PAIN
    history = feedback_from_list([{"date": "2025-03-10", "resumed": True}])
    assert history[0].date.isoformat() == "2025-03-10"
    (word,) = feedback_from_list([{"date": "2025-03-03", "rpe": "very hard"}])
    assert isinstance(word, Feedback)
    assert word.rpe == 10
    with pytest.raises(CoachingInputError) as error:
        feedback_from_list([{"date": "2025-03-03", "pain": [{"where": "knee", "score": 11}]}])
    assert error.value.field == "[0].pain[0].score"
