"""The packaged data files: complete, linked, and failing loudly when broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.coaching import CoachingDataError, Family, library, load_library, load_rules, rules
from bot.coaching.rules import RULE_IDS

FOUNDATION = {
    "single_leg_squat", "step_up", "romanian_deadlift", "hip_thrust", "calf_raise",
    "core_anti_rotation", "hip_stability",
}  # fmt: skip
HAMSTRING = [
    "h1_glute_bridge", "h2_hamstring_walkout", "h3_single_leg_rdl", "h4_step_down",
    "h5_slider_curl", "h5_slider_curl_one_leg", "h6_reverse_lunge", "h7_assisted_nordic",
    "h8_nordic",
]  # fmt: skip


def test_library_names_every_exercise_of_coaching_md() -> None:
    lib = library()
    assert {e.id for e in lib.family(Family.FOUNDATION)} == FOUNDATION
    assert [e.id for e in lib.family(Family.HAMSTRING)] == HAMSTRING
    assert {e.id for e in lib.family(Family.RECOVERY)} == {
        "easy_bridges",
        "easy_walk",
        "gentle_mobility",
    }


def test_every_exercise_has_all_fields_and_links_to_existing_ids() -> None:
    lib = library()
    for exercise in lib.exercises.values():
        assert exercise.name
        assert exercise.tags
        assert exercise.joints
        assert 2 <= len(exercise.cues) <= 4
        assert (exercise.dose.reps is None) != (exercise.dose.hold_s is None)
        assert exercise.dose.tempo
        for link in (exercise.regression, exercise.progression):
            assert link is None or link in lib.exercises
        if exercise.progression:
            assert lib[exercise.progression].regression == exercise.id


def test_the_hamstring_ladder_links_in_order() -> None:
    lib = library()
    assert [lib[a].progression for a in HAMSTRING[:-1]] == HAMSTRING[1:]


def test_rules_file_has_a_why_sentence_for_every_rule() -> None:
    settings = rules()
    assert set(settings.why) == set(RULE_IDS)
    assert "medical" in settings.why["C7"] or "doctor" in settings.why["C7"]
    assert (settings.pain_ok_max, settings.pain_settled_max) == (3, 5)
    assert (settings.heavy_hours, settings.heavy_hours_unaccustomed) == (48, 72)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    source = Path(__file__).parents[2] / "bot/coaching/data/exercises.toml"
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "exercises.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('family = "foundation"', 'family = "cardio"', "exercise step_up: family"),
        (
            'regression = "h1_glute_bridge"',
            'regression = "nope"',
            "h2_hamstring_walkout: regression",
        ),
        ('tempo = "2 s up, 2 s down"\n', "", "exercise step_up: dose: tempo: missing"),
        ('joints = ["knee", "hip"]', 'joints = ["elbow"]', "exercise step_up: joints"),
    ],
)
def test_a_broken_exercise_file_names_file_exercise_and_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(CoachingDataError) as error:
        load_library(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_too_many_cues_are_rejected(tmp_path: Path) -> None:
    old = '  "Keep both hip bones at the same height as you rise.",\n'
    path = _broken(tmp_path, old, old * 3)
    with pytest.raises(CoachingDataError, match="exercise step_up: cues"):
        load_library(path)


def test_a_broken_rules_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    source = Path(__file__).parents[2] / "bot/coaching/data/rules.toml"
    text = source.read_text(encoding="utf-8").replace("settled_max = 5", "", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CoachingDataError, match=r"rules\.toml: pain: settled_max: missing"):
        load_rules(path)
    path.write_text("not = [toml", encoding="utf-8")
    with pytest.raises(CoachingDataError, match="not valid TOML"):
        load_rules(path)
