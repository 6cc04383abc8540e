"""One named test per cue rule C1-C12 (COACHING.md), plus precedence."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.coaching import (
    Completed,
    Equipment,
    Feedback,
    Joint,
    Legs,
    PainReport,
    PainSite,
    Plan,
    Prescription,
    Resumed,
    Session,
    SessionKind,
    SessionStatus,
    decide_feedback,
    merge_pain,
    plan,
    rules,
)
from bot.coaching.decisions import Adjustment
from bot.coaching.library import library
from bot.coaching.placement import DayRules, choose_days
from bot.coaching.progression import Progress
from bot.coaching.sessions import Brief, compose
from tests.coaching.helpers import MONDAY, day, good, runner, train

PROFILE = runner("REREHRL", experience="some", trail_runs_per_week=3)  # Monday and Wednesday


def replay(*history: Feedback | Resumed, weeks: int = 3) -> Plan:
    return plan(PROFILE, start=MONDAY, weeks=weeks, history=history)


def doses(session: Session) -> dict[str, tuple[int, int | None, int | None, str]]:
    return {i.exercise.id: (i.sets, i.reps, i.hold_s, i.load) for i in session.exercises}


def after(result: Plan, when: date) -> Session:
    return next(s for s in result.sessions if s.date > when)


def change_on(result: Plan, when: date) -> tuple[str, ...]:
    return next(c.rules for c in result.changes if c.date == when)


def pain(where: PainSite, score: int, settled: bool | None = False) -> dict[str, object]:
    return {"legs": Legs.JOINT_PAIN, "pain": (PainReport(where, score, settled),)}


def test_sessions_fall_on_monday_and_wednesday() -> None:
    assert [s.date for s in replay().weeks[0].sessions] == [day(0), day(2)]


def test_c1_muscle_soreness_keeps_the_plan_and_allows_progression() -> None:
    sore = {"legs": Legs.MUSCLE_SORENESS, "soreness_where": ("glutes",)}
    result = replay(good(day(0), **sore), good(day(2), **sore))
    assert {"C1", "C4", "P8", "P10"} <= set(change_on(result, day(2)))
    assert doses(result.weeks[1].sessions[0]) != doses(replay().weeks[1].sessions[0])
    assert result.changes[0].why.startswith(rules().why["C1"])


def test_c2_knee_pain_shows_cues_and_steps_load_down_on_knee_exercises_only() -> None:
    result = replay(good(day(0), **pain(PainSite.KNEE, 6)))
    assert "C2" in change_on(result, day(0))
    eased, baseline = after(result, day(0)), after(replay(), day(0))
    knee = {i.exercise.id for i in baseline.exercises if Joint.KNEE in i.exercise.joints}
    assert knee
    for item in eased.exercises:
        assert item.cues_emphasised == (
            item.exercise.id in knee or item.exercise.id not in doses(baseline)
        )
    for item in baseline.exercises:
        if item.exercise.id in knee and item.exercise.id in doses(eased):
            assert doses(eased)[item.exercise.id][0] == item.sets - 1
        if item.exercise.id not in knee:
            assert doses(eased)[item.exercise.id] == doses(baseline)[item.exercise.id]


def test_c2_same_joint_two_check_ins_in_a_row_swaps_for_joint_sparing_exercises() -> None:
    knee = pain(PainSite.KNEE, 6)
    result = replay(good(day(0), **knee), good(day(2), **knee))
    swapped = after(result, day(2))
    assert swapped.kind is not SessionKind.RECOVERY
    assert all(Joint.KNEE not in i.exercise.joints for i in swapped.exercises)


def test_c3_heavy_legs_early_keep_the_plan_and_say_it_passes() -> None:
    result = replay(good(day(0), legs=Legs.HEAVY))
    assert change_on(result, day(0)) == ("C3",)
    assert doses(after(result, day(0))) == doses(after(replay(), day(0)))


def test_c3_heavy_legs_after_week_three_are_treated_as_c5() -> None:
    late = day(28)
    result = plan(PROFILE, start=MONDAY, weeks=6, history=[good(late, legs=Legs.HEAVY)])
    assert {"C3", "C5"} <= set(change_on(result, late))
    baseline = plan(PROFILE, start=MONDAY, weeks=6, history=[good(late)])
    lighter = [i.sets for i in after(result, late).exercises]
    assert lighter == [max(1, i.sets - 1) for i in after(baseline, late).exercises]


@pytest.mark.parametrize(
    "answers",
    [
        {"rpe": 8},
        {"ran_normally": False},
        {"ran_normally": None},
        {"completed": Completed.PARTIAL},
        {"pain": (PainReport(PainSite.KNEE, 2, True),)},
    ],
)
def test_c4_progression_gate_holds_the_exercise(answers: dict[str, object]) -> None:
    held = replay(good(day(0)), good(day(2), **answers))
    progressed = replay(good(day(0)), good(day(2)))
    assert "C4" in change_on(held, day(2))
    assert "P8" not in change_on(held, day(2))
    first_again = held.weeks[1].sessions[0]
    assert doses(first_again) == doses(replay().weeks[1].sessions[0])
    assert doses(first_again) != doses(progressed.weeks[1].sessions[0])


def test_c5_stiff_descents_cut_a_set_and_keep_strength_a_day_away_for_three_weeks() -> None:
    profile = runner("RREREHL", experience="some")  # Monday, and Wednesday's easy run
    result = plan(profile, start=MONDAY, weeks=6, history=[good(day(0), descending_stiff=True)])
    assert "C5" in change_on(result, day(0))
    lighter = after(result, day(0))
    assert [i.sets for i in lighter.exercises] == [
        max(1, i.exercise.dose.sets[0] - 1) for i in lighter.exercises
    ]
    offsets = [[(s.date - w.start).days for s in w.sessions] for w in result.weeks]
    assert offsets[:3] == [[0, 3]] * 3  # not on the easy-run day for three weeks
    assert offsets[3:] == [[0, 2]] * 3  # then back


def test_c5_and_heavy_legs_never_empty_the_plan_for_a_runner_who_runs_most_days() -> None:
    for pattern in ("EEEEELE", "EEHELEE"):  # defect 5: six or seven runs a week
        profile = runner(pattern, experience="some")
        first = plan(profile, start=MONDAY, weeks=1).sessions[0].date
        for report in ({"descending_stiff": True}, {"legs": Legs.HEAVY}):
            history = [good(first, **report), good(first + timedelta(days=21), **report)]
            result = plan(profile, start=MONDAY, weeks=12, history=history)
            assert all(week.sessions for week in result.weeks), (pattern, report)


def test_c6_sensitive_hamstring_brings_a_recovery_session_and_no_nordics_until_settled() -> None:
    profile = runner("RRRRRLR", experience="regular", equipment={Equipment.NORDIC_ANCHOR})
    trained, history = train(profile, weeks=12)
    nordic_day = next(
        s.date for s in trained.sessions if any(i.exercise.heavy for i in s.exercises)
    )
    before = [h for h in history if h.date < nordic_day]
    sensitive = [*before, good(nordic_day, hamstring_sensitive=True)]
    result = plan(profile, start=MONDAY, weeks=12, history=sensitive)
    assert "C6" in change_on(result, nordic_day)
    nxt = after(result, nordic_day)
    assert nxt.kind is SessionKind.RECOVERY
    blocked = plan(profile, start=MONDAY, weeks=12, history=[*sensitive, good(nxt.date)])
    assert not any(
        i.exercise.heavy for s in blocked.sessions if s.date > nordic_day for i in s.exercises
    )
    settled = plan(
        profile,
        start=MONDAY,
        weeks=12,
        history=[*sensitive, good(nxt.date, hamstring_sensitive=False)],
    )
    assert any(i.exercise.heavy for s in settled.sessions if s.date > nxt.date for i in s.exercises)


SHARP_KNEE = {"legs": Legs.RED_FLAG, "pain": (PainReport(PainSite.KNEE, 7, False),)}


def test_c7_red_flag_pauses_plan_and_the_return_is_graded() -> None:
    result = replay(good(day(0), **pain(PainSite.KNEE, 7)), good(day(2), **SHARP_KNEE))
    assert result.paused
    assert change_on(result, day(2))[0] == "C7"
    assert [s.date for s in result.sessions] == [day(0), day(2)]
    resumed = replay(
        good(day(0), **pain(PainSite.KNEE, 7)),
        good(day(2), **SHARP_KNEE),
        Resumed(day(9)),
        weeks=4,
    )
    assert not resumed.paused
    first_back, second_back = [s for s in resumed.sessions if s.date >= day(9)][:2]
    assert first_back.kind is SessionKind.CONTROL

    def loads_knee(session: Session) -> bool:
        return any(Joint.KNEE in i.exercise.joints for i in session.exercises)

    assert not loads_knee(first_back)  # the open knee swap holds ...
    assert not loads_knee(second_back)
    cleared = replay(
        good(day(0), **pain(PainSite.KNEE, 7)),
        good(day(2), **SHARP_KNEE),
        Resumed(day(9)),
        good(first_back.date),
        weeks=4,
    )
    assert loads_knee(after(cleared, first_back.date))  # ... until a check-in clears it


def test_c7_same_site_in_three_check_ins_in_a_row_is_a_red_flag_at_any_score() -> None:
    ache = pain(PainSite.KNEE, 2, True)
    two = replay(good(day(0), **ache), good(day(2), **ache))
    three = replay(good(day(0), **ache), good(day(2), **ache), good(day(7), **ache))
    assert not two.paused
    assert three.paused
    assert "C7" in change_on(three, day(7))


def test_c7_pain_at_different_sites_is_not_the_same_pain() -> None:
    """Defect 1: knee, then hip, then lower back at 2/10 is no red flag and no recovery."""
    result = replay(
        good(day(0), **pain(PainSite.KNEE, 2, True)),
        good(day(2), **pain(PainSite.HIP, 2, True)),
        good(day(7), **pain(PainSite.LOWER_BACK, 2, True)),
    )
    assert not result.paused
    assert all(s.kind is not SessionKind.RECOVERY for s in result.sessions)
    assert not any("C2" in c.rules for c in result.changes)


def test_c8_pain_up_to_3_is_fine_and_4_to_5_only_if_settled() -> None:
    def ruled(score: int, settled: bool) -> tuple[str, ...]:
        return change_on(replay(good(day(0), **pain(PainSite.KNEE, score, settled))), day(0))

    assert "C8" in ruled(3, False)
    assert "C2" not in ruled(3, False)
    assert "C2" not in ruled(5, True)
    assert "C2" in ruled(5, False)
    assert "C2" in ruled(7, True)


def test_c8_pain_rising_from_week_to_week_reduces_load() -> None:
    first = good(day(0), pain=(PainReport(PainSite.KNEE, 4, True),))
    second = good(day(7), pain=(PainReport(PainSite.KNEE, 5, True),))
    assert "C2" not in change_on(replay(first), day(0))
    assert "C2" in change_on(replay(first, second), day(7))


def _ladder(result: Plan) -> list[str]:
    return [i.exercise.id for s in result.sessions for i in s.exercises]


def test_c9_slider_curl_goes_to_one_leg_only_when_hips_stayed_level() -> None:
    profile = runner("REREHRL", experience="some", equipment={Equipment.SLIDERS})
    level, _ = train(profile, weeks=10, hips_level=True)
    tilted, _ = train(profile, weeks=10, hips_level=None)
    assert "h5_slider_curl_one_leg" in _ladder(level)
    assert "h5_slider_curl_one_leg" not in _ladder(tilted)
    assert any("C9" in c.rules for c in tilted.changes)


def test_c10_nordics_start_short_and_assisted_and_grow_range_before_reps() -> None:
    profile = runner("RRRRRLR", experience="regular", equipment={Equipment.NORDIC_ANCHOR})
    result, _ = train(profile, weeks=20)
    nordics: list[Prescription] = [
        i for s in result.sessions for i in s.exercises if i.exercise.id == "h7_assisted_nordic"
    ]
    assert nordics
    assert nordics[0].range == "short range"
    assert 2 <= nordics[0].sets <= 3
    assert nordics[0].reps in (3, 4, 5)
    steps = list(dict.fromkeys((i.range, i.reps) for i in nordics))
    assert steps[:4] == [
        ("short range", 3),
        ("half range", 3),
        ("full range", 3),
        ("full range", 4),
    ]
    assert any("C10" in c.rules for c in result.changes)


def test_c11_soreness_after_new_eccentric_work_is_expected() -> None:
    sore = {"legs": Legs.MUSCLE_SORENESS, "soreness_where": ("hamstrings",)}
    result = replay(good(day(0), **sore), good(day(7), **sore))
    assert "C11" in change_on(result, day(0))  # step-downs and slider curls are new
    assert "C11" not in change_on(result, day(7))


def test_c12_two_load_reducing_check_ins_at_one_joint_refer_without_pausing() -> None:
    """Defect 6: settled knee pain at 5/10 four times in a row is no longer ignored."""
    knee = pain(PainSite.KNEE, 6)
    result = replay(good(day(0), **knee), good(day(2), **knee))
    assert "C12" in change_on(result, day(2))
    assert not result.paused
    settled = pain(PainSite.KNEE, 5, True)
    four = replay(*(good(day(d), **settled) for d in (0, 2, 7, 9)), weeks=3)
    assert four.paused  # the same site three check-ins in a row (C7)


def test_c12_a_swap_leaving_fewer_than_three_exercises_makes_a_recovery_session() -> None:
    """Defect 7: no "focused" session of plank taps and calf raises."""
    profile = runner("REREHRL", experience="some", equipment={Equipment.STEP})
    hip = {"pain": (PainReport(PainSite.HIP, 6, False),)}  # hurt during the session
    result = plan(
        profile, start=MONDAY, weeks=3, history=[good(day(0), **hip), good(day(2), **hip)]
    )
    nxt = after(result, day(2))
    assert nxt.kind is SessionKind.RECOVERY or len(nxt.exercises) >= 3
    for session in result.sessions:
        if session.kind is not SessionKind.RECOVERY:
            assert len(session.exercises) >= 3


def test_precedence_strongest_rule_first_and_every_rule_is_kept() -> None:
    entry = good(
        day(0),
        legs=Legs.RED_FLAG,
        hamstring_sensitive=True,
        descending_stiff=True,
        pain=(PainReport(PainSite.KNEE, 7, False),),
    )
    result = replay(entry)
    change = result.changes[0]
    assert change.rules == ("C7", "C6", "C2", "C8", "C5")
    assert rules().why["C7"] in change.why
    assert rules().pain_fine not in change.why  # never "up to 3 is fine" to a 7/10
    assert result.paused


def test_decide_feedback_matches_the_replay() -> None:
    entry = good(day(2), legs=Legs.JOINT_PAIN, soreness_where=("hip",))
    decision = decide_feedback(PROFILE, start=MONDAY, history=[good(day(0))], feedback=entry)
    assert decision.rules == change_on(replay(good(day(0)), entry), day(2))
    assert decision.next.ease == {Joint.HIP}
    assert decision.message.startswith(rules().why["C2"])


def test_c8_pain_above_5_during_the_session_counts_even_when_it_settled_by_morning() -> None:
    """The worst score stands; whether it settled comes from the morning check-in."""
    during = (PainReport(PainSite.LOWER_BACK, 7),)
    morning = (PainReport(PainSite.LOWER_BACK, 1, True), PainReport(PainSite.KNEE, 2, True))
    merged = merge_pain(during, morning)
    assert merged == (PainReport(PainSite.LOWER_BACK, 7, True), PainReport(PainSite.KNEE, 2, True))
    assert "C2" in change_on(replay(good(day(0), pain=merged)), day(0))


def unlogged(when: date, **answers: object) -> Feedback:
    """A check-in about a session the runner never logged (issue 25, item 2)."""
    return replace(good(when, **answers), completed=Completed.NOT_LOGGED, rpe=None)


def test_a_check_in_without_a_log_is_a_missed_session_not_a_pass() -> None:
    """Item 2, P9 and C4: no invented history; two unlogged sessions progress nothing."""
    result = replay(unlogged(day(0)), unlogged(day(2)))
    assert [s.status for s in result.weeks[0].sessions] == [SessionStatus.MISSED] * 2
    assert doses(result.weeks[1].sessions[0]) == doses(replay().weeks[1].sessions[0])
    assert not any({"C4", "P8"} & set(c.rules) for c in result.changes)


def test_an_unlogged_session_does_not_use_up_the_graded_return() -> None:
    """Item 2, C7: the control session promised after a resume is still the next one done."""
    before = (good(day(0), **pain(PainSite.KNEE, 7)), good(day(2), **SHARP_KNEE), Resumed(day(9)))
    first_back = next(s for s in replay(*before, weeks=4).sessions if s.date >= day(9))
    result = replay(*before, unlogged(first_back.date), weeks=4)
    following = after(result, first_back.date)
    assert following.kind is SessionKind.CONTROL
    assert "C7" in following.rules


def test_a_check_in_still_counts_for_health_without_a_log() -> None:
    """Item 2: the pain a check-in reports shapes the next session even with no log (C2)."""
    result = replay(unlogged(day(0), **pain(PainSite.KNEE, 7)))
    assert "C2" in after(result, day(0)).rules


def test_item7_c10_p11_c5_the_first_nordic_never_comes_with_a_set_taken_off() -> None:
    """Issue 25.7: no first Nordic at 1 x 3 in a lighter week, nor after C5 takes a set off;
    when it comes, it comes with C10's two or three sets."""
    profile = runner("RERRRLR", experience="regular", equipment={Equipment.NORDIC_ANCHOR})
    result, _ = train(profile, weeks=8)
    first = next(s for s in result.sessions if any(i.exercise.heavy for i in s.exercises))
    assert "P11" not in first.rules
    assert all(i.sets >= 2 for i in first.exercises if i.exercise.heavy)
    assert any({"C10", "P11"} <= set(s.rules) for s in result.sessions if s.date < first.date)


