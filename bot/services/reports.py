"""The one contract between the after-session and check-in dialogs and the coaching core.

Each dialog's answers become the core's ``Feedback`` here, with the core's enums, and the
stored rows are written from that ``Feedback``: no other code reads the answers' strings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.coaching import Completed, Feedback, Legs, PainReport, PainSite, rules

Answers = dict[str, Any]
TRAIL = {"stiff": (True, None), "hamstring": (None, True), "fine": (False, False)}
YES_NO = {"yes": True, "no": False}


def _pain(answers: Answers, sites: str, score: str, settled: bool | None) -> tuple[PainReport, ...]:
    value = int(answers.get(score, 0))
    return tuple(PainReport(PainSite(site), value, settled) for site in answers.get(sites, []))


def session_report(day: date, answers: Answers) -> Feedback:
    """The after-session answers: completed, effort, pain during the session, level hips."""
    effort = answers["rpe"]
    return Feedback(
        date=day,
        completed=Completed(answers["how"]),
        rpe=int(effort) if str(effort).isdigit() else rules().rpe_words[effort],
        pain=_pain(answers, "hurt", "hurt_score", None),
        hips_level=YES_NO.get(answers.get("hips", "")),
    )


def check_in_report(day: date, answers: Answers) -> Feedback:
    """The next-day check-in answers: legs, soreness, pain, running, and the trail run."""
    stiff, hamstring = TRAIL.get(answers.get("trail", ""), (None, None))
    return Feedback(
        date=day,
        completed=Completed.FULL if answers.get("session", True) else Completed.SKIPPED,
        legs=Legs(answers["legs"]),
        soreness_where=tuple(answers.get("sore", [])),
        pain=_pain(answers, "where", "score", YES_NO.get(answers.get("settled", ""))),
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
