"""``trailcoach plan``: the coach's plan preview from a profile (and feedback) JSON file."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path

from bot.coaching import (
    CoachingInputError,
    HistoryEvent,
    feedback_from_list,
    plan,
    plan_table,
    profile_from_dict,
)

EXIT_BAD_INPUT = 2


def _load(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CoachingInputError("(file)", f"cannot be read: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise CoachingInputError(f"line {error.lineno}", f"not valid JSON: {error.msg}") from None


def run(args: argparse.Namespace) -> int:
    """Print the plan; exit status 2 with a one-line message for a bad file."""
    if args.weeks < 1:
        print("--weeks: expected a positive number", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        profile = profile_from_dict(_load(args.profile))
    except CoachingInputError as error:
        print(f"{args.profile.name}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    history: tuple[HistoryEvent, ...] = ()
    if args.feedback is not None:
        try:
            history = feedback_from_list(_load(args.feedback))
        except CoachingInputError as error:
            print(f"{args.feedback.name}: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    today = date.today()  # the clock is read here, in the CLI layer, never in the core
    start = args.start or today - timedelta(days=today.weekday())
    result = plan(profile, start=start, weeks=args.weeks, history=history)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(plan_table(result), end="")
    return 0
