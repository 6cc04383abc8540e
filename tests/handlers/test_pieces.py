"""Long messages are cut for a platform at blank lines, then lines, to fit its limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.presentation.text import Span, Style, Text, bold, join
from handlers.pieces import pieces
from handlers.telegram.messages import html


def long_text(paragraphs: int) -> Text:
    return join(
        "\n\n",
        (
            bold(f"Part {n}") + "\n" + "\n".join(f"line {n}.{k}: " + "x" * 60 for k in range(6))
            for n in range(paragraphs)
        ),
    )


def test_a_short_text_is_one_piece() -> None:
    assert pieces(bold("Hi"), limit=100, render=html) == ["<b>Hi</b>"]


def test_long_text_is_cut_at_blank_lines_into_pieces_that_fit() -> None:
    text = long_text(30)
    cut = pieces(text, limit=1000, render=html)
    assert len(cut) > 1
    assert all(len(piece) <= 1000 for piece in cut)
    assert all(piece.startswith("<b>Part ") for piece in cut)
    assert "\n\n".join(cut) == html(text)


def test_paragraphs_stay_whole_when_they_fit() -> None:
    text = Text((Span("first paragraph"),)) + "\n\n" + bold("second") + "\n\nthird"
    assert pieces(text, limit=30, render=html) == [
        "first paragraph\n\n<b>second</b>",
        "third",
    ]


def test_a_single_overlong_line_is_cut_to_fit() -> None:
    cut = pieces(Text((Span("x" * 2010),)), limit=1000, render=str)
    assert [len(piece) for piece in cut] == [1000, 1000, 10]


def test_escaping_is_counted_against_the_limit() -> None:
    cut = pieces(Text((Span("&" * 50),)), limit=20, render=html)
    assert all(len(piece) <= 20 for piece in cut)
    assert "".join(cut) == "&amp;" * 50


@pytest.mark.slow
@given(
    st.lists(
        st.tuples(st.text(min_size=0, max_size=40), st.sampled_from(list(Style))),
        max_size=30,
    ),
    st.integers(min_value=12, max_value=200),
)
def test_every_piece_fits_and_no_word_is_lost(spans: list[tuple[str, Style]], limit: int) -> None:
    text = Text(tuple(Span(words, style) for words, style in spans))
    cut = pieces(text, limit=limit, render=str)
    assert all(len(piece) <= limit for piece in cut)
    assert "".join(cut).replace("\n", "") == str(text).replace("\n", "")
