"""Neutral text as Telegram HTML: every span escaped, styles as tags, data within limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.presentation.replies import Button
from bot.services.presentation.text import bold, italic, moment, plain
from handlers.telegram.messages import callback_data, html


def test_every_span_is_escaped_and_styled_with_its_tag() -> None:
    text = plain("Zoë <3 & 'Co'") + " " + bold("<b>") + italic("a & b")
    assert html(text) == "Zoë &lt;3 &amp; &#x27;Co&#x27; <b>&lt;b&gt;</b><i>a &amp; b</i>"


def test_a_moment_reads_as_it_was_worded() -> None:
    at = datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert html("Club session, " + moment("18:00", at)) == "Club session, 18:00"


def test_callback_data_over_64_bytes_is_refused() -> None:
    assert callback_data(Button("ok", "a" * 64)) == "a" * 64
    with pytest.raises(ValueError, match="1-64 bytes"):
        callback_data(Button("too long", "é" * 33))
    with pytest.raises(ValueError, match="1-64 bytes"):
        callback_data(Button("empty", ""))
