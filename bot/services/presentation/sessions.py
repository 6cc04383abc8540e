"""How the coach words things: sessions, weeks, changes, summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from bot.coaching import library, rules
from bot.coaching.explain import LIGHTER, LOSES_A_SET, RECOVERY, SPARED, day_label, in_sentence
from bot.services.presentation.text import Text, bold, italic, lines
from bot.services.presentation.views import ChangeView, ExerciseView, ProfileView, SessionView

KIND_LABEL = {
    "control": "control session",
    "heavy": "heavier session",
    "focused": "focused hamstring session",
    "maintenance": "maintenance session",
    "recovery": "recovery session",
}
DAY_KIND_LABEL = {"rest": "rest", "easy": "easy run", "hard": "hard run", "long": "long run"}
EXPERIENCE_LABEL = {
    "none": "new to strength work",
    "some": "some strength work",
    "regular": "regular strength work",
}
EQUIPMENT_LABEL = {
    "step": "step or sturdy box",
    "sliders": "sliders or a towel",
    "nordic_anchor": "Nordic anchor (strap, partner or heavy sofa)",
    "weights": "weights",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def clock_label(moment: time) -> str:
    """``07:30``."""
    return moment.strftime("%H:%M")


def amount(item: ExerciseView) -> str:
    """``3 × 8 each leg``, ``2 × 30 s hold``, ``10 minutes``: the sets and reps alone."""
    exercise = library().exercises.get(item.exercise_id)
    each = f" {exercise.each}" if exercise is not None and exercise.per_side else ""
    if exercise is not None and exercise.dose.in_minutes and item.hold_s is not None:
        return f"{item.hold_s // 60} minutes"
    reps = f"{item.reps}{each}" if item.reps is not None else f"{item.hold_s} s hold{each}"
    return f"{item.sets} × {reps}"


def short_dose(item: ExerciseView) -> str:
    """``2 × 8 each leg, half range, 8 kg``: the amount, the range and the load."""
    extra = [part for part in (item.range, item.load) if part and part != "bodyweight"]
    return ", ".join([amount(item), *extra])


def dose(item: ExerciseView) -> str:
    """``3 × 8 each leg, tempo 3 s down, rest 60 s``: what to do, as it reads to a runner."""
    exercise = library().exercises.get(item.exercise_id)
    parts = [amount(item)]
    if exercise is not None and exercise.dose.in_minutes and item.hold_s is not None:
        return parts[0]
    if item.range:
        parts.append(item.range)
    if item.load != "bodyweight":
        parts.append(item.load)
    if item.tempo:
        parts.append(f"tempo {item.tempo}")
    if exercise is not None and exercise.rest_s and item.sets > 1:
        parts.append(f"rest {exercise.rest_s} s between sets")
    return ", ".join(parts)


def session_text(session: SessionView) -> Text:
    """The full session message: minutes, the warm-up, and each exercise with dose and cues."""
    when = " after your easy run" if session.after_run else ""
    parts: list[Text | str] = [
        bold(f"{day_label(session.date)}: {KIND_LABEL.get(session.kind, session.kind)}"),
        f"About {session.minutes} minutes with the warm-up{when}.",
    ]
    changed = change_mark(session)
    if changed:
        parts.append(italic(changed))
    if session.kind != "recovery":
        settings = rules()
        parts += ["", bold("Warm-up") + f" (about {settings.warm_up_minutes} minutes)"]
        parts += [f"   • {move}" for move in settings.warm_up]
    for number, item in enumerate(session.exercises, start=1):
        parts += ["", f"{number}. " + bold(item.name) + f": {dose(item)}"]
        if item.cues_emphasised:
            parts.append("   Check your form on this one:")
            cues = item.cues
        else:
            cues = item.cues[:2]
        parts += [f"   • {cue}" for cue in cues]
    return lines(*parts)


def week_text(sessions: Sequence[SessionView], *, title: str) -> Text:
    """A compact list of the week's sessions."""
    if not sessions:
        return lines(bold(title), "No strength sessions planned.")
    rows: list[Text | str] = []
    for session in sessions:
        kind = KIND_LABEL.get(session.kind, session.kind)
        names = ", ".join(item.name for item in session.exercises)
        rows.append(f"• {day_label(session.date)}: {kind}, {session.minutes} min — {names}")
        changed = change_mark(session)
        if changed:
            rows.append(italic(f"   ↳ {changed}"))
    return lines(bold(title), *rows)


def change_mark(session: SessionView) -> str:
    """How a check-in changed this session, in the words its reply used ("" if it did not):
    ``Changed after your check-in: one step lighter, with all their form cues: step-down
    1 × 6 each leg``."""
    shaped = set(session.rules)
    changes = []
    if "C6" in shaped or ("C2" in shaped and session.kind == "recovery"):
        changes.append(f"{RECOVERY} instead")
    elif "C2" in shaped:
        eased = [
            f"{in_sentence(i.name)} {short_dose(i)}" for i in session.exercises if i.cues_emphasised
        ]
        changes.append(f"{LIGHTER}: {'; '.join(eased)}" if eased else f"it {SPARED}")
    if "C5" in shaped:
        changes.append(LOSES_A_SET)
    return "Changed after your check-in: " + "; and ".join(changes) if changes else ""


def change_text(change: ChangeView) -> Text:
    """One plan change: its date, the plain why, and the rule IDs."""
    rules = ", ".join(change.rules)
    return f"{day_label(change.effective_date)}: {change.why} " + italic(f"({rules})")


def profile_text(runner: ProfileView) -> str:
    """The runner's answers, as a summary they can check."""
    kit = ", ".join(EQUIPMENT_LABEL[item] for item in runner.equipment) or "nothing yet"
    week = ", ".join(
        f"{WEEKDAYS[weekday][:3]} {DAY_KIND_LABEL[kind]}" for weekday, kind in runner.week
    )
    race = (
        f"{runner.race_name + ' on ' if runner.race_name else ''}{runner.race_date:%d %b %Y}"
        if runner.race_date
        else "none planned"
    )
    runs = runner.trail_runs_per_week
    rows = [
        f"Experience: {EXPERIENCE_LABEL[runner.experience]}",
        f"Week: {week}",
        f"Trail runs a week: {runs if runs is not None else 'as in your week'}",
        f"Race: {race}",
        f"Kit: {kit}",
        f"Strength sessions a week: {runner.sessions_per_week}",
        f"Reminders: {clock_label(runner.reminder_time)} ({runner.timezone})",
        f"Week preview: {'on' if runner.week_preview else 'off'}",
    ]
    return "\n".join(rows)
