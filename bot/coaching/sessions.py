"""Session content (P5): which exercises, in which order, at which dose.

A session takes the last two or three hamstring variants the runner has reached (never the
whole ladder), plus foundation work, and puts control work before load. Two exercises of
one movement pattern never share a session (the two-leg and one-leg slider curl, the
assisted and full Nordic, the glute bridge and the hip thrust): the harder one stays. Heavy
eccentric work only appears where the planner allows it (P3, P6, C6), and no eccentric work
the day before a long run (P12). Until the next check-in, C2 shows the cues of exercises
loading a sore joint and steps their load down (one load step off, else the previous
variant, else one set fewer), or, the second time in a row, swaps them for joint-sparing
exercises; a swap that leaves fewer than three exercises makes a recovery session (C12). C5
and a lighter week (P11) take one set off everything, and so does maintain (P6: volume cut,
intensity kept) whatever the session's kind; C6 makes a recovery session. A first
Nordic waits for a session that takes nothing off, so it comes with C10's two or three sets.
The week's main session (focused or heavy), when no phase, lighter week, short week (P4) or
cue rule cuts it, is filled with real work to P1's 30-40 minutes: more sets within each
dose's range, then more foundation work; a session some rule makes small stays small.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.coaching.decisions import Adjustment
from bot.coaching.duration import session_minutes
from bot.coaching.library import Exercise, Family, Joint, Library, Tag
from bot.coaching.model import Prescription, SessionKind
from bot.coaching.progression import Progress
from bot.coaching.rules import RuleSettings

FULL_KINDS = (SessionKind.FOCUSED, SessionKind.HEAVY)  # P4: the week's main session


@dataclass(frozen=True, slots=True)
class Brief:
    """What the planner asks of one session."""

    kind: SessionKind
    light: bool  # lower end of the set range (maintenance, control, taper, short sessions)
    heavy_ok: bool  # heavy eccentric work allowed on this day (P3, P6, C6)
    eccentric_ok: bool  # eccentric work allowed on this day (P12: not before a long run)
    set_off: str | None  # the rule taking one set off everything: P11 (lighter week), P6
    first_nordic: bool  # C10: no Nordic session has happened yet
    whole: bool  # P1: no phase or lighter week cuts this session's volume (build, P6, P11)
    rotation: int  # varies the strength foundation exercises from session to session
    adjustment: Adjustment


def _order(exercise: Exercise) -> int:
    """P5: control work first, then mixed, then strength, then heavy."""
    if exercise.heavy:
        return 3
    if exercise.control_only:
        return 0
    return 1 if Tag.CONTROL in exercise.tags else 2


def _spares(exercise: Exercise, joints: frozenset[Joint]) -> bool:
    return not joints.intersection(exercise.joints)


def _nordic_waits(exercise: Exercise, brief: Brief) -> bool:
    """C10: a first Nordic comes with its full sets, so not in a session taking sets off
    (P11, P6's maintain, C5) or easing a joint it loads (C2)."""
    adjustment = brief.adjustment
    return (
        exercise.heavy
        and brief.first_nordic
        and (
            brief.set_off is not None
            or adjustment.fewer_sets > 0
            or not _spares(exercise, adjustment.ease | adjustment.swap)
        )
    )


def _distinct(exercises: Iterable[Exercise]) -> list[Exercise]:
    """One exercise per movement pattern, the first one given (P5)."""
    seen: set[str] = set()
    kept = []
    for exercise in exercises:
        if exercise.movement not in seen:
            seen.add(exercise.movement)
            kept.append(exercise)
    return kept


def recovery_session(library: Library) -> tuple[Prescription, ...]:
    """The C6 recovery options at their fixed dose."""
    return tuple(
        Prescription(
            exercise=e,
            sets=e.dose.sets[0],
            reps=e.dose.reps[0] if e.dose.reps else None,
            hold_s=e.dose.hold_s[0] if e.dose.hold_s else None,
            tempo=e.dose.tempo,
        )
        for e in library.family(Family.RECOVERY)
    )


def _pick(brief: Brief, progress: Progress, settings: RuleSettings) -> tuple[list[Exercise], ...]:
    """The reached hamstring variants allowed today, and the session's chosen exercises."""
    shape = settings.shapes[brief.kind]
    allowed = [
        e
        for e in progress.pool(progress.hamstring)
        if (brief.heavy_ok or not e.heavy)
        and not _nordic_waits(e, brief)
        and (brief.eccentric_ok or not e.eccentric)
        and (brief.kind is not SessionKind.CONTROL or Tag.CONTROL in e.tags)
    ]
    candidates = _distinct(reversed(allowed))[::-1]  # the harder variant of a pattern stays
    hamstring = candidates[-shape.hamstring :]
    taken = {e.movement for e in hamstring}
    foundation = [e for e in progress.heads(Family.FOUNDATION) if e.movement not in taken]
    control = [e for e in foundation if e.control_only][: shape.foundation_control]
    strength = [e for e in foundation if not e.control_only]
    turn = (brief.rotation * shape.foundation_strength) % max(1, len(strength))
    strength = (strength[turn:] + strength[:turn])[: shape.foundation_strength]
    return candidates, [*control, *hamstring, *strength]


def _swap(
    chosen: list[Exercise], candidates: list[Exercise], progress: Progress, joints: frozenset[Joint]
) -> list[Exercise]:
    """C2 twice in a row: replace exercises loading ``joints`` with sparing ones, or drop."""
    result: list[Exercise] = []
    for exercise in chosen:
        if _spares(exercise, joints):
            result.append(exercise)
            continue
        hamstring = exercise.family is Family.HAMSTRING
        pool = candidates if hamstring else list(progress.heads(Family.FOUNDATION))
        taken = {e.movement for e in (*result, *chosen)}
        sparing = [e for e in pool if _spares(e, joints) and e.movement not in taken]
        if sparing:
            result.append(sparing[-1] if hamstring else sparing[0])
    return result


def _ease(
    exercise: Exercise, chosen: list[Exercise], progress: Progress, brief: Brief
) -> tuple[Exercise, bool, int]:
    """C2 load step down: one load step off, else the previous variant (if today allows
    it), else one set fewer."""
    if progress.loaded(exercise):
        return exercise, True, 0
    if exercise.regression is not None:
        previous = progress.library[exercise.regression]
        taken = {e.movement for e in chosen if e is not exercise}
        allowed = brief.eccentric_ok or not previous.eccentric
        if previous.movement not in taken and progress.usable(previous) and allowed:
            return previous, False, 0
    return exercise, False, 1


def _filled(
    items: list[Prescription], brief: Brief, progress: Progress, settings: RuleSettings
) -> list[Prescription]:
    """P1: a session no rule cuts lasts at least ``least_minutes`` of real work: first more
    sets, within each exercise's range, then more foundation work (control work only in a
    control session), never past ``most_minutes``."""

    def fits(trial: list[Prescription]) -> bool:
        return session_minutes(trial, settings.warm_up_minutes) <= settings.most_minutes

    def short(trial: list[Prescription]) -> bool:
        return session_minutes(trial, settings.warm_up_minutes) < settings.least_minutes

    while short(items):
        room = [n for n, item in enumerate(items) if item.sets < item.exercise.dose.sets[1]]
        if not room:
            break
        n = min(room, key=lambda n: items[n].sets)  # the fewest sets first, in session order
        trial = [*items[:n], replace(items[n], sets=items[n].sets + 1), *items[n + 1 :]]
        if not fits(trial):
            break
        items = trial
    taken = {item.exercise.movement for item in items}
    for exercise in progress.heads(Family.FOUNDATION):
        if not short(items):
            break
        control = brief.kind is not SessionKind.CONTROL or Tag.CONTROL in exercise.tags
        if (
            exercise.movement in taken
            or not control
            or (exercise.eccentric and not brief.eccentric_ok)
        ):
            continue
        item = progress.prescribe(
            exercise,
            exercise.dose.sets[0 if brief.light else 1],
            bodyweight=not brief.heavy_ok and exercise.eccentric,
        )
        trial = sorted([*items, item], key=lambda p: _order(p.exercise))
        if fits(trial):
            items, taken = trial, taken | {exercise.movement}
    return items


def compose(
    brief: Brief, progress: Progress, library: Library, settings: RuleSettings
) -> tuple[tuple[Prescription, ...], frozenset[str]]:
    """The prescriptions of one session and the rules that shaped them."""
    adjustment = brief.adjustment
    if adjustment.recovery or brief.kind is SessionKind.RECOVERY:
        return recovery_session(library), adjustment.rules() & {"C6"}
    candidates, chosen = _pick(brief, progress, settings)
    if adjustment.swap:
        chosen = _swap(chosen, candidates, progress, adjustment.swap)
        if len(chosen) < settings.min_exercises:
            return recovery_session(library), frozenset({"C2", "C12"})
    prescriptions = []
    fewer_sets = adjustment.fewer_sets + (brief.set_off is not None)
    for original in sorted(dict.fromkeys(chosen), key=_order):
        exercise, lighter, fewer = original, False, fewer_sets
        easing = not _spares(original, adjustment.ease)
        if easing:
            exercise, lighter, less = _ease(original, chosen, progress, brief)
            fewer += less
        item = progress.prescribe(
            exercise,
            exercise.dose.sets[0 if brief.light else 1] - fewer,
            lighter=lighter,
            # P3: eccentric work carries no external load where heavy work is not allowed
            bodyweight=not brief.heavy_ok and exercise.eccentric,
        )
        prescriptions.append(replace(item, cues_emphasised=True) if easing else item)
    if brief.whole and brief.kind in FULL_KINDS and not adjustment.rules():
        prescriptions = _filled(prescriptions, brief, progress, settings)
    rules = {"P5"}
    held_back = not brief.heavy_ok and any(e.heavy for e in progress.pool(progress.hamstring))
    if held_back or any(item.heavy_eccentric for item in prescriptions):
        rules.add("P3")
    if not brief.eccentric_ok and any(e.eccentric for e in progress.pool(progress.hamstring)):
        rules.add("P12")
    if brief.set_off is not None:
        rules.add(brief.set_off)
    if brief.heavy_ok and any(_nordic_waits(e, brief) for e in progress.pool(progress.hamstring)):
        rules.add("C10")
    return tuple(prescriptions), frozenset(rules | adjustment.rules())
