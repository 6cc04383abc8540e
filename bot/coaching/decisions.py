"""Feedback decisions: from one feedback entry and its context, which C rules apply and why.

Precedence (COACHING.md): C7 > C6 > C12 > C2 and C8 > C5 > C3 > C1 and C4. The strongest
rule sets the dose of the next session; every rule that applied is kept with its ID.

Choices where the rules are silent:

- A pain score, when given, is judged by C8; a joint named without a score takes the C2
  path. Pain "of concern" at a site is C8's reduce outcome (above 5, 4-5 not settled, or
  above 3 and higher than the last report there) or an unscored joint pain.
- "Other" pain (somewhere else in the legs) stands for the ankle, the one joint the library
  loads that has no answer of its own; it never stands for every joint.
- C7's "same pain in three check-ins in a row" counts reports at one site at any score; C2's
  swap and C12's referral count load-reducing reports at one site.
- C3 keeps the plan but holds progression (heavy legs are no day to push).
- C4 failing on effort (RPE above 7) at two strength sessions in a row means the dose is too
  high: C5's set off for the next session, without its extra distance from a run unless C5's
  own trigger (stiff descents, or C3's heavy legs) applied too.
- C4 needs every answer: an unanswered ``ran_normally`` or ``rpe`` holds the exercise.
- The C5 "kind of run" is the first running day after the session in the usual week; the
  extra distance lasts ``keep_away_weeks`` from the report.
- C6 blocks Nordics until a check-in answers ``hamstring_sensitive = false``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.coaching.feedback import Completed, Feedback, Legs, PainSite
from bot.coaching.library import Exercise, Joint, Tag
from bot.coaching.profile import DayKind
from bot.coaching.rules import RuleSettings, ordered

SITE_JOINTS: Mapping[PainSite, frozenset[Joint]] = {
    PainSite.KNEE: frozenset({Joint.KNEE}),
    PainSite.HIP: frozenset({Joint.HIP}),
    PainSite.LOWER_BACK: frozenset({Joint.LOWER_BACK}),
    PainSite.HAMSTRING: frozenset({Joint.HAMSTRING}),
    PainSite.OTHER: frozenset({Joint.ANKLE}),
}


def joints_of(sites: frozenset[PainSite] | set[PainSite]) -> frozenset[Joint]:
    """The joints the exercises load at these pain sites."""
    return frozenset().union(*(SITE_JOINTS[site] for site in sites))


@dataclass(frozen=True, slots=True)
class Adjustment:
    """How the next session differs from the plan (``sticky``: until a check-in clears it)."""

    recovery: bool = False  # C6: a recovery session instead
    ease: frozenset[Joint] = frozenset()  # C2: show cues, step load down on these joints
    swap: frozenset[Joint] = frozenset()  # C2 twice in a row: swap for joint-sparing work
    fewer_sets: int = 0  # C5: one set fewer per exercise
    sticky: bool = False  # C7: after a resume, it holds until a check-in clears it

    def rules(self) -> frozenset[str]:
        """The rules behind this adjustment."""
        return frozenset(
            rule
            for rule, active in (
                ("C6", self.recovery),
                ("C2", bool(self.ease or self.swap)),
                ("C5", self.fewer_sets > 0),
            )
            if active
        )


NO_ADJUSTMENT = Adjustment()


@dataclass(frozen=True, slots=True)
class CheckinContext:
    """What the decision needs to know besides the feedback itself."""

    week_no: int  # 1-based week since coaching started (C3)
    exercises: tuple[Exercise, ...] = ()  # the strength exercises of that session, if any
    new_eccentric: bool = False  # the session held eccentric work new to the runner (C11)
    last_scores: Mapping[PainSite, int] = field(default_factory=dict)  # C8 "rising"
    reported: Mapping[PainSite, int] = field(default_factory=dict)  # C7: reports in a row
    reducing: Mapping[PainSite, int] = field(default_factory=dict)  # C2, C12: reductions in a row
    next_run: DayKind | None = None  # the first run after the session (C5)
    paused: bool = False  # a red flag is already open (C7)
    hard_before: bool = False  # the last strength session before felt too hard too (C4, C5)


@dataclass(frozen=True, slots=True)
class Decision:
    """What one feedback entry changes, why, and the rule IDs behind it."""

    date: date
    rules: tuple[str, ...]
    why: tuple[str, ...]  # one general sentence per rule that fits, in the same order
    report: Feedback
    progress: bool = False  # C4 passed and nothing stronger holds the dose
    pause: bool = False  # C7: strength paused until the runner resumes
    next: Adjustment = NO_ADJUSTMENT
    keep_away: DayKind | None = None  # C5: strength one more day away from this run kind
    keep_away_until: dt.date | None = None
    nordic_block: bool | None = None  # C6: True blocks Nordics, False lifts the block
    concerns: frozenset[PainSite] = frozenset()  # sites of load-reducing pain this time
    reported: frozenset[PainSite] = frozenset()  # sites with any pain this time
    repeated: frozenset[PainSite] = frozenset()  # C7: sites reported three times in a row
    refer: frozenset[PainSite] = frozenset()  # C12: sites that needed less load twice in a row
    moved: tuple[Moved, ...] = ()  # P8: what progressed
    waiting: tuple[Exercise, ...] = ()  # P10: passed once, one more to go
    gated: bool = False  # C9: the one-leg slider curl waits for level hips
    too_hard: bool = False  # C4 failed on effort two sessions in a row: C5's set off

    @property
    def message(self) -> str:
        """The rules' general sentences, for the history."""
        return " ".join(self.why)

    def adding(self, rule_ids: frozenset[str], settings: RuleSettings) -> Decision:
        """This decision with more applied rules (e.g. P8, C9, C10 from progression)."""
        rules = ordered(frozenset(self.rules) | rule_ids)
        return replace(self, rules=rules, why=why_for(rules, self.report, settings))


