"""What the coach says about a change: this runner's report, and what changes in which session.

Every sentence is about the runner ("What the coach says" in COACHING.md): what they
reported, and what the next session does about it. A rule's general sentence is kept for
the history; it is not repeated here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from bot.coaching.decisions import Decision, Moved, joints_of
from bot.coaching.feedback import Feedback, Legs, PainReport, PainSite
from bot.coaching.model import Session, SessionKind
from bot.coaching.phases import Phase
from bot.coaching.profile import DayKind

SITE = {
    PainSite.KNEE: "knee",
    PainSite.HIP: "hip",
    PainSite.LOWER_BACK: "lower back",
    PainSite.HAMSTRING: "hamstring",
    PainSite.OTHER: "ankle or foot",
}
RUN = {DayKind.LONG: "long runs", DayKind.HARD: "hard runs", DayKind.EASY: "easy runs"}
SEE_SOMEONE = "please see a doctor or physiotherapist"

# What a check-in does to the next session, in the words the reply uses and /week and /today
# repeat beside the session it changed.
LIGHTER = "one step lighter, with all their form cues"  # C2
LOSES_A_SET = "every exercise loses a set"  # C5
RECOVERY = "a gentle recovery session"  # C6, or C2 with nothing left to spare the joint
SPARED = "keeps clear of the sore joint"  # C2, where no exercise loads it


def weekday(day: date) -> str:
    """``Thursday``."""
    return f"{day:%A}"


def day_named(day: date, today: date) -> str:
    """``day`` as a reply sent ``today`` names it: its weekday within the six days ahead
    (``Friday``), otherwise its date (``Fri 5 Feb``), so that "Friday" is never a week off."""
    return weekday(day) if 1 <= (day - today).days <= 6 else day_label(day)


def day_label(day: date) -> str:
    """``Mon 6 Apr``."""
    return f"{day:%a} {day.day} {day:%b}"


def phase_note(phase: Phase, day: date, race: date | None) -> str:
    """A phase change, named, with when it starts (P6)."""
    if race is None or phase is Phase.BUILD:
        return f"From {day_label(day)} your sessions are back to building strength."
    weeks, days = (race - day).days // 7, (race - day).days
    if phase is Phase.MAINTAIN:
        return (
            f"Race in {weeks} weeks: from {day_label(day)} your sessions switch to maintenance."
            " Less volume, same exercises and weights, nothing new."
        )
    if phase is Phase.TAPER:
        return (
            f"Race in {days} days: from {day_label(day)} you taper, with one short maintenance"
            " session a week and nothing heavy."
        )
    if phase is Phase.RACE:
        return (
            f"Race week: from {day_label(day)} no strength work, to arrive fresh on"
            f" {day_label(race)}. Good luck!"
        )
    return f"After the race: from {day_label(day)} a week of gentle recovery sessions only."


def phase_now(phase: Phase, day: date, race: date | None) -> str:
    """Where the week of ``day`` stands before the race, for the week preview (P6)."""
    if race is None or phase is Phase.BUILD:
        return "Building strength this week."
    days = (race - day).days
    return {
        Phase.MAINTAIN: f"Race in {days // 7} weeks: maintenance, with the same exercises and"
        " weights and less volume.",
        Phase.TAPER: f"Race in {days} days: taper, one short session a week and nothing heavy.",
        Phase.RACE: "Race week: no strength work in the last four days before it.",
        Phase.RECOVERY: "After the race: gentle recovery sessions only this week.",
    }[phase]


def _sites(sites: Iterable[PainSite]) -> str:
    names = [SITE[site] for site in PainSite if site in set(sites)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _agree(sites: Iterable[PainSite], one: str, several: str) -> str:
    """The word agreeing with ``_sites``: "your knee has", "your knee and hip have"."""
    return one if len(set(sites)) == 1 else several


def _pain(report: PainReport) -> str:
    settled = {True: " and had settled", False: " and hadn't settled", None: ""}[report.settled]
    return f"your {SITE[report.where]} hurt ({report.score}/10){settled}"


def _what_you_said(feedback: Feedback, sites: Iterable[PainSite]) -> str:
    wanted = set(sites)
    scored = [_pain(report) for report in feedback.pain if report.where in wanted]
    unscored = wanted - {report.where for report in feedback.pain}
    if unscored:
        scored.append(f"you have {_sites(unscored)} pain")
    return "You said " + " and ".join(scored) if scored else "You reported pain"


def _names(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _eased(decision: Decision, session: Session, today: date) -> str:
    """What a C2 step-down or swap does to the next session."""
    joints = joints_of(decision.concerns)
    checked = [_the(item.exercise.name) for item in session.exercises if item.cues_emphasised]
    where = _sites(decision.concerns)
    name = day_named(session.date, today)
    if session.kind is SessionKind.RECOVERY:
        return f"{name}'s session becomes {RECOVERY}"
    if decision.next.swap & joints:
        return (
            f"on {name} the exercises that load your {where} are swapped for"
            f" ones that spare {_agree(decision.concerns, 'it', 'them')}"
        )
    if not checked:
        return f"{name}'s session already keeps clear of your {where}"
    return f"on {name} the {where} exercises are {LIGHTER}: {_names(checked)}"


def in_sentence(name: str) -> str:
    """An exercise's name inside a sentence: ``slider curl (two legs)``, ``Nordic curl``."""
    proper = name.split()[0] in ("Romanian", "Nordic")
    return name if proper else name[0].lower() + name[1:]


