"""A plain-text, week-by-week table of a plan, for the coach's preview."""

from __future__ import annotations

from bot.coaching.model import Plan, Prescription, Session


def _dose(item: Prescription) -> str:
    if item.hold_s is not None:
        amount = f"{item.hold_s // 60} min" if item.hold_s >= 120 else f"{item.hold_s} s"
    else:
        amount = f"{item.reps} reps"
    each = f" {item.exercise.each}" if item.exercise.per_side else ""
    parts = [f"{item.sets} x {amount}{each}", item.load]
    if item.range:
        parts.append(item.range)
    return ", ".join(parts)


def _session(session: Session) -> list[str]:
    when = session.date.strftime("%a %Y-%m-%d")
    after = "  (after the easy run)" if session.after_run else ""
    head = f"  {when}  {session.kind.value:<11} {session.minutes} min  [{session.status.value}]"
    lines = [f"{head}  rules {' '.join(session.rules)}{after}"]
    for item in session.exercises:
        mark = "  ! check form" if item.cues_emphasised else ""
        lines.append(f"      - {item.exercise.name:<40} {_dose(item)}{mark}")
    return lines


def plan_table(plan: Plan) -> str:
    """The plan as readable text: one block per week, then the changes and why."""
    lines: list[str] = []
    for number, week in enumerate(plan.weeks, start=1):
        lines.append(f"Week {number}  from {week.start.isoformat()}  phase: {week.phase.value}")
        if not week.sessions:
            lines.append("  (no strength sessions this week)")
        for session in week.sessions:
            lines.extend(_session(session))
        lines.append("")
    if plan.changes:
        lines.append("Changes")
        for change in plan.changes:
            lines.append(f"  {change.date.isoformat()}  [{', '.join(change.rules)}]  {change.why}")
    if plan.paused:
        lines.append("")
        lines.append("Strength sessions are paused (C7) until the runner resumes.")
    return "\n".join(lines).rstrip() + "\n"
