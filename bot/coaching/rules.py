"""Tunable rule settings and the runner-facing "why" sentences, from ``data/rules.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from bot.coaching.datafile import Table, read_toml
from bot.coaching.errors import CoachingDataError

PLANNING_RULES = (*(f"P{n}" for n in range(1, 14)), "Floor")
RULE_IDS = PLANNING_RULES + tuple(f"C{n}" for n in range(1, 13))
"""Every rule of COACHING.md, in document order."""

PRECEDENCE = ("C7", "C6", "C12", "C2", "C8", "C5", "C3", "C1", "C4", "C9", "C10", "C11")
"""C7 > C6 > C12 > C2 and C8 > C5 > C3 > C1 and C4; the progression notes C9-C11 follow."""

RULE_ORDER = PRECEDENCE + PLANNING_RULES
"""The order in which applied rules and their sentences are listed: strongest first."""

SESSION_KINDS = ("control", "heavy", "focused", "maintenance", "recovery")


def ordered(rule_ids: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Rule IDs in ``RULE_ORDER``: the strongest first."""
    return tuple(rule for rule in RULE_ORDER if rule in rule_ids)


@dataclass(frozen=True, slots=True)
class Shape:
    """How many exercises of each sort a session holds (P4, P5)."""

    hamstring: int
    foundation_control: int
    foundation_strength: int


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Every tunable number of the P and C rules, and one "why" sentence per rule."""

    pain_ok_max: int
    pain_settled_max: int
    rpe_progress_max: int
    rpe_words: Mapping[str, int]
    heavy_hours: int
    heavy_hours_unaccustomed: int
    unaccustomed_weeks: int
    heavy_sessions_per_week: int
    taper_days: int
    maintain_max_weeks: int
    race_rest_days: int
    recovery_days: int
    first_weeks: int
    first_weeks_sessions: int
    gentle_weeks: int
    heavy_legs_weeks: int
    detraining_weeks: int
    lighter_every: int
    keep_away_weeks: int
    passes_needed: int
    red_flag_checkins: int
    refer_checkins: int
    min_exercises: int
    least_minutes: int  # P1: a session no rule cuts lasts at least this ...
    most_minutes: int  # ... and never more than this
    warm_up_minutes: int
    warm_up: tuple[str, ...]
    pain_fine: str
    too_hard: str
    shapes: Mapping[str, Shape]
    why: Mapping[str, str]


def _shape(table: Table) -> Shape:
    return Shape(
        hamstring=table.integer("hamstring", 1, 3),  # P5: two or three, never the ladder
        foundation_control=table.integer("foundation_control", 0, 4),
        foundation_strength=table.integer("foundation_strength", 0, 4),
    )


def load_rules(path: Path | None = None) -> RuleSettings:
    """Load and validate a rules file (default: the packaged one)."""
    name, document = read_toml(path, "rules.toml")
    root = Table(document, name)
    pain, rpe, gaps = root.table("pain"), root.table("rpe"), root.table("gaps")
    phases, weeks, shapes = root.table("phases"), root.table("weeks"), root.table("shape")
    progression, sites, warm_up = (
        root.table("progression"),
        root.table("pain_sites"),
        root.table("warm_up"),
    )
    why = root.table("why")
    words = rpe.table("words")
    settings = RuleSettings(
        pain_ok_max=pain.integer("ok_max", 0, 10),
        pain_settled_max=pain.integer("settled_max", 0, 10),
        rpe_progress_max=rpe.integer("progress_max", 1, 10),
        rpe_words=MappingProxyType({key: words.integer(key, 1, 10) for key in words.data}),
        heavy_hours=gaps.integer("heavy_hours", 0, 240),
        heavy_hours_unaccustomed=gaps.integer("heavy_hours_unaccustomed", 0, 240),
        unaccustomed_weeks=gaps.integer("unaccustomed_weeks", 0, 52),
        heavy_sessions_per_week=gaps.integer("heavy_sessions_per_week", 0, 7),
        taper_days=phases.integer("taper_days", 7, 56),
        maintain_max_weeks=phases.integer("maintain_max_weeks", 2, 52),
        race_rest_days=phases.integer("race_rest_days", 0, 6),
        recovery_days=phases.integer("recovery_days", 0, 56),
        first_weeks=weeks.integer("first_weeks", 0, 8),
        first_weeks_sessions=weeks.integer("first_weeks_sessions", 1, 2),
        gentle_weeks=weeks.integer("gentle_weeks", 0, 12),
        heavy_legs_weeks=weeks.integer("heavy_legs_weeks", 0, 52),
        detraining_weeks=weeks.integer("detraining_weeks", 1, 52),
        lighter_every=weeks.integer("lighter_every", 2, 12),
        keep_away_weeks=weeks.integer("keep_away_weeks", 1, 12),
        passes_needed=progression.integer("passes_needed", 1, 5),
        red_flag_checkins=sites.integer("red_flag_checkins", 2, 10),
        refer_checkins=sites.integer("refer_checkins", 2, 10),
        min_exercises=sites.integer("min_exercises", 1, 6),
        least_minutes=root.table("minutes").integer("least", 10, 90),
        most_minutes=root.table("minutes").integer("most", 10, 120),
        warm_up_minutes=warm_up.integer("minutes", 1, 15),
        warm_up=warm_up.texts("moves", 2, 8),
        pain_fine=root.table("pain_fine").text("C8"),
        too_hard=root.table("too_hard").text("C5"),
        shapes=MappingProxyType({kind: _shape(shapes.table(kind)) for kind in SESSION_KINDS[:-1]}),
        why=MappingProxyType({rule: why.text(rule) for rule in RULE_IDS}),
    )
    if settings.most_minutes < settings.least_minutes:
        raise CoachingDataError(f"{name}: minutes: most: must not be below least")
    if settings.pain_settled_max < settings.pain_ok_max:
        raise CoachingDataError(f"{name}: pain: settled_max: must not be below ok_max")
    return settings


@cache
def rules() -> RuleSettings:
    """The packaged rule settings, loaded once per process."""
    return load_rules()