@dataclass(frozen=True, slots=True)
class Moved:
    """One exercise that stepped up (P8): more reps or range, the next variant, or load."""

    exercise: Exercise  # the exercise as it was
    step: str  # "reps", "range", "variant" or "load"
    to: str  # the new amount, range, variant name or load


def why_for(rules: tuple[str, ...], report: Feedback, settings: RuleSettings) -> tuple[str, ...]:
    """The general sentence of each rule, choosing C8's that fits the score reported."""
    worst = max((pain.score for pain in report.pain), default=0)
    run_felt = report.descending_stiff or report.legs is Legs.HEAVY  # C5's own trigger
    return tuple(
        settings.why["C8"]
        if rule == "C8" and worst > settings.pain_ok_max
        else settings.pain_fine
        if rule == "C8"
        else settings.too_hard
        if rule == "C5" and not run_felt
        else settings.why[rule]
        for rule in rules
    )


def next_run(kind_of: Callable[[date], DayKind], day: date) -> DayKind | None:
    """The kind of the first run after ``day`` (each day's kind from ``kind_of``: the usual
    week's, or the real week's), if the runner runs at all in the week after it."""
    for offset in range(1, 8):
        kind = kind_of(day + timedelta(days=offset))
        if kind is not DayKind.REST:
            return kind
    return None


def _sites(feedback: Feedback) -> tuple[set[PainSite], set[PainSite]]:
    """Sites with pain scored above zero, and joint pain named without a score."""
    scored = {report.where for report in feedback.pain if report.score > 0}
    named: set[PainSite] = set()
    if feedback.legs is Legs.JOINT_PAIN:
        named = {PainSite(w) for w in feedback.soreness_where if w in PainSite.__members__.values()}
        if not named and not feedback.pain:
            named = {PainSite.OTHER}
        named -= {report.where for report in feedback.pain}
    return scored, named


def _concerns(feedback: Feedback, context: CheckinContext, settings: RuleSettings) -> set[PainSite]:
    """C8 reduce outcomes, and unscored joint pain, by site."""
    concerns: set[PainSite] = set()
    for report in feedback.pain:
        previous = context.last_scores.get(report.where)
        rising = previous is not None and report.score > previous
        if report.score > settings.pain_settled_max or (
            report.score > settings.pain_ok_max and (report.settled is not True or rising)
        ):
            concerns.add(report.where)
    return concerns | _sites(feedback)[1]


