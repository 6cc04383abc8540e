"""Today's session, the week, Done and Skip, the post-session questions and the check-in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any, Required

from bot.coaching import Feedback, explain, library
from bot.coaching.explain import day_label
from bot.services.dialogs.buttons import DialogName, SessionAction, SessionChoice, encode
from bot.services.dialogs.choices import Choice
from bot.services.dialogs.engine import Answers, AnswersT, Dialog, Finish, Step, Turn
from bot.services.dialogs.free_text import NotUnderstood, read_score
from bot.services.dialogs.reports import (
    CheckInReportAnswers,
    SessionReportAnswers,
    check_in_fields,
    check_in_report,
    log_fields,
    session_report,
)
from bot.services.plans.training_plan import Replanned, plan_held, replan
from bot.services.plans.views import session_view, session_views
from bot.services.presentation.cues import Cue
from bot.services.presentation.replies import Button, Message, Reply, say
from bot.services.presentation.sessions import clock_label, session_text, week_text
from bot.services.presentation.text import cue
from bot.storage.models import PlannedSession, Runner, RunnerStatus

LOOK_BACK_DAYS = 2  # /done and /checkin look this far back for an unreported session

MEDICAL_NOTE = (
    "I'm a training coach, not a clinician: for sharp pain, bruising, weakness or pain "
    "that keeps coming back, please see a doctor or physiotherapist."
)
PAUSED = "Your sessions are paused. Send /resume when you're ready to go again."
PAUSED_CHECK_IN = (
    "Your sessions stay paused while you take a break. Send /resume when you're ready to "
    "train again."
)
ON_HOLD = (
    "Strength sessions are on hold after the warning signs you reported. "
    f"{MEDICAL_NOTE} Once you're cleared, send /resume."
)


PAIN_PLACES = (
    Choice("knee", "Knee", ("knees",)),
    Choice("hip", "Hip", ("hips",)),
    Choice("lower_back", "Lower back", ("back",)),
    Choice("hamstring", "Hamstring", ("hamstrings", "hammy")),
    Choice("other", "Somewhere else", ("other", "elsewhere", "ankle", "foot", "calf", "achilles")),
)
PAIN_SCORES = tuple(Choice(str(n), str(n)) for n in range(11))


async def runner_or_none(turn: Turn) -> Runner | None:
    """The runner behind this turn's person, if they have onboarded."""
    return await turn.uow.runners.find(platform=turn.person.platform, user_id=turn.person.user_id)


def with_runner(
    finish: Callable[[Turn, Runner, AnswersT], Awaitable[Reply]],
) -> Finish[AnswersT]:
    """A dialog's finish that needs the runner (who may have deleted their data meanwhile)."""

    async def run(turn: Turn, answers: AnswersT) -> Reply:
        runner = await runner_or_none(turn)
        if runner is None:
            return say("I couldn't find your profile. Send /start to set up.")
        return await finish(turn, runner, answers)

    return run


def session_button(label: str, day: date, action: SessionChoice) -> Button:
    """A button under the session of ``day``: bound to its day, so a re-plan of its content
    keeps the button valid."""
    return Button(label, encode(SessionAction(day, action)))


def session_buttons(
    session: PlannedSession, *, later: bool = False
) -> tuple[tuple[Button, ...], ...]:
    """Done and Skip (and Later, on a reminder), bound to this exact planned session."""
    buttons = [
        session_button("✅ Done", session.date, SessionChoice.DONE),
        session_button("Skip", session.date, SessionChoice.SKIP),
    ]
    if later:
        buttons.append(session_button("Later", session.date, SessionChoice.LATER))
    return (tuple(buttons),)


def session_reply(session: PlannedSession, *, later: bool = False) -> Reply:
    """The session, with its buttons."""
    return (Message(session_text(session_view(session)), session_buttons(session, later=later)),)


async def _on_hold(turn: Turn, runner: Runner) -> Reply:
    """Why there are no sessions to show (a red flag, or a pause), with the plan up to date;
    else ()."""
    if await plan_held(turn.ctx, turn.uow, runner):
        return say(ON_HOLD)
    return say(PAUSED) if runner.status is RunnerStatus.PAUSED else ()


