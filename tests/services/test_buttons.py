"""The button codec: what ``encode`` writes comes back; nothing else decodes (issue 26)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.services.dialogs.buttons import (
    MARK,
    MAX_BYTES,
    MAX_CHARACTERS,
    SESSION,
    DialogAnswer,
    DialogName,
    DidIt,
    Pressed,
    SessionAction,
    SessionChoice,
    decode,
    encode,
)

MANY = settings(max_examples=500, deadline=None)
DIALOG_ANSWERS = st.builds(
    DialogAnswer,
    st.sampled_from(DialogName),
    st.from_regex(r"[0-9a-f]{4}", fullmatch=True),
    st.from_regex(r"[a-z0-9_]{1,12}", fullmatch=True),
    st.text(min_size=1, max_size=60),
)
SESSION_ACTIONS = st.builds(SessionAction, st.dates(), st.sampled_from(SessionChoice))
MARKS = st.builds(DidIt, st.integers(1, 2**63 - 1), st.dates())
PAYLOADS = st.one_of(DIALOG_ANSWERS, SESSION_ACTIONS, MARKS)
# Text shaped like button data: known and unknown heads, digits, colons and odd characters.
PART = st.one_of(
    st.sampled_from([SESSION, MARK, *DialogName, *SessionChoice, "", "0", "01", "abcd", "~"]),
    st.from_regex(r"[0-9]{1,9}", fullmatch=True),
    st.text(max_size=6),
)
LOOKALIKES = st.lists(PART, min_size=1, max_size=6).map(":".join)


@pytest.mark.slow
@MANY
@given(PAYLOADS)
def test_every_payload_comes_back_unless_it_is_too_long(pressed: Pressed) -> None:
    try:
        data = encode(pressed)
    except ValueError:  # only a dialog's value is free enough to make the data too long
        assert isinstance(pressed, DialogAnswer)
        wire = f"{pressed.dialog}:{pressed.nonce}:{pressed.step}:{pressed.value}"
        assert len(wire.encode()) > MAX_BYTES
        return
    assert 0 < len(data.encode()) <= MAX_BYTES and len(data) <= MAX_CHARACTERS
    assert decode(data) == pressed


@pytest.mark.slow
@MANY
@given(st.one_of(st.text(), LOOKALIKES, st.binary().map(lambda b: b.decode(errors="replace"))))
@example("\ud800")
@example("ob:abcd:exp:\udcff")
def test_anything_else_decodes_to_none_and_never_raises(data: str) -> None:
    pressed = decode(data)
    assert pressed is None or encode(pressed) == data


@pytest.mark.parametrize(
    ("data", "pressed"),
    [
        ("ob:1a2b:exp:none", DialogAnswer(DialogName.ONBOARDING, "1a2b", "exp", "none")),
        ("set:abcd:time:07:00", DialogAnswer(DialogName.SETTINGS, "abcd", "time", "07:00")),
        ("club:0f0f:days:=", DialogAnswer(DialogName.CLUB_SETUP, "0f0f", "days", "=")),
        (
            "ci:beef:tz:America/New_York",
            DialogAnswer(DialogName.CHECK_IN, "beef", "tz", "America/New_York"),
        ),
        ("ses:20261124:done", SessionAction(date(2026, 11, 24), SessionChoice.DONE)),
        ("ses:20261124:eve", SessionAction(date(2026, 11, 24), SessionChoice.EVENING)),
        ("did:12:20261124", DidIt(12, date(2026, 11, 24))),
    ],
)
def test_buttons_already_sent_still_decode(data: str, pressed: Pressed) -> None:
    assert decode(data) == pressed
    assert encode(pressed) == data


@pytest.mark.parametrize(
    "data",
    [
        "",
        ":::",
        "garbage",
        "ses:1:done",
        "ses:1:done:extra",
        "ses:20261124:done:extra",
        "ses:20261340:done",
        "ses:２０２６１１２４:done",  # fullwidth digits
        "ses:20261124:snooze",
        "did:01:20261124",
        "did:0:20261124",
        "did:1:2026112",
        f"did:{2**63}:20261124",
        "OB:abcd:exp:none",
        "ob:zzzz:exp:none",
        "ob:abcd:Exp:none",
        "ob:abcd:exp:",
        "ob:abcd:exp",
        "ci:1:2:3",
        "ob:abcd:exp:" + "x" * (MAX_BYTES - 11),  # 65 bytes
        "ob:abcd:exp:" + "é" * 30,  # 42 characters, 72 bytes
        "discord:type",  # the Discord adapter's own
        "dm:club1",
    ],
)
def test_forged_stale_or_foreign_data_decodes_to_none(data: str) -> None:
    assert decode(data) is None


def test_encode_refuses_what_a_platform_would_not_keep() -> None:
    with pytest.raises(ValueError, match="1-64 bytes"):
        encode(DialogAnswer(DialogName.ONBOARDING, "abcd", "tz", "x" * 60))


@pytest.mark.parametrize(
    ("nonce", "step", "value"),
    [("abc", "exp", "none"), ("ABCD", "exp", "none"), ("abcd", "e:x", "none"), ("abcd", "exp", "")],
)
def test_a_dialog_answer_that_could_not_come_back_cannot_be_made(
    nonce: str, step: str, value: str
) -> None:
    with pytest.raises(ValueError, match="not a dialog answer"):
        DialogAnswer(DialogName.ONBOARDING, nonce, step, value)


def test_the_kinds_of_button_never_share_a_head() -> None:
    assert not {SESSION, MARK} & set(DialogName)
