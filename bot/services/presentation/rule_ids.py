"""``/rules``: what the rule IDs shown in ``/history`` mean, in the coach's own "why" words
(``docs/coaching.md`` says more about each)."""

from __future__ import annotations

import re

from bot.coaching.rules import PLANNING_RULES, RULE_IDS, rules
from bot.services.presentation.text import Text, bold, join

POINTER = "What the rule IDs mean: send /rules, or /rules C8 C4 for just those."
_BY_KEY = {rule.upper(): rule for rule in RULE_IDS}
_WORD = re.compile(r"[A-Za-z]+\d*")


def rules_text(asked: str = "") -> Text:
    """Every rule with its sentence; or only the IDs named in ``asked`` (``C8, C4``, any
    case), saying which named ones are not rules."""
    words = _WORD.findall(asked)
    wanted = [_BY_KEY[word.upper()] for word in words if word.upper() in _BY_KEY]
    unknown = [word for word in words if word.upper() not in _BY_KEY]
    lines: list[Text | str] = []
    if unknown:
        lines.append(
            f"There is no rule {', '.join(unknown)}: the IDs are P1 to P13, Floor and C1 to C12."
        )
    if wanted:
        lines += [_line(rule) for rule in dict.fromkeys(wanted)]
    elif not unknown:
        lines += [bold("Planning rules (P) and the Floor")]
        lines += [_line(rule) for rule in PLANNING_RULES]
        lines += ["", bold("Rules that follow your feedback (C)")]
        lines += [_line(rule) for rule in RULE_IDS if rule not in PLANNING_RULES]
    return join("\n", lines)


def _line(rule: str) -> Text:
    return bold(rule) + f": {rules().why[rule]}"
