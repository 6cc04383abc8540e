"""The one contract between the dialogs' answers and the core's Feedback (issue 11)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from bot.coaching import Completed, Feedback, Legs, PainReport, PainSite
from bot.services.dialogs.engine import Step
from bot.services.dialogs.reports import (
    CheckInReportAnswers,
    check_in_fields,
    check_in_report,
    log_fields,
    session_report,
)
from bot.services.plans.training_plan import feedback_of
from bot.services.use_cases.training import CHECK_IN, POST_SESSION
from bot.storage.models import CheckIn, SessionLog

DAY = date(2026, 11, 24)


def values(step: Step) -> list[str]:
    return [choice.value for choice in step.options({}, None)]  # type: ignore[arg-type]


def step(dialog_steps: tuple[Step, ...], key: str) -> Step:
    return next(s for s in dialog_steps if s.key == key)


def test_every_after_session_answer_maps_to_the_cores_enums() -> None:
    steps = POST_SESSION.steps
    for how, effort, hurt, hips in itertools.product(
        values(step(steps, "how")),
        [*values(step(steps, "rpe")), "9"],
        values(step(steps, "hurt")),
        values(step(steps, "hips")),
    ):
        report = session_report(
            DAY, {"how": how, "rpe": effort, "hurt": [hurt], "hurt_score": "6", "hips": hips}
        )
        assert report.completed is Completed(how)
        assert report.rpe is not None and 1 <= report.rpe <= 10
        assert report.pain == (PainReport(PainSite(hurt), 6, None),)
        assert report.hips_level is {"yes": True, "no": False}[hips]


def test_after_session_words_and_numbers_for_effort() -> None:
    assert session_report(DAY, {"how": "full", "rpe": "hard"}).rpe == 8
    assert session_report(DAY, {"how": "partial", "rpe": "4"}).rpe == 4
    nothing = session_report(DAY, {"how": "full", "rpe": "ok"})
    assert nothing.pain == () and nothing.hips_level is None


@pytest.mark.parametrize(
    ("trail", "stiff", "sensitive"),
    [
        ("stiff", True, None),
        ("hamstring", None, True),
        ("fine", False, False),
        ("not_yet", None, None),
    ],
)
def test_the_trail_answer_maps_to_c5_and_c6(
    trail: str, stiff: bool | None, sensitive: bool | None
) -> None:
    report = check_in_report(DAY, {"legs": "fresh", "ran": "yes", "trail": trail})
    assert (report.descending_stiff, report.hamstring_sensitive) == (stiff, sensitive)


def test_every_check_in_answer_maps_to_the_cores_enums() -> None:
    steps = CHECK_IN.steps
    assert values(step(steps, "trail")) == ["not_yet", "fine", "stiff", "hamstring"]
    for legs, where, settled, ran in itertools.product(
        values(step(steps, "legs")),
        values(step(steps, "where")),
        values(step(steps, "settled")),
        values(step(steps, "ran")),
    ):
        answers: CheckInReportAnswers = {
            "legs": legs,
            "where": [where],
            "score": "5",
            "settled": settled,
            "ran": ran,
        }
        report = check_in_report(DAY, answers)
        assert report.legs is Legs(legs)
        assert report.pain == (PainReport(PainSite(where), 5, settled == "yes"),)
        assert report.ran_normally is {"yes": True, "no": False}.get(ran)
        assert report.completed is Completed.FULL


def test_a_legs_only_check_in_is_no_session_done() -> None:
    report = check_in_report(DAY, {"legs": "heavy", "ran": "none", "session": False})
    assert report.completed is Completed.SKIPPED
    assert report.ran_normally is None


def test_stored_fields_round_trip_through_the_core_types() -> None:
    log = session_report(DAY, {"how": "full", "rpe": "ok", "hurt": ["knee"], "hurt_score": "7"})
    check_in = check_in_report(
        DAY,
        {"legs": "joint_pain", "where": ["knee"], "score": "2", "settled": "yes", "ran": "yes"},
    )
    merged = feedback_of(DAY, SessionLog(**log_fields(log)), CheckIn(**check_in_fields(check_in)))
    assert merged == Feedback(
        DAY,
        completed=Completed.FULL,
        rpe=5,
        legs=Legs.JOINT_PAIN,
        pain=(PainReport(PainSite.KNEE, 7, True),),  # the worst score, settled by morning
        ran_normally=True,
    )
