"""The coaching core: pure decisions about a trail runner's strength sessions.

Standard library and packaged data files only (``data/exercises.toml``, ``data/rules.toml``,
read once with ``importlib.resources``). No I/O beyond that, no randomness, no clock: dates
are passed in. Rule IDs (P1-P13, the Floor, C1-C12) refer to ``COACHING.md``.

Public API
----------
Inputs (``inputs``, ``profile``, ``feedback``):

- ``profile_from_dict(data) -> Profile`` and ``feedback_from_list(data) -> tuple[Feedback |
  Resumed, ...]`` validate decoded JSON, raising ``CoachingInputError(field, message)``.
- ``Profile(experience, week, equipment=frozenset(), sessions_per_week=2, race_date=None,
  race_name=None, trail_runs_per_week=None, reminder=None)``; ``week`` is seven ``DayKind``
  values, Monday first; ``Profile.trail_runs`` is the derived count.
- ``Feedback(date, completed=FULL, rpe=None, legs=None, soreness_where=(), pain=(),
  ran_normally=None, descending_stiff=None, hamstring_sensitive=None, hips_level=None)`` with
  ``PainReport(where, score, settled=None)``; ``Resumed(date)`` ends a C7 pause;
  ``ProfileChanged(date, profile)`` gives the profile from that day on (progress is kept).
  ``profile_to_dict(profile)`` is the inverse of ``profile_from_dict``.

Planning (``planner``, ``model``):

- ``plan(profile, *, start, weeks, history=(), as_of=None, resume=None, keep=None,
  real=None) -> Plan``
  replays the history from ``start`` (the day coaching began) and plans ``weeks`` weeks of 7
  days. Sessions before ``as_of`` (or before the latest history entry) without feedback count
  as missed. ``keep`` asks for the ``Checkpoint`` of the latest week starting by then
  (``Plan.checkpoint``, JSON-able with ``to_json``/``from_json``); ``resume`` starts from one,
  and the plan then holds the weeks, changes and decisions from its week on. ``real`` (a
  ``RealWeek``) gives the days the runner's running plan names, from its ``since`` on.
- ``Plan(weeks, changes, paused, decisions)`` with ``to_json()`` (``docs/plan-format.md``)
  and ``sessions``; ``Week(start, phase, sessions)``; ``Session(date, kind, minutes,
  exercises, rules, status, after_run)``; ``Prescription(exercise, sets, reps, hold_s, load,
  tempo, range, cues_emphasised)`` with ``cues`` and ``heavy_eccentric``;
  ``Change(date, rules, why)``. ``duration.session_minutes(exercises, warm_up_minutes)``
  counts a session's minutes from its sets, reps, tempo, holds and rest.
- ``decide_feedback(profile, *, start, history, feedback, as_of=None) -> Decision``: the same
  replay, returning the decision for one new entry: ``Decision(date, rules, why, progress,
  pause, next, keep_away, nordic_block, concerns)`` with ``message``.

Data (``library``, ``rules``): ``library()`` / ``load_library(path)`` return the
``Library`` of ``Exercise`` records; ``rules()`` / ``load_rules(path)`` return
``RuleSettings``; a broken file raises ``CoachingDataError`` naming file, exercise and field.

Text: ``plan_table(plan) -> str`` renders the week-by-week preview; ``explain(decision,
ahead, paused=..., today=...)`` says what the runner reported and what changes in which
session.
"""

from bot.coaching.checkpoint import Checkpoint
from bot.coaching.decisions import Adjustment, Decision
from bot.coaching.errors import CoachingDataError, CoachingInputError
from bot.coaching.explain import explain
from bot.coaching.feedback import (
    Completed,
    Feedback,
    HistoryEvent,
    Legs,
    PainReport,
    PainSite,
    ProfileChanged,
    Resumed,
    merge_pain,
)
from bot.coaching.inputs import feedback_from_list, profile_from_dict, profile_to_dict
from bot.coaching.library import Exercise, Family, Joint, Library, Tag, library, load_library
from bot.coaching.model import (
    BODYWEIGHT,
    Change,
    Plan,
    Prescription,
    Session,
    SessionKind,
    SessionStatus,
    Week,
)
from bot.coaching.phases import Phase
from bot.coaching.plan_table import plan_table
from bot.coaching.planner import decide_feedback, plan
from bot.coaching.profile import DayKind, Equipment, Experience, Profile, Reminder
from bot.coaching.real_week import RealWeek
from bot.coaching.rules import RuleSettings, load_rules, rules

__all__ = [
    "BODYWEIGHT",
    "Adjustment",
    "Change",
    "Checkpoint",
    "CoachingDataError",
    "CoachingInputError",
    "Completed",
    "DayKind",
    "Decision",
    "Equipment",
    "Exercise",
    "Experience",
    "Family",
    "Feedback",
    "HistoryEvent",
    "Joint",
    "Legs",
    "Library",
    "PainReport",
    "PainSite",
    "Phase",
    "Plan",
    "Prescription",
    "Profile",
    "ProfileChanged",
    "RealWeek",
    "Reminder",
    "Resumed",
    "RuleSettings",
    "Session",
    "SessionKind",
    "SessionStatus",
    "Tag",
    "Week",
    "decide_feedback",
    "explain",
    "feedback_from_list",
    "library",
    "load_library",
    "load_rules",
    "merge_pain",
    "plan",
    "plan_table",
    "profile_from_dict",
    "profile_to_dict",
    "rules",
]