@pytest.mark.parametrize(("first_nordic", "fewer_sets"), [(True, 1), (True, 0), (False, 1)])
def test_item7_c10_c5_a_first_nordic_waits_for_a_session_that_takes_no_set_off(
    first_nordic: bool, fewer_sets: int
) -> None:
    """Issue 25.7: C5's set off holds a first Nordic back (C10 noted), not a later one."""
    profile = runner("RERRRLR", experience="regular", equipment={Equipment.NORDIC_ANCHOR})
    progress = Progress(library(), profile, rules(), nordics=True)
    ladder = progress.chains[progress.hamstring]
    progress.reached[progress.hamstring] = progress.rank[next(e for e in ladder if e.heavy).id]
    brief = Brief(
        kind=SessionKind.MAINTENANCE,
        light=True,
        heavy_ok=True,
        eccentric_ok=True,
        set_off=None,
        first_nordic=first_nordic,
        whole=False,
        rotation=0,
        adjustment=Adjustment(fewer_sets=fewer_sets),
    )
    items, shaped_by = compose(brief, progress, library(), rules())
    nordics = [i for i in items if i.exercise.heavy]
    waits = first_nordic and fewer_sets > 0
    assert ("C10" in shaped_by) == waits
    assert bool(nordics) != waits
    if first_nordic and not waits:
        assert all(i.sets >= 2 for i in nordics)


