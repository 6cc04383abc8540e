"""The neutral text model: spans build, join and cut at lines with their styles kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.presentation.text import (
    Span,
    Style,
    Text,
    as_text,
    bold,
    italic,
    join,
    lines,
    moment,
    plain,
)


def test_text_adds_up_spans_and_reads_as_plain_words() -> None:
    text = "Hi " + bold("Ada") + ", " + italic("well done") + "!"
    assert text.spans == (
        Span("Hi "),
        Span("Ada", Style.BOLD),
        Span(", "),
        Span("well done", Style.ITALIC),
        Span("!"),
    )
    assert str(text) == "Hi Ada, well done!"
    assert len(text) == len("Hi Ada, well done!")
    assert "Ada, well" in text
    assert as_text("<b>") == plain("<b>")  # a string is words, never markup


def test_empty_text_is_false_and_adds_nothing() -> None:
    assert not plain("")
    assert not Text()
    assert plain("") + "a" == plain("a")


def test_join_and_lines_put_separators_between_parts_only() -> None:
    assert str(join(", ", ["a", bold("b"), "c"])) == "a, b, c"
    assert str(lines("one", bold("two"))) == "one\ntwo"
    assert join(", ", []) == Text()


def test_lines_cut_at_newlines_and_keep_styles() -> None:
    text = bold("Title\nsecond") + "\n\nlast"
    assert text.lines() == [bold("Title"), bold("second"), Text(), plain("last")]


def test_a_moment_needs_an_aware_time() -> None:
    at = datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert moment("18:00", at).spans == (Span("18:00", at=at),)
    with pytest.raises(ValueError, match="aware"):
        moment("18:00", datetime(2026, 11, 30, 17))
