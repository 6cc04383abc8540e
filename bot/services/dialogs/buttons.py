"""What a button carries, and the one place that reads it back.

A pressed button returns its data verbatim, from any chat and any version of the bot, so
the data is read as untrusted text: ``decode`` gives a payload only for what ``encode``
writes, and None for anything else (forged, of an old format, too long, not ours). The
formats are the ones buttons already sent carry, so those keep working after an upgrade:

- a dialog's answer: ``<dialog>:<nonce>:<step>:<value>`` (the value may hold colons);
- a session's button: ``ses:<YYYYMMDD>:<action>``;
- a club's "I did it": ``did:<club id>:<YYYYMMDD>``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MAX_BYTES = 64  # Telegram keeps 64 bytes of callback data
MAX_CHARACTERS = 100  # Discord keeps 100 characters of a custom_id
SESSION = "ses"
MARK = "did"
_NONCE = re.compile(r"[0-9a-f]{4}")
_STEP = re.compile(r"[a-z0-9_]+")
_DAY = re.compile(r"[0-9]{8}")
_ID = re.compile(r"[1-9][0-9]*")
_LARGEST_ID = 2**63 - 1  # a database's BIGINT


class DialogName(StrEnum):
    """Every dialog, by the name stored with an open one and carried by its buttons."""

    ONBOARDING = "ob"
    POST_SESSION = "ps"
    CHECK_IN = "ci"
    SETTINGS = "set"
    DELETE = "del"
    CLUB_SETUP = "club"
    PLAN_KINDS = "pk"  # what a linked running plan's events are (issue 31)


class SessionChoice(StrEnum):
    """What a session's buttons do: log it, skip it, or have it sent again later."""

    DONE = "done"
    SKIP = "skip"
    LATER = "later"
    IN_1H = "in1"
    IN_3H = "in3"
    EVENING = "eve"


@dataclass(frozen=True, slots=True)
class DialogAnswer:
    """One answer to an open dialog's question: which dialog, its nonce, step and value."""

    dialog: DialogName
    nonce: str
    step: str
    value: str

    def __post_init__(self) -> None:
        if not (_NONCE.fullmatch(self.nonce) and _STEP.fullmatch(self.step) and self.value):
            raise ValueError(f"not a dialog answer: {self!r}")


@dataclass(frozen=True, slots=True)
class SessionAction:
    """A runner's button under the session planned on ``day``."""

    day: date
    action: SessionChoice


@dataclass(frozen=True, slots=True)
class DidIt:
    """An "I did it" under a club's session post of ``day``."""

    club_id: int
    day: date

    def __post_init__(self) -> None:
        if not 0 < self.club_id <= _LARGEST_ID:
            raise ValueError(f"not a club id: {self.club_id}")


Pressed = DialogAnswer | SessionAction | DidIt


def new_nonce() -> str:
    """A fresh nonce for a dialog just opened: its older buttons no longer answer it."""
    return secrets.token_hex(2)


def encode(pressed: Pressed) -> str:
    """The button data for ``pressed``; ValueError if it would not fit every platform."""
    match pressed:
        case DialogAnswer(dialog, nonce, step, value):
            data = f"{dialog}:{nonce}:{step}:{value}"
        case SessionAction(day, action):
            data = f"{SESSION}:{_stamp(day)}:{action}"
        case DidIt(club_id, day):
            data = f"{MARK}:{club_id}:{_stamp(day)}"
    if not _fits(data):
        raise ValueError(f"button data must be 1-{MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str) -> Pressed | None:
    """What ``data`` carries, if ``encode`` wrote it; None for anything else."""
    try:
        if not _fits(data):
            return None
        kind, _, rest = data.partition(":")
        if kind == SESSION:
            day, action = rest.split(":")
            return SessionAction(_day(day), SessionChoice(action))
        if kind == MARK:
            club_id, day = rest.split(":")
            if not _ID.fullmatch(club_id):
                return None
            return DidIt(int(club_id), _day(day))
        nonce, step, value = rest.split(":", 2)
        return DialogAnswer(DialogName(kind), nonce, step, value)
    except ValueError:  # a part missing or extra, or not one of ours (UnicodeError included)
        return None


def _fits(data: str) -> bool:
    """Whether ``data`` fits Telegram's callback data and Discord's custom_id."""
    return 0 < len(data.encode()) <= MAX_BYTES and len(data) <= MAX_CHARACTERS


def _stamp(day: date) -> str:
    return day.isoformat().replace("-", "")


def _day(stamp: str) -> date:
    if not _DAY.fullmatch(stamp):
        raise ValueError(f"not a day: {stamp!r}")
    return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:]))