@pytest.mark.parametrize("free_days", [2, 1])
def test_item9_c5_floor_the_extra_distance_wins_over_a_heavy_capable_day(free_days: int) -> None:
    """Issue 25.9: a focused session moves off C5's kept-away day even to a day without
    heavy work; with no other day it stays (the Floor)."""
    near, away = day(0), day(2)
    day_rules = DayRules(
        heavy_ok=lambda d: d == near,
        kept_away=lambda d: d == near,
        easy_day=lambda d: False,
        distance=lambda d: 3,
        window=lambda d: None,
    )
    free = [near, away][:free_days]
    chosen = choose_days(free, [SessionKind.FOCUSED], None, day_rules)
    assert chosen == [(away if free_days == 2 else near, SessionKind.FOCUSED)]


def test_item11_c4_c5_hard_two_sessions_in_a_row_takes_a_set_off_without_keeping_away() -> None:
    """Issue 25.11: RPE 9 twice in a row is a dose too high (C5's set off, stored with C4
    and C5), with no extra distance from a run since nothing was said about the runs."""
    once = replay(good(day(0), rpe=9))
    assert change_on(once, day(0)) == ("C4",)
    twice = replay(good(day(0), rpe=9), good(day(2), rpe=9))
    decision = twice.decisions[-1]
    assert decision.rules == ("C5", "C4") and decision.too_hard
    assert decision.keep_away is None and decision.next.fewer_sets == 1
    assert rules().too_hard in twice.changes[-1].why
    cut, planned = after(twice, day(2)), after(replay(), day(2))
    assert cut.date == planned.date and "C5" in cut.rules
    assert [i.sets for i in cut.exercises] == [i.sets - 1 for i in planned.exercises]
    skipped = Feedback(day(2), completed=Completed.SKIPPED)
    broken = replay(good(day(0), rpe=9), skipped, good(day(7), rpe=9))
    assert "C5" not in change_on(broken, day(7))  # a skipped session breaks the row
