"""The planner: week plans from a profile, replaying the runner's history day by day.

One replay serves both the plan preview and a service judging a new check-in: feedback is
evaluated (``decisions.decide``) exactly when the replay reaches its date, against the session
planned there, and its effects shape every later session.

Choices where COACHING.md is silent:

- Weeks are 7-day windows from ``start``, the day coaching began; P7's first two weeks and
  C3's first three weeks count from it. Any weekday may start a plan.
- P4 with no trail runs is treated like one run (a control and a short heavier session); one
  session a week keeps the more demanding kind of the pair (heavy, or focused).
- When P2 (with C5's extra day) leaves fewer valid days than sessions, the week gets fewer
  sessions and a P2 change says so (again only when the shortfall changes). Days are never
  forced; a day blocked only by the race is explained by P6 instead.
- Sessions are never moved to make up for a missed one (P9). A session is ``missed`` when it
  is before ``as_of`` (or before the latest history entry) with no feedback. Future sessions
  are assumed to happen for P3's "first four weeks of Nordic work" and P9's two-week gap, but
  only reported sessions progress (P8/C4): the plan shows today's level for the weeks ahead.
- P9 steps back once per gap, at the first strength session after it; recovery sessions do not
  count as strength work.
- No progression in taper, race and recovery weeks ("no new heavy stimulus").
- Heavy eccentric work is Nordics, or eccentric exercises carrying external load; P3 allows at
  most ``heavy_sessions_per_week`` (one) session with it per week.
- C7 drops every session from the red flag on, until a ``Resumed`` event; then the rest of that
  week is laid out again, and the P9 gap rule usually steps exercises back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from bot.coaching.decisions import (
    NO_ADJUSTMENT,
    CheckinContext,
    Decision,
    decide,
    is_new_eccentric,
    next_run,
)
from bot.coaching.feedback import Feedback, HistoryEvent, PainSite, Resumed
from bot.coaching.library import Exercise, Family, Library, library
from bot.coaching.model import Change, Plan, Session, SessionKind, SessionStatus, Week
from bot.coaching.phases import Phase, phase_for, race_blocks
from bot.coaching.placement import choose_days, heavy_allowed, strength_allowed
from bot.coaching.profile import DayKind, Experience, Profile
from bot.coaching.progression import Progress
from bot.coaching.rules import RuleSettings, ordered, rules
from bot.coaching.sessions import Brief, compose

DAY = timedelta(days=1)
DEMANDING = (SessionKind.HEAVY, SessionKind.FOCUSED)
NO_PROGRESSION = (Phase.TAPER, Phase.RACE, Phase.RECOVERY)
LIGHT_KINDS = (SessionKind.CONTROL, SessionKind.MAINTENANCE)
SHORT_KINDS = (SessionKind.FOCUSED, SessionKind.MAINTENANCE)


def plan(
    profile: Profile,
    *,
    start: date,
    weeks: int,
    history: Sequence[HistoryEvent] = (),
    as_of: date | None = None,
) -> Plan:
    """Plan ``weeks`` weeks from ``start``, replaying ``history`` (feedback and resumes)."""
    return _Replay(profile, start, history, as_of, library(), rules()).run(weeks)


def decide_feedback(
    profile: Profile,
    *,
    start: date,
    history: Sequence[HistoryEvent],
    feedback: Feedback,
    as_of: date | None = None,
) -> Decision:
    """The decision for one new feedback entry, given the history before it."""
    weeks = max(1, (feedback.date - start).days // 7 + 1)
    replayed = plan(profile, start=start, weeks=weeks, history=(*history, feedback), as_of=as_of)
    return next(d for d in reversed(replayed.decisions) if d.date == feedback.date)


class _Replay:
    """The mutable state of one replay; ``run`` returns the frozen plan."""

    def __init__(
        self,
        profile: Profile,
        start: date,
        history: Sequence[HistoryEvent],
        as_of: date | None,
        library: Library,
        settings: RuleSettings,
    ) -> None:
        self.profile, self.start, self.library, self.settings = profile, start, library, settings
        self.events = sorted(history, key=lambda event: event.date)
        self.cursor = 0
        self.feedback_on = {e.date: e for e in self.events if isinstance(e, Feedback)}
        latest = self.events[-1].date + DAY if self.events else start
        self.known_until = max(as_of or start, latest)
        self.progress = Progress(library, profile)
        self.keep_away: frozenset[DayKind] = frozenset()  # C5
        self.adjustment = NO_ADJUSTMENT  # for the next session held
        self.nordic_blocked = False  # C6
        self.paused = False  # C7
        self.streaks: dict[PainSite, int] = {}
        self.last_scores: dict[PainSite, int] = {}
        self.last_strength: date | None = None  # P9
        self.stepped_back_after: date | None = None
        self.nordic_since: date | None = None  # P3
        self.week_heavy = 0
        self.last_session: date | None = None
        self.shortfall = 0
        self.rotation = 0
        self.changes: list[Change] = []
        self.decisions: list[Decision] = []

    def run(self, weeks: int) -> Plan:
        """Replay the whole horizon and return the plan."""
        for event in self._take(self.start - DAY):
            self._event(event, None, Phase.BUILD)
        if self.profile.experience is Experience.NONE and self.settings.first_weeks:
            self._change(self.start, {"P7"})
        planned, previous = [], Phase.BUILD
        for index in range(weeks):
            week_start = self.start + index * 7 * DAY
            phase = phase_for(week_start, self.profile.race_date, self.settings)
            if phase is not previous:
                self._change(week_start, {"P6"})
            previous = phase
            planned.append(self._week(index, week_start, phase))
        for event in self._take(date.max):
            self._event(event, None, previous)
        return Plan(tuple(planned), tuple(self.changes), self.paused, tuple(self.decisions))

    # -- weeks and days ---------------------------------------------------------------------

    def _kinds(self, index: int, phase: Phase) -> list[SessionKind]:
        """P4 week composition, shaped by P6 phases and P7's first weeks; most demanding first."""
        if phase in (Phase.TAPER, Phase.RACE):
            return [SessionKind.MAINTENANCE]
        if phase is Phase.RECOVERY:
            return [SessionKind.RECOVERY] * self.profile.sessions_per_week
        if self._first_weeks(index):
            return [SessionKind.CONTROL] * self.settings.first_weeks_sessions
        if self.profile.trail_runs <= 1:
            pair = [SessionKind.HEAVY, SessionKind.CONTROL]
        else:
            pair = [SessionKind.FOCUSED, SessionKind.MAINTENANCE]
        return pair[: self.profile.sessions_per_week]

    def _first_weeks(self, index: int) -> bool:
        return self.profile.experience is Experience.NONE and index < self.settings.first_weeks

    def _week(self, index: int, week_start: date, phase: Phase) -> Week:
        kinds = self._kinds(index, phase)
        days = [week_start + offset * DAY for offset in range(7)]
        self.week_heavy = 0
        self._note_shortfall(week_start, days, len(kinds))
        slots = self._layout(days, kinds, week_start, phase)
        sessions: list[Session] = []
        placed: list[SessionKind] = []
        for day in days:
            today = self._take(day)
            if any(isinstance(e, Resumed) for e in today) and self.paused:
                self.paused = False
                self.streaks, self.adjustment = {}, NO_ADJUSTMENT
                slots = self._relayout(days, kinds, placed, day, week_start, phase)
            session = None
            if day in slots and not self.paused:
                placed.append(slots[day])
                session = self._session(day, slots[day], index, phase)
                sessions.append(session)
            for event in today:
                if isinstance(event, Feedback) and self._event(event, session, phase):
                    slots = self._relayout(days, kinds, placed, day + DAY, week_start, phase)
        return Week(week_start, phase, tuple(sessions))

    def _free(self, days: Sequence[date], week_start: date) -> list[date]:
        """Days that may hold strength work: P2 with C5, and the race (P6)."""
        week, race = self.profile.week, self.profile.race_date
        return [
            day
            for day in days
            if strength_allowed(week, day.weekday(), self.keep_away)
            and not race_blocks(day, week_start, race, self.settings)
        ]

    def _layout(
        self, days: Sequence[date], kinds: Sequence[SessionKind], week_start: date, phase: Phase
    ) -> dict[date, SessionKind]:
        chosen = choose_days(
            self._free(days, week_start),
            kinds,
            self.last_session,
            lambda day: self._heavy_ok(day, phase),
            lambda day: self.profile.day(day) is DayKind.EASY,
        )
        return dict(chosen)

    def _relayout(
        self,
        days: Sequence[date],
        kinds: Sequence[SessionKind],
        placed: Sequence[SessionKind],
        since: date,
        week_start: date,
        phase: Phase,
    ) -> dict[date, SessionKind]:
        """Lay out the sessions not yet placed this week on the days from ``since``."""
        remaining = list(kinds)
        for kind in placed:
            remaining.remove(kind)
        return self._layout([d for d in days if d >= since], remaining, week_start, phase)

    def _note_shortfall(self, week_start: date, days: Sequence[date], wanted: int) -> None:
        """P2 leaves too few days: plan fewer sessions and say so (when that changes)."""
        week = self.profile.week
        valid = sum(strength_allowed(week, day.weekday(), self.keep_away) for day in days)
        shortfall = max(0, wanted - valid)
        if shortfall and shortfall != self.shortfall:
            self._change(week_start, {"P2"})
        self.shortfall = shortfall

    def _heavy_ok(self, day: date, phase: Phase) -> bool:
        """P3 (48 h, 72 h in the first weeks of Nordic work, once a week), P6 and C6."""
        settings = self.settings
        if (
            phase in NO_PROGRESSION
            or self.nordic_blocked
            or self.week_heavy >= settings.heavy_sessions_per_week
        ):
            return False
        since = self.nordic_since
        new = since is None or (day - since).days < 7 * settings.unaccustomed_weeks
        hours = settings.heavy_hours_unaccustomed if new else settings.heavy_hours
        return heavy_allowed(self.profile.week, day.weekday(), hours, self.keep_away)

    # -- sessions ---------------------------------------------------------------------------

    def _session(self, day: date, kind: SessionKind, index: int, phase: Phase) -> Session:
        rule_ids = {"P1", "P2"}
        status = self._status(day)
        happens = status in (SessionStatus.DONE, SessionStatus.PLANNED)
        if happens and kind is not SessionKind.RECOVERY and self._detrained(day):
            rule_ids.add("P9")
        short = self.profile.trail_runs >= 4 and kind in SHORT_KINDS  # P4: both short
        brief = Brief(
            kind=kind,
            light=kind in LIGHT_KINDS or short or phase is not Phase.BUILD,
            heavy_ok=self._heavy_ok(day, phase),
            rotation=self.rotation,
            adjustment=self.adjustment,
        )
        self.rotation += 1
        exercises, shaped_by = compose(brief, self.progress, self.library, self.settings)
        if happens:
            self.adjustment = NO_ADJUSTMENT  # C2, C5, C6 shape only the next session held
            self.last_session = day
        if exercises[0].exercise.family is Family.RECOVERY:
            kind = SessionKind.RECOVERY
        rule_ids |= shaped_by
        rule_ids.add("P6" if phase is not Phase.BUILD else "P4")
        if self.profile.experience is Experience.NONE:
            rule_ids.add("P7")
        heavy = any(item.heavy_eccentric for item in exercises)
        self.week_heavy += heavy
        strength = kind is not SessionKind.RECOVERY
        if strength and happens:
            self.last_strength = day
            if heavy and self.nordic_since is None:
                self.nordic_since = day
        minutes = self.settings.minutes["short" if short and strength else kind]
        return Session(
            date=day,
            kind=kind,
            minutes=minutes,
            exercises=exercises,
            rules=ordered(rule_ids),
            status=status,
            after_run=self.profile.day(day) is DayKind.EASY,
        )

    def _status(self, day: date) -> SessionStatus:
        feedback = self.feedback_on.get(day)
        if feedback is not None:
            return SessionStatus.DONE if feedback.done else SessionStatus.SKIPPED
        if day < self.known_until:
            self._change(day, {"P9"})  # missed: dropped, not crammed
            return SessionStatus.MISSED
        return SessionStatus.PLANNED

    def _detrained(self, day: date) -> bool:
        """P9: two weeks or more without strength work step every exercise back, once."""
        last = self.last_strength
        if last is None or last == self.stepped_back_after:
            return False
        if (day - last).days < 7 * self.settings.detraining_weeks:
            return False
        self.progress.step_back()
        self.stepped_back_after = last
        self._change(day, {"P9"})
        return True

    # -- history ----------------------------------------------------------------------------

    def _take(self, until: date) -> list[HistoryEvent]:
        """The history events up to and including ``until`` not yet replayed."""
        taken = []
        while self.cursor < len(self.events) and self.events[self.cursor].date <= until:
            taken.append(self.events[self.cursor])
            self.cursor += 1
        return taken

    def _event(self, event: HistoryEvent, session: Session | None, phase: Phase) -> bool:
        """Replay one event; True when the rest of the week must be laid out again (C5)."""
        if isinstance(event, Resumed):
            if self.paused:
                self.paused, self.streaks, self.adjustment = False, {}, NO_ADJUSTMENT
            return False
        return self._checkin(event, session, phase)

    def _checkin(self, feedback: Feedback, session: Session | None, phase: Phase) -> bool:
        exercises: tuple[Exercise, ...] = ()
        if session is not None and session.kind is not SessionKind.RECOVERY:
            exercises = tuple(item.exercise for item in session.exercises)
        context = CheckinContext(
            week_no=(feedback.date - self.start).days // 7 + 1,
            exercises=exercises,
            new_eccentric=is_new_eccentric(exercises, self.progress.seen),
            last_scores=self.last_scores,
            streaks=self.streaks,
            next_run=next_run(self.profile, feedback.date),
            paused=self.paused,
        )
        decision = decide(feedback, context, self.settings)
        if decision.progress and phase in NO_PROGRESSION:
            decision = replace(decision.adding(frozenset({"P6"}), self.settings), progress=False)
        if decision.progress:
            advanced = frozenset().union(
                *(self.progress.advance(exercise, feedback.hips_level) for exercise in exercises)
            )
            decision = decision.adding(advanced, self.settings)
        if feedback.done:
            self.progress.seen.update(exercise.id for exercise in exercises)
        self.streaks = {site: self.streaks.get(site, 0) + 1 for site in decision.concerns}
        self.last_scores.update((report.where, report.score) for report in feedback.pain)
        self.adjustment = decision.next
        if decision.nordic_block is not None:
            self.nordic_blocked = decision.nordic_block
        self.paused = self.paused or decision.pause
        self.decisions.append(decision)
        if decision.rules:
            self.changes.append(Change(feedback.date, decision.rules, decision.message))
        moved = decision.keep_away is not None and decision.keep_away not in self.keep_away
        if decision.keep_away is not None:
            self.keep_away |= {decision.keep_away}
        return moved

    def _change(self, day: date, rule_ids: set[str]) -> None:
        kept = ordered(rule_ids)
        why = " ".join(self.settings.why[rule] for rule in kept)
        self.changes.append(Change(day, kept, why))
