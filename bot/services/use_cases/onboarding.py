"""Onboarding: every profile question, a summary to confirm, then this week's plan."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any, Required

from bot.services.dialogs.buttons import DialogName
from bot.services.dialogs.choices import Choice
from bot.services.dialogs.engine import Dialog, Step, Turn
from bot.services.dialogs.profile_questions import ProfileAnswers, apply_answers, profile_steps
from bot.services.plans.local_time import first_day
from bot.services.plans.training_plan import phase_on, plan_notes, replan, session_row
from bot.services.plans.views import profile_view, session_views
from bot.services.presentation.replies import Reply, say
from bot.services.presentation.sessions import profile_text, week_text
from bot.services.presentation.text import italic, join
from bot.storage.models import Runner

WELCOME = (
    "Hi! I'm your trail strength coach. I plan one or two short strength sessions a week "
    "around your runs, send each one at a time that suits you, and adjust the next one "
    "from how your legs feel.\n\n"
    + italic(
        "I'm not a medical service and I don't diagnose. If something hurts in a worrying "
        "way, please see a health professional."
    )
    + "\n\nA few quick questions first (send /cancel to stop)."
)


class OnboardingAnswers(ProfileAnswers, total=False):
    """Every profile answer, then ``ok`` ("yes", or "again" to start over); ``club`` is the
    id of the club whose link started it, if one did."""

    ok: Required[str]
    club: int


def draft_runner(answers: Mapping[str, Any]) -> Runner:
    """A runner built from the answers so far, not stored."""
    runner = Runner(
        equipment=[],
        sessions_per_week=2,
        week_preview=True,
        timezone="UTC",
        reminder_time=time(7, 0),
    )
    apply_answers(runner, answers)
    return runner


async def _finish(turn: Turn, answers: OnboardingAnswers) -> Reply:
    if answers["ok"] == "again":
        return say("No problem. Send /start whenever you want to go through it again.")
    person = turn.person
    if await turn.uow.runners.find(platform=person.platform, user_id=person.user_id):
        return say("You're already set up. Send /today for today's session.")
    runner = draft_runner(answers)
    runner.platform, runner.platform_user_id = person.platform, person.user_id
    runner.chat_id, runner.display_name = person.chat_id, person.name
    runner.started_on = first_day(turn.ctx.clock(), runner.timezone, runner.reminder_time)  # P7
    await turn.uow.runners.add(runner)
    if "club" in answers:
        await turn.uow.clubs.join(club_id=int(answers["club"]), runner_id=runner.id)
    replanned = await replan(turn.ctx, turn.uow, runner, joined=True)
    last = runner.started_on + timedelta(days=6)
    first_week = [  # as just stored: a new runner has no session reported to keep
        session_row(session, phase_on(replanned.plan, session.date))
        for session in replanned.plan.sessions
        if runner.started_on <= session.date <= last
    ]
    notes = plan_notes(replanned, runner.started_on)
    return say(
        join(
            "\n\n",
            [
                "You're all set!",
                week_text(session_views(first_week), title="Your first week"),
                *notes,
                "I'll send each session on its day. Send /today any time, or /help for more.",
            ],
        )
    )


ONBOARDING = Dialog(
    DialogName.ONBOARDING,
    (
        *profile_steps(lambda field: lambda _answers: field != "preview"),
        Step(
            "ok",
            lambda answers: (
                "Here's what I have:\n\n"
                + profile_text(profile_view(draft_runner(answers)))
                + "\n\nDoes that look right?"
            ),
            [
                Choice("yes", "Looks good", ("yes", "ok", "right", "correct")),
                Choice("again", "Start over", ("no", "restart", "again")),
            ],
        ),
    ),
    _finish,
)
