"""The one contract between the after-session and check-in dialogs and the coaching core.

Each dialog's answers become the core's ``Feedback`` here, with the core's enums, and the
stored rows are written from that ``Feedback``: no other code reads the answers' strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Required, TypedDict

from bot.coaching import Completed, Feedback, Legs, PainReport, PainSite, rules

TRAIL = {"stiff": (True, None), "hamstring": (None, True), "fine": (False, False)}
YES_NO = {"yes": True, "no": False}


class SessionReportAnswers(TypedDict, total=False):
    """The after-session answers: how much was done and how hard (typed 1-10, or a word);
    where it hurt and how much, and whether the hips stayed level, when asked."""

    how: Required[str]
    rpe: Required[str | int]
    hurt: list[str]
    hurt_score: str
    hips: str


class CheckInReportAnswers(TypedDict, total=False):
    """The next-day check-in answers: the legs and the run always; soreness, pain and the
    trail run when asked. ``session`` is False when no session was sent that day."""

    legs: Required[str]
    ran: Required[str]
    session: bool
    sore: list[str]
    where: list[str]
    score: str
    settled: str
    trail: str


def _pain(sites: Iterable[str], score: str, settled: bool | None) -> tuple[PainReport, ...]:
    return tuple(PainReport(PainSite(site), int(score), settled) for site in sites)


def session_report(day: date, answers: SessionReportAnswers) -> Feedback:
    """The after-session answers: completed, effort, pain during the session, level hips."""
    effort = answers["rpe"]
    return Feedback(
        date=day,
        completed=Completed(answers["how"]),
        rpe=int(effort) if str(effort).isdigit() else rules().rpe_words[str(effort)],
        pain=_pain(answers.get("hurt", []), answers.get("hurt_score", "0"), None),
        hips_level=YES_NO.get(answers.get("hips", "")),
    )


def check_in_report(day: date, answers: CheckInReportAnswers) -> Feedback:
    """The next-day check-in answers: legs, soreness, pain, running, and the trail run."""
    stiff, hamstring = TRAIL.get(answers.get("trail", ""), (None, None))
    return Feedback(
        date=day,
        completed=Completed.FULL if answers.get("session", True) else Completed.SKIPPED,
        legs=Legs(answers["legs"]),
        soreness_where=tuple(answers.get("sore", [])),
        pain=_pain(
            answers.get("where", []),
            answers.get("score", "0"),
            YES_NO.get(answers.get("settled", "")),
        ),
        ran_normally=YES_NO.get(answers.get("ran", "")),
        descending_stiff=stiff,
        hamstring_sensitive=hamstring,
    )


def _pain_rows(report: Feedback) -> list[dict[str, Any]]:
    return [
        {"where": pain.where.value, "score": pain.score, "settled": pain.settled}
        for pain in report.pain
    ]


def log_fields(report: Feedback) -> dict[str, Any]:
    """The session-log columns of an after-session report."""
    return {
        "completed": report.completed.value,
        "rpe": report.rpe,
        "pain": _pain_rows(report),
        "hips_level": report.hips_level,
    }


def check_in_fields(report: Feedback) -> dict[str, Any]:
    """The check-in columns of a check-in report."""
    return {
        "legs": report.legs.value if report.legs else None,
        "soreness_where": list(report.soreness_where),
        "pain": _pain_rows(report),
        "ran_normally": report.ran_normally,
        "descending_stiff": report.descending_stiff,
        "hamstring_sensitive": report.hamstring_sensitive,
    }