async def today(turn: Turn, runner: Runner) -> Reply:
    """Today's session, or when the next one is."""
    held = await _on_hold(turn, runner)
    if held:
        return held
    day = turn.ctx.today(runner.timezone)
    session = await turn.uow.plans.on(runner_id=runner.id, day=day)
    if session is not None:
        log = await turn.uow.feedback.log(runner_id=runner.id, day=day)
        if log is not None:
            return say(f"Today's session is already logged ({log.completed}). Nice work.")
        return session_reply(session)
    upcoming = await turn.uow.plans.between(
        runner_id=runner.id, first=day, last=day + timedelta(days=13)
    )
    if not upcoming:
        return say("No strength session is planned for the next two weeks.")
    nxt = upcoming[0]
    return say(f"No strength today: rest up or run. Your next session is on {day_label(nxt.date)}.")


async def week(turn: Turn, runner: Runner) -> Reply:
    """The sessions of the next seven days, or why there are none."""
    held = await _on_hold(turn, runner)
    if held:
        return held
    day = turn.ctx.today(runner.timezone)
    sessions = await turn.uow.plans.between(
        runner_id=runner.id, first=day, last=day + timedelta(days=6)
    )
    return say(week_text(session_views(sessions), title="Your next seven days"))


async def unreported(turn: Turn, runner: Runner, *, need: str) -> PlannedSession | None:
    """The latest session in the last few days without a log (``need="log"``) or check-in."""
    day = turn.ctx.today(runner.timezone)
    first = day - timedelta(days=LOOK_BACK_DAYS)
    last = day if need == "log" else day - timedelta(days=1)
    for session in reversed(
        await turn.uow.plans.between(runner_id=runner.id, first=first, last=last)
    ):
        log = await turn.uow.feedback.log(runner_id=runner.id, day=session.date)
        if need == "log" and log is None:
            return session
        if need == "check_in" and log is not None and log.completed != "skipped":
            check_in = await turn.uow.feedback.check_in(runner_id=runner.id, day=session.date)
            if check_in is None or check_in.legs is None:
                return session
    return None


def post_session_answers(session: PlannedSession) -> Answers:
    """The context the post-session dialog carries: which session, and whether to ask C9's
    level-hips question."""
    hips = library().asks_hips_level(e.exercise_id for e in session.exercises)
    return {"day": session.date.isoformat(), "sliders": hips}


async def skip(turn: Turn, runner: Runner, day: date) -> Reply:
    """Log a skipped session: it is dropped, not crammed into the week (P9)."""
    await turn.uow.feedback.save_log(runner_id=runner.id, day=day, completed="skipped")
    replanned = await replan(turn.ctx, turn.uow, runner)
    return say(
        "Skipped, no problem. There's nothing to catch up: the week simply goes on. "
        + _next_session_line(replanned, turn.ctx.today(runner.timezone))
    )


def _next_session_line(replanned: Replanned, day: date) -> str:
    upcoming = [s for s in replanned.plan.sessions if s.date > day]
    if replanned.plan.paused or not upcoming:
        return ""
    return f"Your next session is on {day_label(upcoming[0].date)}."


def _rpe(text: str, _answers: Answers, _ctx: Any) -> int:
    effort = read_score(text)
    if effort is not None and 1 <= effort <= 10:
        return effort
    raise NotUnderstood("Choose an answer, or type your effort as a number from 1 to 10.")


class PostSessionAnswers(SessionReportAnswers, total=False):
    """The post-session dialog's answers: the session's day, and whether it had slider curls
    (whose level-hips question C9 asks), then the answers the report reads."""

    day: Required[str]
    sliders: bool


