"""Feedback decisions: from one feedback entry and its context, which C rules apply and why.

Precedence (COACHING.md): C7 > C6 > C2 and C8 > C5 > C3 > C1 and C4. The strongest rule sets
the dose of the next session; every rule that applied adds its sentence and its ID.

Choices where the rules are silent:

- A pain score, when given, is judged by C8; a joint named without a score (legs =
  ``joint_pain``) takes the C2 path. Pain "of concern" at a place is C8's reduce outcome
  (above 5, 4-5 not settled or not reported as settled, or above 3 and higher than the last
  report at that place) or an unscored joint pain. ``other`` pain concerns every joint.
- "In a row" counts consecutive check-ins: concern at the same place twice in a row swaps the
  exercises loading it (C2); three times is "the same pain in three check-ins" (C7).
- C3 keeps the plan but holds progression (heavy legs are no day to push).
- C4 needs every answer: an unanswered ``ran_normally`` or ``rpe`` holds the exercise.
- The C5 "kind of run" is the first running day after the session in the usual week.
- C6 blocks Nordics until a check-in answers ``hamstring_sensitive = false``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.coaching.feedback import Completed, Feedback, Legs, PainSite
from bot.coaching.library import Exercise, Joint, Tag
from bot.coaching.profile import DayKind, Profile
from bot.coaching.rules import RuleSettings, ordered

SITE_JOINTS: Mapping[PainSite, frozenset[Joint]] = {
    PainSite.KNEE: frozenset({Joint.KNEE}),
    PainSite.HIP: frozenset({Joint.HIP}),
    PainSite.LOWER_BACK: frozenset({Joint.LOWER_BACK}),
    PainSite.HAMSTRING: frozenset({Joint.HAMSTRING}),
    PainSite.OTHER: frozenset(Joint),
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    """How every session until the next check-in differs from the plan."""

    recovery: bool = False  # C6: a recovery session instead
    ease: frozenset[Joint] = frozenset()  # C2: show cues, step load down on these joints
    swap: frozenset[Joint] = frozenset()  # C2 twice in a row: swap for joint-sparing work
    fewer_sets: int = 0  # C5: one set fewer per exercise

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
    last_scores: Mapping[PainSite, int] = field(
        default_factory=dict
    )  # previous pain score per place (C8)
    streaks: Mapping[PainSite, int] = field(
        default_factory=dict
    )  # earlier consecutive check-ins of concern (C2, C7)
    next_run: DayKind | None = None  # the first run after the session (C5)
    paused: bool = False  # a red flag is already open (C7)


@dataclass(frozen=True, slots=True)
class Decision:
    """What one feedback entry changes, why, and the rule IDs behind it."""

    date: date
    rules: tuple[str, ...]
    why: tuple[str, ...]  # one plain sentence per rule, in the same order
    progress: bool = False  # C4 passed and nothing stronger holds the dose
    pause: bool = False  # C7: strength paused until the runner resumes
    next: Adjustment = NO_ADJUSTMENT
    keep_away: DayKind | None = None  # C5: strength one more day away from this run kind
    nordic_block: bool | None = None  # C6: True blocks Nordics, False lifts the block
    concerns: frozenset[PainSite] = frozenset()  # places of concerning pain this time

    @property
    def message(self) -> str:
        """The runner-facing "why this change" message."""
        return " ".join(self.why)

    def adding(self, rule_ids: frozenset[str], settings: RuleSettings) -> Decision:
        """This decision with more applied rules (e.g. P8, C9, C10 from progression)."""
        rules = ordered(frozenset(self.rules) | rule_ids)
        return replace(self, rules=rules, why=tuple(settings.why[rule] for rule in rules))


def next_run(profile: Profile, day: date) -> DayKind | None:
    """The kind of the first run after ``day`` in the usual week, if the runner runs at all."""
    for offset in range(1, 8):
        kind = profile.day(day + timedelta(days=offset))
        if kind is not DayKind.REST:
            return kind
    return None


def _concerns(feedback: Feedback, context: CheckinContext, settings: RuleSettings) -> set[PainSite]:
    """C8 reduce outcomes and unscored joint pain, by place."""
    concerns: set[PainSite] = set()
    for report in feedback.pain:
        previous = context.last_scores.get(report.where)
        rising = previous is not None and report.score > previous
        if report.score > settings.pain_settled_max or (
            report.score > settings.pain_ok_max and (not report.settled or rising)
        ):
            concerns.add(report.where)
    if feedback.legs is Legs.JOINT_PAIN:
        scored = {report.where for report in feedback.pain}
        named = {PainSite(w) for w in feedback.soreness_where if w in PainSite.__members__.values()}
        concerns |= (named or {PainSite.OTHER}) - scored
    return concerns


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
    streak = {site: context.streaks.get(site, 0) + 1 for site in concerns}
    gate = _gate_passes(feedback, settings)
    strength_session = bool(context.exercises) and feedback.done
    applied: set[str] = set()

    red_flag = feedback.legs is Legs.RED_FLAG or any(n >= 3 for n in streak.values())
    if red_flag or context.paused:
        applied.add("C7")
    if feedback.hamstring_sensitive:
        applied.add("C6")
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
    if feedback.completed is Completed.SKIPPED:
        applied.add("P9")
    holding = applied & {"C7", "C6", "C2", "C5", "C3"}
    if strength_session and not holding:
        applied.add("C4")

    if "C6" in applied:
        adjustment = Adjustment(recovery=True)
    elif "C2" in applied:
        adjustment = Adjustment(
            ease=frozenset().union(*(SITE_JOINTS[site] for site in concerns)),
            swap=frozenset().union(*(SITE_JOINTS[s] for s, n in streak.items() if n >= 2)),
        )
    elif "C5" in applied:
        adjustment = Adjustment(fewer_sets=1)
    else:
        adjustment = NO_ADJUSTMENT

    rules = ordered(applied)
    return Decision(
        date=feedback.date,
        rules=rules,
        why=tuple(settings.why[rule] for rule in rules),
        progress="C4" in applied and gate,
        pause=red_flag,
        next=adjustment,
        keep_away=context.next_run if "C5" in applied else None,
        nordic_block=feedback.hamstring_sensitive,
        concerns=frozenset(concerns),
    )


def is_new_eccentric(exercises: tuple[Exercise, ...], seen: frozenset[str] | set[str]) -> bool:
    """Whether a session held eccentric work the runner had not done before (C11)."""
    return any(Tag.ECCENTRIC in e.tags and e.id not in seen for e in exercises)