def _gate_passes(feedback: Feedback, settings: RuleSettings) -> bool:
    """C4: ran normally, RPE at most 7, completed, no pain flagged."""
    return (
        feedback.ran_normally is True
        and feedback.rpe is not None
        and feedback.rpe <= settings.rpe_progress_max
        and feedback.completed is Completed.FULL
        and not any(report.score > 0 for report in feedback.pain)
        and feedback.legs not in (Legs.JOINT_PAIN, Legs.RED_FLAG)
    )


def decide(feedback: Feedback, context: CheckinContext, settings: RuleSettings) -> Decision:
    """Apply the C rules (and P9 for a skipped session) to one feedback entry."""
    concerns = _concerns(feedback, context, settings)
    scored, named = _sites(feedback)
    reported = scored | named
    in_a_row = {site: context.reported.get(site, 0) + 1 for site in reported}
    reducing = {site: context.reducing.get(site, 0) + 1 for site in concerns}
    repeated = {site for site, n in in_a_row.items() if n >= settings.red_flag_checkins}
    refer = {site for site, n in reducing.items() if n >= settings.refer_checkins}
    gate = _gate_passes(feedback, settings)
    strength_session = bool(context.exercises) and feedback.done
    applied: set[str] = set()

    red_flag = feedback.legs is Legs.RED_FLAG or bool(repeated)
    if red_flag or context.paused:
        applied.add("C7")
    if feedback.hamstring_sensitive:
        applied.add("C6")
    if refer and not red_flag:
        applied.add("C12")
    if concerns:
        applied.add("C2")
    if any(report.score > 0 for report in feedback.pain):
        applied.add("C8")
    if feedback.descending_stiff:
        applied.add("C5")
    if feedback.legs is Legs.HEAVY:
        applied.add("C3")
        if context.week_no > settings.heavy_legs_weeks or not gate:
            applied.add("C5")  # C3: persisting heavy legs, or C4 failing too, is C5
    if feedback.legs is Legs.MUSCLE_SORENESS:
        applied.add("C1")
        if context.new_eccentric:
            applied.add("C11")
    keep_away = context.next_run if "C5" in applied else None
    too_hard = strength_session and context.hard_before and felt_too_hard(feedback, settings)
    if too_hard:
        applied |= {"C4", "C5"}  # C4 failing on effort twice in a row: the dose is too high
    if feedback.completed is Completed.SKIPPED and context.exercises:
        applied.add("P9")
    holding = applied & {"C7", "C6", "C12", "C2", "C5", "C3"}
    if strength_session and not holding:
        applied.add("C4")

    ease = joints_of(concerns | (reported if red_flag else set()))
    swap = joints_of({site for site, n in reducing.items() if n >= 2})
    if "C6" in applied:
        adjustment = Adjustment(recovery=True, sticky=red_flag)
    elif ease or swap:
        adjustment = Adjustment(ease=ease, swap=swap, sticky=red_flag)
    elif "C5" in applied:
        adjustment = Adjustment(fewer_sets=1)
    else:
        adjustment = NO_ADJUSTMENT

    rules = ordered(applied)
    return Decision(
        date=feedback.date,
        rules=rules,
        why=why_for(rules, feedback, settings),
        report=feedback,
        progress="C4" in applied and gate,
        pause=red_flag,
        next=adjustment,
        keep_away=keep_away,
        keep_away_until=(
            feedback.date + timedelta(weeks=settings.keep_away_weeks) if keep_away else None
        ),
        nordic_block=feedback.hamstring_sensitive,
        concerns=frozenset(concerns),
        reported=frozenset(reported),
        repeated=frozenset(repeated),
        refer=frozenset(refer),
        too_hard=too_hard,
    )


def felt_too_hard(feedback: Feedback, settings: RuleSettings) -> bool:
    """C4 fails on effort: the session was done and felt harder than RPE 7."""
    return feedback.done and feedback.rpe is not None and feedback.rpe > settings.rpe_progress_max


def is_new_eccentric(exercises: tuple[Exercise, ...], seen: frozenset[str] | set[str]) -> bool:
    """Whether a session held eccentric work the runner had not done before (C11)."""
    return any(Tag.ECCENTRIC in e.tags and e.id not in seen for e in exercises)