@with_runner
async def _finish_post_session(turn: Turn, runner: Runner, answers: PostSessionAnswers) -> Reply:
    report = session_report(date.fromisoformat(answers["day"]), answers)
    await turn.uow.feedback.save_log(runner_id=runner.id, day=report.date, **log_fields(report))
    replanned = await replan(turn.ctx, turn.uow, runner)
    lines = ["Logged. Well done for doing the work that doesn't show on the trail."]
    if report.pain:
        lines.append(what_changes(replanned, report.date, turn.ctx.today(runner.timezone)))
    if not replanned.plan.paused:
        lines.append(
            f"I'll check in tomorrow at {clock_label(runner.reminder_time)} about how your "
            "legs feel (or send /checkin then), and tell you what that changes."
        )
    return say("\n\n".join(lines))


def what_changes(replanned: Replanned, day: date, today: date) -> str:
    """The explanation of the decision the report on ``day`` caused (What the coach says)."""
    plan = replanned.plan
    decision = next((d for d in reversed(plan.decisions) if d.date == day), None)
    if decision is None:
        return "Your plan stays as it is: keep going."
    ahead = [s for s in plan.sessions if s.date > day and s.date >= today]
    return explain(decision, ahead, paused=plan.paused, today=today)


POST_SESSION = Dialog(
    DialogName.POST_SESSION,
    (
        Step(
            "how",
            "Great! Did you get through all of it?",
            [
                Choice("full", "All of it", ("all", "everything", "full", "whole", "done")),
                Choice(
                    "partial",
                    "Part of it",
                    ("partly", "some", "some of it", "most", "most of it", "half", "not all"),
                ),
            ],
            label="Done",
        ),
        Step(
            "rpe",
            "How hard did it feel overall? (Or type your effort from 1 to 10.)",
            [
                Choice("easy", "Easy", ("light",)),
                Choice("ok", "OK", ("okay", "fine", "moderate", "alright")),
                Choice("hard", "Hard", ("tough",)),
                Choice("very_hard", "Very hard", ("very tough", "brutal", "max")),
            ],
            columns=4,
            read_text=_rpe,
            label="Effort",
            show=lambda effort: f"{effort}/10",
            example="7 (from 1 to 10)",
        ),
        Step(
            "hurt",
            "Did any exercise hurt? " + cue(Cue.CHOOSE_MANY),
            PAIN_PLACES,
            multi=True,
            done_label="Nothing hurt",
            label="Hurt",
        ),
        Step(
            "hurt_score",
            "How much did it hurt, from 0 (not at all) to 10 (the worst)?",
            PAIN_SCORES,
            columns=6,
            when=lambda a: bool(a.get("hurt")),
            label="Pain",
        ),
        Step(
            "hips",
            "On the slider curls, did your hips stay level the whole time?",
            [Choice("yes", "Yes, level", ("level",)), Choice("no", "No, they dipped", ("dipped",))],
            when=lambda a: bool(a.get("sliders")),
            label="Hips",
        ),
    ),
    _finish_post_session,
)


LEGS = [
    Choice("fresh", "Fresh", ("good", "fine", "great", "ok", "normal")),
    Choice("muscle_soreness", "Sore muscles", ("sore", "doms", "achy muscles")),
    Choice("heavy", "Heavy legs", ("heavy", "tired", "dead legs", "flat")),
    Choice("joint_pain", "Joint pain", ("joint", "joints")),
    Choice("red_flag", "Sharp pain, bruising or weakness", ("sharp", "bruised", "weak")),
]


def _pain(answers: Answers) -> bool:
    return answers.get("legs") in {"joint_pain", "red_flag"}


class CheckInAnswers(CheckInReportAnswers, total=False):
    """The check-in dialog's answers: the day asked about and its weekday, then the answers
    the report reads."""

    day: Required[str]
    label: Required[str]


@with_runner
async def _finish_check_in(turn: Turn, runner: Runner, answers: CheckInAnswers) -> Reply:
    report = check_in_report(date.fromisoformat(answers["day"]), answers)
    fields = check_in_fields(report)
    await turn.uow.feedback.save_check_in(runner_id=runner.id, day=report.date, **fields)
    if not answers.get("session", True):
        await _no_session_on(turn, runner, report)
    replanned = await replan(turn.ctx, turn.uow, runner)
    lines = ["Thanks for checking in.", *_check_in_news(turn, runner, replanned, report)]
    return say("\n\n".join(line for line in lines if line))


