"""The planner: week plans from a profile, replaying the runner's history day by day.

One replay serves both the plan preview and a service judging a new check-in: feedback is
evaluated (``decisions.decide``) exactly when the replay reaches its date, against the session
planned there, and its effects shape every later session.

A replay can also start at a checkpoint (``resume``: the state at the start of a plan week,
``bot.coaching.checkpoint``) of the same profile and start whose earlier history is
unchanged: the plan then holds the weeks from there, and the changes and decisions dated
from its day on, exactly as a full replay would have them; history before it is ignored.
``keep`` asks for the checkpoint of the latest week after the first starting by that day
whose history is known.

Choices where COACHING.md is silent:

- Weeks are 7-day windows from ``start``, the day coaching began; P7's weeks, C3's first
  three weeks count from it. Any weekday may start a plan.
- P4 with no trail runs is treated like one run (a control and a short heavier session); one
  session a week keeps the more demanding kind of the pair (heavy, or focused).
- Phases go by the day, counted back from race day (P6), and each change is noted on its own
  day; a taper day holds a short maintenance session, one in each 7-day window before the
  race; the recovery week is the seven days after race day, whatever its weekday.
- When P2 leaves fewer valid days than sessions, the week gets fewer sessions and a P2 change
  says so; when it leaves none, the Floor change names the least bad option. C5's extra
  distance is a preference that yields rather than removing a session (the Floor).
- Sessions are never moved to make up for a missed one (P9). A session is ``missed`` when it
  is before ``as_of`` (or before the latest report) with no log of it done or skipped: a
  check-in alone (``Completed.NOT_LOGGED``) never counts as done. A profile change or a
  resumption reports nothing: dated tomorrow, it leaves tomorrow's session planned. Future
  sessions are assumed to happen for P3's "first four weeks of Nordic work" and P9's two-week
  gap, but only reported sessions progress (P8/C4): the plan shows today's level for the weeks
  ahead.
- P9 steps back once per gap, at the first strength session after it; recovery sessions do not
  count as strength work, and the race rest and recovery week P6 prescribes do not count as
  time off (by the race of each day as it was lived: a new race does not turn the last
  race's recovery week into a gap): P9 is about missed sessions and time off, not the plan's
  own taper. A skipped
  or missed session starts the two-for-two count (P10) of its exercises again, like a
  session that did not pass C4.
- No progression in maintain, taper, race and recovery days, nor in a lighter week (P6, P11).
- P6's maintain cuts volume as P11's lighter week does, one set off every exercise, for every
  session kind (short ones too); a maintain day in a lighter week loses one set, not two.
- Heavy eccentric work is Nordics, or eccentric exercises carrying external load; P3 allows at
  most ``heavy_sessions_per_week`` (one) session with it per week. A runner whose week never
  leaves 72 h before a long or hard run never gets Nordics: their ladder ends before them.
- ``profile`` is the runner's profile on ``start``; a ``ProfileChanged`` event (a new week,
  kit, race, sessions a week...) takes over from its day: the rest of that week is laid out
  again with the new profile, and every exercise keeps the step, dose and two-for-two count
  it had reached (``Progress.refit``). Days before it keep what was planned then.
- ``real`` (``bot.coaching.real_week``): versions of the runner's real week, each taking over
  from its ``since``: the days it names take their kind from it instead of the declared week
  and, like a profile change, the rest of the plan week is laid out again from that day (so
  the days before it keep what the version before planned). Every rule reads a day's kind the
  same way (P2, P3, P12, C5's next run), and P4 counts the trail runs of each week from those
  days unless the runner gave their own count. A version is expected to start after any
  checkpoint resumed from (a replan's first open day does).
- C7 drops every session from the red flag on, until a ``Resumed`` event; then the rest of that
  week is laid out again, the first session back is a control session, and the adjustment
  open at the red flag holds until a check-in replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from bot.coaching.checkpoint import (
    Checkpoint,
    adjustment_json,
    adjustment_of,
    day_of,
    iso,
    key_of,
)
from bot.coaching.decisions import (
    NO_ADJUSTMENT,
    CheckinContext,
    Decision,
    Moved,
    decide,
    felt_too_hard,
    is_new_eccentric,
    next_run,
)
from bot.coaching.duration import session_minutes
from bot.coaching.explain import phase_note
from bot.coaching.feedback import (
    Completed,
    Feedback,
    HistoryEvent,
    PainSite,
    ProfileChanged,
    Resumed,
)
from bot.coaching.inputs import profile_from_dict, profile_to_dict
from bot.coaching.library import Exercise, Family, Library, library
from bot.coaching.model import (
    Change,
    Plan,
    Prescription,
    Session,
    SessionKind,
    SessionStatus,
    Week,
)
from bot.coaching.phases import Phase, phase_on, taper_window
from bot.coaching.placement import (
    DayRules,
    choose_days,
    days_to_quality,
    heavy_allowed,
    strength_allowed,
)
from bot.coaching.profile import DayKind, Equipment, Experience, Profile
from bot.coaching.progression import Progress
from bot.coaching.real_week import RealWeek, days_ahead, kind_on
from bot.coaching.rules import RuleSettings, ordered, rules
from bot.coaching.sessions import Brief, compose

DAY = timedelta(days=1)
NO_PROGRESSION = (Phase.MAINTAIN, Phase.TAPER, Phase.RACE, Phase.RECOVERY)
PRESCRIBED_REST = (Phase.RACE, Phase.RECOVERY)  # P6's own days without strength work
LIGHT_KINDS = (SessionKind.CONTROL, SessionKind.MAINTENANCE)
SHORT_KINDS = (SessionKind.FOCUSED, SessionKind.MAINTENANCE)
NO_KEEP_AWAY: frozenset[DayKind] = frozenset()


def plan(
    profile: Profile,
    *,
    start: date,
    weeks: int,
    history: Sequence[HistoryEvent] = (),
    as_of: date | None = None,
    resume: Checkpoint | None = None,
    keep: date | None = None,
    real: Sequence[RealWeek] = (),
) -> Plan:
    """Plan ``weeks`` weeks from ``start``, replaying ``history`` (or resuming: see above);
    ``real``: the versions of the runner's real week, each from its ``since`` on."""
    replay = _Replay(profile, start, history, as_of, library(), rules(), real)
    return replay.run(weeks, resume, keep)


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