def _the(name: str) -> str:
    """``the slider curl (two legs)``."""
    return f"the {in_sentence(name)}"


def _moved(step: Moved, ahead: Sequence[Session], today: date) -> str:
    """One step up, and the session that first shows it (P8): the next one holding the
    exercise, or for a new variant the next one holding that variant."""
    name = _the(step.exercise.name)
    shown = step.to if step.step == "variant" else step.exercise.name
    holding = next((s for s in ahead if shown in (i.exercise.name for i in s.exercises)), None)
    when = f"on {day_named(holding.date, today)} " if holding is not None else ""
    if step.step == "variant":
        if holding is None:  # no coming session may hold it yet (P3, P12): it waits for one
            return f"{name} has earned its next step, {_the(step.to)}, for a day that allows it"
        return f"{when}{name} makes way for {_the(step.to)}"
    if step.step == "reps":
        unit = "seconds" if step.exercise.dose.hold_s else "reps"
        side = f" {step.exercise.each}" if step.exercise.each else ""
        change = f"goes up to {step.to} {unit}{side}"
    elif step.step == "range":
        change = f"moves to a {step.to}"
    else:
        change = f"now takes {step.to}"
    return f"{when}{name} {change}" if holding is not None else f"{name} {change} from next time"


def explain(decision: Decision, ahead: Sequence[Session], *, paused: bool, today: date) -> str:
    """The reply, sent ``today``, to the answer that caused ``decision``: what was reported,
    and what changes in which of the sessions ``ahead`` (the coming ones, in date order)."""
    following = ahead[0] if ahead else None
    report, rules = decision.report, set(decision.rules)
    named = day_named(following.date, today) if following is not None else ""
    when = f" on {named}" if following is not None else ""
    if "C7" in rules and decision.pause:
        if report.legs is Legs.RED_FLAG:
            said = "You reported sharp pain, bruising or weakness."
        else:
            repeated = decision.repeated
            said = (
                f"Your {_sites(repeated)} {_agree(repeated, 'has', 'have')} come up in three"
                " check-ins in a row."
            )
        return (
            f"{said} That deserves personal advice, so {SEE_SOMEONE} before more strength work."
            " I've paused your strength sessions and will only check in on your legs."
            " When you've been cleared, send /resume."
        )
    if "C7" in rules and paused:
        return "Your strength sessions stay paused until you've been cleared: then send /resume."
    lines: list[str] = []
    if "C6" in rules:
        which = f"{named}'s" if following is not None else "the next"
        lines.append(
            f"You said your hamstring feels sensitive after running, so {which} session is"
            f" {RECOVERY}, and Nordics wait until it has settled."
        )
    elif decision.concerns and following is not None:
        lines.append(
            f"{_what_you_said(report, decision.concerns)}, so {_eased(decision, following, today)}."
        )
    elif decision.concerns:
        lines.append(f"{_what_you_said(report, decision.concerns)}, so I'll ease off there.")
    if "C12" in rules:
        lines.append(
            f"Your {_sites(decision.refer)} {_agree(decision.refer, 'has', 'have')} needed a"
            f" lighter load two check-ins in a row, so {SEE_SOMEONE} to check"
            f" {_agree(decision.refer, 'it', 'them')}. Your sessions carry on meanwhile."
        )
    fine = [r for r in report.pain if r.score > 0 and r.where not in decision.concerns]
    if fine:
        lines.append(
            f"{_what_you_said(report, [r.where for r in fine])}: that's fine to train with."
            " Tell me at the next check-in if it grows."
        )
    if "C5" in rules:
        lines.append(_lighter(decision, when))
    elif "C3" in rules:
        stays = "" if decision.concerns or "C6" in rules else ", so your plan stays as it is"
        lines.append(f"Heavy legs in your first weeks are your body adapting: they pass{stays}.")
    if "C1" in rules:
        where = _names(list(report.soreness_where)) or "muscles"
        lines.append(f"Sore {where} the day after means the right muscles did the work.")
    if "C11" in rules:
        lines.append("Soreness one to three days after new lowering work is normal.")
    lines += _progression(decision, ahead, today)
    if not lines:
        lines.append("Your plan stays as it is: keep going.")
    return " ".join(lines)