def _check_in_news(turn: Turn, runner: Runner, replanned: Replanned, report: Feedback) -> list[str]:
    """What a check-in changes, as fits the runner: paused by /pause, held by a red flag
    (C7, which ``explain`` words), or training."""
    if runner.status is RunnerStatus.PAUSED and not replanned.plan.paused:
        return [PAUSED_CHECK_IN, MEDICAL_NOTE if report.pain else ""]
    today = turn.ctx.today(runner.timezone)
    news = [what_changes(replanned, report.date, today)]
    if runner.status is RunnerStatus.ACTIVE:
        news.append(_next_session_line(replanned, today))
    return news


CHECK_IN = Dialog(
    DialogName.CHECK_IN,
    (
        Step(
            "legs",
            lambda a: (
                f"How do your legs feel today, after {a['label']}'s session?"
                if a.get("session", True)
                else "How do your legs feel today?"
            ),
            LEGS,
            columns=2,
            label="Legs",
        ),
        Step(
            "sore",
            "Where are you sore? " + cue(Cue.CHOOSE_MANY),
            [
                Choice("glutes", "Glutes", ("glute", "bum", "butt")),
                Choice("hamstrings", "Hamstrings", ("hamstring",)),
                Choice("quads", "Quads", ("quad", "thighs")),
                Choice("calves", "Calves", ("calf",)),
            ],
            multi=True,
            when=lambda a: a.get("legs") == "muscle_soreness",
            label="Sore",
        ),
        Step(
            "where",
            "Where is it? " + cue(Cue.CHOOSE_MANY),
            PAIN_PLACES,
            multi=True,
            when=_pain,
            label="Where",
        ),
        Step(
            "score",
            "How strong is the pain, from 0 to 10?",
            PAIN_SCORES,
            columns=6,
            when=_pain,
            label="Pain",
        ),
        Step(
            "settled",
            "Has it settled since the session?",
            [
                Choice("yes", "Yes, it has", ("settled", "gone")),
                Choice("no", "No, not yet", ("still",)),
            ],
            when=_pain,
            label="Settled",
        ),
        Step(
            "ran",
            "Could you run normally today?",
            [
                Choice("yes", "Yes", ("yep", "normally")),
                Choice("no", "No", ("nope", "not really")),
                Choice("none", "No run today", ("didnt run", "rest day")),
            ],
            columns=3,
            label="Ran normally",
        ),
        Step(
            "trail",
            "Since the session, how did your trail running feel?",
            [
                Choice("not_yet", "No trail run yet", ("no", "not yet", "none")),
                Choice("fine", "Fine", ("good", "great", "ok", "normal")),
                Choice("stiff", "Stiff downhill or heavy uphill", ("stiff", "heavy")),
                Choice("hamstring", "Hamstring feels sensitive", ("sensitive", "tight hamstring")),
            ],
            columns=1,
            when=lambda a: a.get("session", True) and a.get("ran") != "none",
            label="Trail running",
        ),
    ),
    _finish_check_in,
)


def check_in_answers(day: date, *, happened: bool = True) -> Answers:
    """The context the check-in dialog carries; ``happened`` is False when no session was
    sent that day (the runner is paused), so the check-in asks about the legs alone."""
    return {"day": day.isoformat(), "label": day.strftime("%A"), "session": happened}


async def _no_session_on(turn: Turn, runner: Runner, report: Feedback) -> None:
    """A session planned that day was not sent (paused): it is logged as not done."""
    planned = await turn.uow.plans.on(runner_id=runner.id, day=report.date)
    logged = await turn.uow.feedback.log(runner_id=runner.id, day=report.date)
    if planned is not None and logged is None:
        await turn.uow.feedback.save_log(runner_id=runner.id, day=report.date, **log_fields(report))