def nordics_fit(profile: Profile, settings: RuleSettings) -> bool:
    """Whether any day of the usual week can hold a first Nordic session (P3, P2)."""
    week = profile.week
    return any(
        strength_allowed(week, weekday, NO_KEEP_AWAY)
        and heavy_allowed(week, weekday, settings.heavy_hours_unaccustomed, NO_KEEP_AWAY)
        for weekday in range(7)
    )


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
        real: Sequence[RealWeek] = (),
    ) -> None:
        self.profile, self.start, self.library, self.settings = profile, start, library, settings
        self.real_weeks = sorted(real, key=lambda version: version.since)  # still to reach
        self.real: Mapping[date, DayKind] = {}  # the real week's days, once the replay is there
        self.week_runs = profile.trail_runs  # P4: this plan week's trail runs
        self.initial = profile  # what the checkpoint key names; ``ProfileChanged`` moves on
        self.events = sorted(history, key=lambda event: event.date)
        self.cursor = 0
        self.feedback_on = {e.date: e for e in self.events if isinstance(e, Feedback)}
        reported = [event.date for event in self.events if isinstance(event, Feedback)]
        latest = max(reported) + DAY if reported else start  # a change of plan reports nothing
        self.known_until = max(as_of or start, latest)
        self.progress = Progress(library, profile, settings, nordics=nordics_fit(profile, settings))
        self.keep_away: dict[DayKind, date] = {}  # C5: run kind -> last day of the distance
        self.adjustment = NO_ADJUSTMENT  # for the next session held
        self.nordic_blocked = False  # C6
        self.paused = False  # C7
        self.control_next = False  # C7: the first session back is a control session
        self.reported: dict[PainSite, int] = {}  # C7: check-ins in a row naming each site
        self.reducing: dict[PainSite, int] = {}  # C2, C12: load-reducing check-ins in a row
        self.last_scores: dict[PainSite, int] = {}
        self.last_strength: date | None = None  # P9
        self.rest_lived = 0  # P9: P6's own rest days lived since then, by the race of each day
        self.stepped_back_after: date | None = None
        self.nordic_since: date | None = None  # P3
        self.nordic_started = False  # C10: a session with a Nordic has happened
        self.hard_before = False  # C4: the last strength session felt harder than RPE 7
        self.week_heavy = 0
        self.last_session: date | None = None
        self.valid_days = 7
        self.taper_windows: set[int] = set()  # P6: the taper windows holding a session
        self.build_weeks = 0  # P11
        self.rotation = 0
        self.previous = Phase.BUILD  # the phase of the week before
        self.changes: list[Change] = []
        self.decisions: list[Decision] = []

    def run(self, weeks: int, resume: Checkpoint | None, keep: date | None) -> Plan:
        """Replay the horizon (from ``resume``'s week, if given) and return the plan."""
        first = self._resume_at(resume) if resume else self._begin()
        kept = self._checkpoint_week(weeks, keep)
        checkpoint = resume if resume and resume.week == kept else None
        planned = []
        for index in range(first, weeks):
            week_start = self.start + index * 7 * DAY
            if index == kept and checkpoint is None:
                checkpoint = self._checkpoint(index, week_start)
            phase = self._note_phase(week_start)
            lighter = self._lighter_week(phase)
            if lighter:
                self._change(week_start, {"P11"})
            planned.append(self._week(index, week_start, phase, lighter))
        for event in self._take(date.max):
            self._event(event, None, lighter=False)
        return Plan(
            tuple(planned),
            tuple(self.changes),
            self.paused,
            tuple(self.decisions),
            checkpoint,
        )

    def _begin(self) -> int:
        """Replay what came before the first week; the first week to plan is week 0."""
        for event in self._take(self.start - DAY):
            self._event(event, None, lighter=False)
        if self.profile.experience is Experience.NONE and self.settings.first_weeks:
            self._change(self.start, {"P7"})
        elif self._lifter():
            self._change(self.start, {"P13"})
        return 0

    def _checkpoint_week(self, weeks: int, keep: date | None) -> int | None:
        """The last week after the first starting by ``keep`` whose history is known, if any."""
        if keep is None:
            return None
        index = min(weeks - 1, (min(keep, self.known_until) - self.start).days // 7)
        return index if index > 0 else None

    def _checkpoint(self, index: int, week_start: date) -> Checkpoint:
        """The state now, before week ``index`` is planned."""
        progress = self.progress.snapshot()
        state: dict[str, Any] = {
            "progress": progress,
            "keep_away": {kind.value: until.isoformat() for kind, until in self.keep_away.items()},
            "adjustment": adjustment_json(self.adjustment),
            "flags": [
                self.nordic_blocked,
                self.paused,
                self.control_next,
                self.nordic_started,
                self.hard_before,
            ],
            "reported": {site.value: count for site, count in self.reported.items()},
            "reducing": {site.value: count for site, count in self.reducing.items()},
            "last_scores": {site.value: score for site, score in self.last_scores.items()},
            "days": [
                iso(day)
                for day in (
                    self.last_strength,
                    self.stepped_back_after,
                    self.nordic_since,
                    self.last_session,
                )
            ],
            "counts": [self.valid_days, self.build_weeks, self.rotation, self.rest_lived],
            "taper_windows": sorted(self.taper_windows),
            "previous": self.previous.value,
        }
        state["profile"] = profile_to_dict(self.profile)
        return Checkpoint(key_of(self.initial, self.start), index, week_start, state)

    def _resume_at(self, checkpoint: Checkpoint) -> int:
        """Take back a checkpoint's state, skip the history before it; its week comes next."""
        if not checkpoint.fits(self.profile, self.start):
            raise ValueError("checkpoint: taken for another profile or start day")
        state = checkpoint.state
        self.profile = profile_from_dict(state["profile"])
        self.progress.restore(state["progress"])
        self.progress.refit(self.profile, nordics=nordics_fit(self.profile, self.settings))
        self.keep_away = {
            DayKind(kind): date.fromisoformat(until) for kind, until in state["keep_away"].items()
        }
        self.adjustment = adjustment_of(state["adjustment"])
        (
            self.nordic_blocked,
            self.paused,
            self.control_next,
            self.nordic_started,
            self.hard_before,
        ) = state["flags"]
        self.reported = {PainSite(site): n for site, n in state["reported"].items()}
        self.reducing = {PainSite(site): n for site, n in state["reducing"].items()}
        self.last_scores = {PainSite(site): n for site, n in state["last_scores"].items()}
        days = [day_of(text) for text in state["days"]]
        self.last_strength, self.stepped_back_after, self.nordic_since, self.last_session = days
        self.valid_days, self.build_weeks, self.rotation, self.rest_lived = state["counts"]
        self.taper_windows = set(state["taper_windows"])
        self.previous = Phase(state["previous"])
        self._take(checkpoint.day - DAY)
        self.known_until = max(self.known_until, checkpoint.day)  # it was taken on known days
        return checkpoint.week

    def _lifter(self) -> bool:
        profile = self.profile
        return profile.experience is Experience.REGULAR and Equipment.WEIGHTS in profile.equipment

    def _lighter_week(self, phase: Phase) -> bool:
        """P11: every fourth week of continuous build; taper, race and recovery reset it."""
        if phase is Phase.BUILD:
            self.build_weeks += 1
            return self.build_weeks % self.settings.lighter_every == 0
        if phase is not Phase.MAINTAIN:
            self.build_weeks = 0
        return False

    # -- weeks and days ---------------------------------------------------------------------

    def _note_phase(self, day: date) -> Phase:
        """P6: the phase of ``day``; a change of phase is noted, named, on its own day."""
        phase = self._phase(day)
        if phase is not self.previous:
            note = phase_note(phase, day, self.profile.race_date)
            self.changes.append(Change(day, ("P6",), note))
        self.previous = phase
        return phase

    def _kinds(self, index: int, phase: Phase) -> list[SessionKind]:
        """P4 week composition, shaped by P6 phases and P7's first weeks; most demanding first.

        Recovery goes by the day (``_day_kind``), so a race mid-week gives seven days of it.
        """
        per_week = self.profile.sessions_per_week
        if self._beginner(index, self.settings.first_weeks):
            return [SessionKind.CONTROL] * self.settings.first_weeks_sessions
        if self._beginner(index, self.settings.gentle_weeks):
            return [SessionKind.CONTROL] * per_week
        if phase in (Phase.TAPER, Phase.RACE):
            return [SessionKind.MAINTENANCE] * per_week
        if self.week_runs <= 1:
            pair = [SessionKind.HEAVY, SessionKind.CONTROL]
        else:
            pair = [SessionKind.FOCUSED, SessionKind.MAINTENANCE]
        return pair[:per_week]

    def _beginner(self, index: int, weeks: int) -> bool:
        return self.profile.experience is Experience.NONE and index < weeks

    def _phase(self, day: date) -> Phase:
        return phase_on(day, self.profile.race_date, self.settings)

    def _week(self, index: int, week_start: date, phase: Phase, lighter: bool) -> Week:
        days = [week_start + offset * DAY for offset in range(7)]
        self._reach_real_week(week_start)
        self._count_runs(days)
        kinds = self._kinds(index, phase)
        self.week_heavy = 0
        self._note_shortfall(week_start, days, len(kinds))
        slots = self._layout(days, kinds)
        sessions: list[Session] = []
        placed: list[SessionKind] = []
        for day in days:
            self._note_phase(day)
            today = self._take(day)
            changed = [e.profile for e in today if isinstance(e, ProfileChanged)]
            if changed:
                self._refit(changed[-1])
                kinds = self._kinds(index, phase)
                self._note_shortfall(day, days, len(kinds))
                slots = self._relayout(days, kinds, placed, day)
            if any(isinstance(e, Resumed) for e in today) and self.paused:
                self._resume()
                slots = self._relayout(days, kinds, placed, day)
            if self._reach_real_week(day):
                self._note_shortfall(day, days, len(kinds))
                slots = self._relayout(days, kinds, placed, day)
            self.rest_lived += self._phase(day) in PRESCRIBED_REST
            session = None
            if day in slots and not self.paused:
                placed.append(slots[day])
                session = self._session(day, slots[day], index, lighter)
                sessions.append(session)
            for event in today:
                if isinstance(event, Feedback) and self._event(event, session, lighter):
                    slots = self._relayout(days, kinds, placed, day + DAY)
        return Week(week_start, phase, tuple(sessions))

    def _reach_real_week(self, day: date) -> bool:
        """From each version's first day on, its days take over; True on reaching one."""
        reached = False
        while self.real_weeks and self.real_weeks[0].since <= day:
            self.real = self.real_weeks.pop(0).days
            reached = True
        return reached

    def _count_runs(self, days: Sequence[date]) -> None:
        """P4's trail runs for this plan week: the runner's own count, else its running days
        (the usual week's, or the real week's where it names them)."""
        profile = self.profile
        if not self.real or profile.trail_runs_per_week is not None:
            self.week_runs = profile.trail_runs
        else:
            self.week_runs = sum(self._kind(day) is not DayKind.REST for day in days)

    def _kind(self, day: date) -> DayKind:
        """The kind of ``day``: from the real week where it names it, else the usual week."""
        return kind_on(self.profile, self.real, day)

    def _view(self, day: date) -> tuple[tuple[DayKind, ...], int]:
        """The days the placement rules read from ``day`` on, and ``day``'s index in them:
        the usual week by weekday, or the real days ahead from index 0."""
        if not self.real:
            return self.profile.week, day.weekday()
        return days_ahead(self.profile, self.real, day), 0

    def _allowed(self, day: date, keep_away: frozenset[DayKind] = NO_KEEP_AWAY) -> bool:
        """P2 (and C5's extra distance from ``keep_away``) for ``day``."""
        return strength_allowed(*self._view(day), keep_away)

    def _free(self, days: Sequence[date]) -> list[date]:
        """Days that may hold strength work: P2, and not in the last days before the race."""
        return [day for day in days if self._allowed(day) and self._phase(day) is not Phase.RACE]

    def _kept(self, day: date) -> frozenset[DayKind]:
        """The run kinds C5 still keeps strength an extra day away from on ``day``."""
        return frozenset(kind for kind, until in self.keep_away.items() if day <= until)

    def _layout(
        self, days: Sequence[date], kinds: Sequence[SessionKind], *, week_empty: bool = True
    ) -> dict[date, SessionKind]:
        day_rules = DayRules(
            heavy_ok=self._heavy_ok,
            kept_away=lambda day: not self._allowed(day, self._kept(day)),
            easy_day=lambda day: self._kind(day) is DayKind.EASY,
            distance=lambda day: days_to_quality(*self._view(day)),
            window=self._taper_window,
        )
        chosen = choose_days(
            self._free(days),
            kinds,
            self.last_session,
            day_rules,
            frozenset(self.taper_windows),
            week_empty=week_empty,
        )
        return dict(chosen)

    def _taper_window(self, day: date) -> int | None:
        """The 7-day taper window before race day holding ``day``, if it is a taper day."""
        if self._phase(day) is not Phase.TAPER:
            return None
        return taper_window(day, self.profile.race_date)

    def _relayout(
        self,
        days: Sequence[date],
        kinds: Sequence[SessionKind],
        placed: Sequence[SessionKind],
        since: date,
    ) -> dict[date, SessionKind]:
        """Lay out the sessions not yet placed this week on the days from ``since``."""
        remaining = list(kinds)
        for kind in placed:  # a new profile may have asked for other kinds: drop the lightest
            if kind in remaining:
                remaining.remove(kind)
            elif remaining:
                remaining.pop()
        return self._layout([d for d in days if d >= since], remaining, week_empty=not placed)

    def _note_shortfall(self, since: date, days: Sequence[date], wanted: int) -> None:
        """P2 leaves too few days: fewer sessions, and say so (from ``since``); none: the
        Floor."""
        valid = sum(self._allowed(day) for day in days)
        if valid != self.valid_days and valid < wanted:
            self._change(since, {"Floor"} if valid == 0 else {"P2"})
        self.valid_days = valid

    def _heavy_ok(self, day: date) -> bool:
        """P3 (48 h, 72 h in the first weeks of Nordic work, once a week), P6 and C6."""
        settings = self.settings
        if (
            self._phase(day) not in (Phase.BUILD, Phase.MAINTAIN)
            or self.nordic_blocked
            or self.week_heavy >= settings.heavy_sessions_per_week
        ):
            return False
        since = self.nordic_since
        new = since is None or (day - since).days < 7 * settings.unaccustomed_weeks
        hours = settings.heavy_hours_unaccustomed if new else settings.heavy_hours
        return heavy_allowed(*self._view(day), hours, self._kept(day))

    # -- sessions ---------------------------------------------------------------------------

    def _day_kind(self, day: date, kind: SessionKind, index: int) -> SessionKind:
        """The week's kind for this day: recovery after the race, maintenance in the taper."""
        phase = self._phase(day)
        if phase is Phase.RECOVERY:
            return SessionKind.RECOVERY
        if phase is Phase.TAPER and not self._beginner(index, self.settings.gentle_weeks):
            return SessionKind.MAINTENANCE
        return kind

    def _session(self, day: date, kind: SessionKind, index: int, lighter: bool) -> Session:
        rule_ids = {"P1", "P2", "P12"}
        status = self._status(day)
        happens = status in (SessionStatus.DONE, SessionStatus.PLANNED)
        kind = self._day_kind(day, kind, index)
        if self.control_next and kind is not SessionKind.RECOVERY:
            kind = SessionKind.CONTROL  # C7: a graded return
            rule_ids.add("C7")
        if happens and kind is not SessionKind.RECOVERY and self._detrained(day):
            rule_ids.add("P9")
        phase = self._phase(day)
        short = (self.week_runs >= 4 and kind in SHORT_KINDS) or phase is Phase.TAPER
        brief = Brief(
            kind=kind,
            light=kind in LIGHT_KINDS or short,
            heavy_ok=self._heavy_ok(day),
            eccentric_ok=self._kind(day + DAY) is not DayKind.LONG,
            set_off="P11" if lighter else "P6" if phase is Phase.MAINTAIN else None,
            first_nordic=not self.nordic_started,
            whole=phase is Phase.BUILD and not lighter and not short,
            rotation=self.rotation,
            adjustment=self.adjustment,
        )
        self.rotation += 1
        exercises, shaped_by = compose(brief, self.progress, self.library, self.settings)
        if status is SessionStatus.MISSED:
            self._missed(exercises)
        window = self._taper_window(day)
        if window is not None:
            self.taper_windows.add(window)
        if happens:
            if not self.adjustment.sticky:
                self.adjustment = NO_ADJUSTMENT  # C2, C5, C6 shape only the next session held
            self.last_session = day
            self.control_next = False
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
            self.last_strength, self.rest_lived = day, 0
            if heavy and self.nordic_since is None:
                self.nordic_since = day
            self.nordic_started |= any(item.exercise.heavy for item in exercises)
        warm_up = self.settings.warm_up_minutes if strength else 0
        return Session(
            date=day,
            kind=kind,
            minutes=session_minutes(exercises, warm_up),
            exercises=exercises,
            rules=ordered(rule_ids),
            status=status,
            after_run=self._kind(day) is DayKind.EASY,
            warm_up=self.settings.warm_up if strength else (),
        )

    def _missed(self, exercises: Sequence[Prescription]) -> None:
        """A missed strength session breaks 'in a row': P10's count, C4's hard sessions."""
        for item in exercises:
            self.progress.hold(item.exercise)
        if exercises[0].exercise.family is not Family.RECOVERY:
            self.hard_before = False

    def _status(self, day: date) -> SessionStatus:
        feedback = self.feedback_on.get(day)
        if feedback is not None and feedback.done:
            return SessionStatus.DONE
        if feedback is not None and feedback.completed is Completed.SKIPPED:
            return SessionStatus.SKIPPED
        if day < self.known_until:  # a check-in alone is no log: the session counts as missed
            return SessionStatus.MISSED  # dropped, not crammed (P9)
        return SessionStatus.PLANNED

    def _detrained(self, day: date) -> bool:
        """P9: two weeks or more without strength work step every exercise back, once."""
        last = self.last_strength
        if last is None or last == self.stepped_back_after:
            return False
        if (day - last).days - self.rest_lived < 7 * self.settings.detraining_weeks:
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

    def _event(self, event: HistoryEvent, session: Session | None, lighter: bool) -> bool:
        """Replay one event; True when the rest of the week must be laid out again (C5)."""
        if isinstance(event, Resumed):
            if self.paused:
                self._resume()
            return False
        if isinstance(event, ProfileChanged):
            self._refit(event.profile)
            return False
        return self._checkin(event, session, lighter)

    def _refit(self, profile: Profile) -> None:
        """A new week, kit, race or the like from today on: progress stays the runner's."""
        self.profile = profile
        self.progress.refit(profile, nordics=nordics_fit(profile, self.settings))

    def _resume(self) -> None:
        """C7: the runner is cleared; the open adjustment stays until a check-in clears it."""
        self.paused, self.control_next = False, True
        self.reported, self.reducing = {}, {}
        self.adjustment = replace(self.adjustment, sticky=True)

    def _checkin(self, feedback: Feedback, session: Session | None, lighter: bool) -> bool:
        exercises: tuple[Exercise, ...] = ()
        if session is not None and session.kind is not SessionKind.RECOVERY:
            exercises = tuple(item.exercise for item in session.exercises)
        context = CheckinContext(
            week_no=(feedback.date - self.start).days // 7 + 1,
            exercises=exercises,
            new_eccentric=is_new_eccentric(exercises, self.progress.seen),
            last_scores=self.last_scores,
            reported=self.reported,
            reducing=self.reducing,
            next_run=next_run(self._kind, feedback.date),
            paused=self.paused,
            hard_before=self.hard_before,
        )
        decision = self._progress(decide(feedback, context, self.settings), exercises, lighter)
        if feedback.done:
            self.progress.seen.update(exercise.id for exercise in exercises)
        if exercises:  # C4: a strength session, done or skipped, continues or breaks the row
            self.hard_before = felt_too_hard(feedback, self.settings)
        self.reported = {site: context.reported.get(site, 0) + 1 for site in decision.reported}
        self.reducing = {site: context.reducing.get(site, 0) + 1 for site in decision.concerns}
        self.last_scores.update((report.where, report.score) for report in feedback.pain)
        if feedback.legs is not None or not self.adjustment.sticky:
            self.adjustment = decision.next  # a check-in clears a sticky adjustment (C7)
        if decision.nordic_block is not None:
            self.nordic_blocked = decision.nordic_block
        self.paused = self.paused or decision.pause
        self.decisions.append(decision)
        if decision.rules:
            self.changes.append(Change(feedback.date, decision.rules, decision.message))
        if decision.keep_away is None or decision.keep_away_until is None:
            return False
        moved = decision.keep_away not in self._kept(feedback.date + DAY)
        self.keep_away[decision.keep_away] = decision.keep_away_until
        return moved

    def _progress(
        self, decision: Decision, exercises: tuple[Exercise, ...], lighter: bool
    ) -> Decision:
        """P8 and P10 for a decision that passed C4, unless the phase or a light week holds."""
        if not decision.progress:  # not passed, or skipped: two-for-two starts again (P10)
            for exercise in exercises:
                self.progress.hold(exercise)
            return decision
        held = {"P6"} if self._phase(decision.date) in NO_PROGRESSION else set()
        held |= {"P11"} if lighter else set()
        if held:
            return replace(decision.adding(frozenset(held), self.settings), progress=False)
        applied: set[str] = set()
        moved: list[Moved] = []
        waiting: list[Exercise] = []
        for exercise in exercises:
            rule_ids, step = self.progress.advance(
                exercise, decision.report.hips_level, decision.date
            )
            applied |= rule_ids
            if step is not None:
                moved.append(step)
            elif rule_ids == {"P10"}:
                waiting.append(exercise)
        gated = "C9" in applied and not any(m.step == "variant" for m in moved)
        return replace(
            decision.adding(frozenset(applied), self.settings),
            moved=tuple(moved),
            waiting=tuple(waiting),
            gated=gated,
        )

    def _change(self, day: date, rule_ids: set[str]) -> None:
        kept = ordered(rule_ids)
        why = " ".join(self.settings.why[rule] for rule in kept)
        self.changes.append(Change(day, kept, why))