def _lighter(decision: Decision, when: str) -> str:
    """C5: what was reported, the lighter session (unless C2 or C6 lightened it already),
    and the extra distance from a run."""
    report, causes = decision.report, []
    if report.descending_stiff:
        causes.append("you said descending felt stiff or the hills felt unusually heavy")
    elif report.legs is Legs.HEAVY:
        causes.append("you said your legs have felt heavy")
    if decision.too_hard:  # C4 failed on effort twice in a row
        causes.append(f"it felt hard two sessions in a row ({report.rpe}/10)")
    cause = _names(causes)
    cause = cause[0].upper() + cause[1:]
    away = RUN.get(decision.keep_away) if decision.keep_away else None
    further = f"for three weeks strength sits a day further from your {away} where the week allows"
    if not decision.next.fewer_sets:  # C2 or C6 set the next session's dose
        return f"{cause}, so {further}." if away else f"{cause}: the lighter session covers that."
    distance = f", and {further}" if away else ""
    return f"{cause}, so{when} {LOSES_A_SET}{distance}."


def _progression(decision: Decision, ahead: Sequence[Session], today: date) -> list[str]:
    rules, report = set(decision.rules), decision.report
    if decision.moved:
        moved = [_moved(step, ahead, today) for step in decision.moved]
        return [f"That went well, so {_names(moved)}."]
    lines = []
    if decision.gated:
        lines.append(
            "The one-leg slider curl waits until your hips stay level on the two-leg version."
        )
    if decision.waiting:
        lines.append("Good session: one more like it and your exercises move up a step.")
    if "P6" in rules:
        lines.append("With the race close, your exercises hold where they are.")
    if "P11" in rules:
        lines.append("It's a lighter week, so your exercises hold where they are.")
    if "C4" in rules and not decision.progress and "P6" not in rules and "P11" not in rules:
        held = []
        if report.rpe is not None and report.rpe > 7 and not decision.too_hard:
            held.append(f"it felt hard ({report.rpe}/10)")
        if report.completed.value == "partial":
            held.append("you did part of it")
        if report.ran_normally is False:
            held.append("you couldn't run normally")
        if held:
            lines.append(f"Your exercises hold where they are, since {_names(held)}.")
    return lines
