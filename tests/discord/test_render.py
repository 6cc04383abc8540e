"""Rendering replies for Discord: escaped Markdown, 2,000-character pieces, component limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.presentation.replies import Button, DeepLink, Document, Message, Typed
from bot.services.presentation.text import Span, Style, Text, bold, italic, moment, plain
from handlers.discord.messages import (
    MAX_CONTENT,
    SEPARATOR,
    TYPE_ANSWER,
    custom_id,
    form_of,
    label,
    markdown,
    outgoing,
    rows,
    view,
)
from tests.fake_discord.markdown import read, shown


def test_every_span_is_escaped_and_styled() -> None:
    text = bold("Ada_**O**") + " & " + italic("her ") + "`race` # 1"
    assert markdown(text) == "**Ada\\_\\*\\*O\\*\\*** & *her* \\`race\\` \\# 1"
    assert read(markdown(text)) == str(text)
    assert markdown(plain("# Big\n> quote")) == "\\# Big\n\\> quote"


def test_nothing_a_person_typed_reads_as_a_mention_or_a_timestamp() -> None:
    typed = "<@123> @everyone @here <#42> <t:1:t> </help:9> ada@example.com"
    assert shown(typed)[0].kind == "mention"  # what the model would see unescaped
    rendered = markdown(plain(typed))
    assert [run.kind for run in shown(rendered)] == ["text"]
    assert read(rendered) == typed


def test_a_link_stays_a_link() -> None:
    assert markdown(plain("see https://example.com/a_b*c")) == "see https://example.com/a_b*c"


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        (bold("Ada") + italic("Lovelace"), [("Ada", {"strong"}), ("Lovelace", {"em"})]),
        (italic("Ada") + bold("Lovelace"), [("Ada", {"em"}), ("Lovelace", {"strong"})]),
        (bold("Ada") + bold("*"), [("Ada", {"strong"}), ("*", {"strong"})]),
        (italic("her") + "s", [("her", {"em"}), ("s", set())]),
    ],
)
def test_touching_styles_read_as_written(text: Text, seen: list[tuple[str, set[str]]]) -> None:
    runs = [(run.text, set(run.styles)) for run in shown(markdown(text))]
    assert [run for run in runs if run[0] != SEPARATOR] == seen


STYLES = {"strong": Style.BOLD, "em": Style.ITALIC}
HOSTILE = st.sampled_from([*"*_~`|\\<>@#-:.1 \n", "everyone", "<@123>", "<t:1:t>", "é", "x"])
SPANS = st.builds(
    lambda parts, style: Span("".join(parts), style),
    st.lists(HOSTILE, min_size=1, max_size=6),
    st.sampled_from(list(Style)),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(spans=st.lists(SPANS, min_size=1, max_size=4))
def test_any_text_reads_as_written_in_its_styles(spans: list[Span]) -> None:
    """Every character shows as typed, in its span's style (spaces at a span's edge go
    unstyled, since marks must touch words), and nothing reads as a mention."""
    runs = shown(markdown(Text(tuple(spans))))
    assert all(run.kind == "text" for run in runs)
    seen = [
        (character, {STYLES[style] for style in run.styles})
        for run in runs
        for character in run.text
        if character != SEPARATOR
    ]
    typed = [
        (character, set() if span.style is Style.PLAIN else {span.style})
        for span in spans
        for character in span.text
    ]
    assert [c for c, _ in seen] == [c for c, _ in typed]
    assert all(a == b for (c, a), (_, b) in zip(seen, typed, strict=True) if not c.isspace())


def test_a_moment_is_a_discord_timestamp_each_reader_sees_in_their_own_time() -> None:
    at = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    text = bold("Club session") + ", " + moment("18:30", at)
    assert markdown(text) == f"**Club session**, <t:{int(at.timestamp())}:t>"


def test_a_long_message_is_split_with_the_buttons_under_the_last_piece() -> None:
    text = "\n\n".join(f"Paragraph {n}: " + "_" * 500 for n in range(8))  # escaped: 1,000
    parts = outgoing(Message(plain(text), ((Button("OK", "ok"),),)))
    assert len(parts) > 1
    assert all(len(part.content) <= MAX_CONTENT for part in parts)
    assert [part.view is not None for part in parts] == [False] * (len(parts) - 1) + [True]


async def test_rows_hold_at_most_five_buttons_and_five_rows() -> None:
    wide = Message(plain("Pick"), (tuple(Button(str(n), f"d:{n}") for n in range(7)),))
    assert [len(row) for row in rows(wide)] == [5, 2]
    many = Message(plain("Pick"), tuple((Button(str(n), f"d:{n}"),) for n in range(12)))
    assert [len(row) for row in rows(many)] == [5, 5, 2]
    too_many = Message(plain("Pick"), tuple((Button(str(n), f"d:{n}"),) for n in range(26)))
    with pytest.raises(ValueError, match="at most 25"):
        rows(too_many)


async def test_custom_ids_and_labels_keep_to_discords_limits() -> None:
    assert custom_id("d" * 100) == "d" * 100
    with pytest.raises(ValueError, match="1-100"):
        custom_id("d" * 101)
    assert len(label("y" * 200)) == 80
    components = view(Message(plain("x"), ((DeepLink("Continue in private", "club7"),),)))
    assert components is not None
    assert components.is_finished()  # stopped: the library never keeps it
    (button,) = components.children
    assert button.to_component_dict()["custom_id"] == "dm:club7"


def test_a_question_that_takes_typed_text_offers_a_form_only_where_asked() -> None:
    typed = Typed("When?", "Post time", "18:30")
    question = Message(plain("When?"), ((Button("18:00", "club:ab:time:18:00"),),), typed=typed)
    assert rows(question) == [[Button("18:00", "club:ab:time:18:00")]]
    ((form,),) = rows(question, typing=True)[-1:]
    assert isinstance(form, Button)
    assert form.label == "✏️ Type an answer"
    assert form.data.startswith(TYPE_ANSWER)
    assert form_of(form.data) == typed  # the form's words ride in the button


def test_a_document_is_attached_to_the_first_piece() -> None:
    (part,) = outgoing(
        Message(plain("Your data"), document=Document("d.json", b"{}", "application/json"))
    )
    assert part.file is not None and part.file.filename == "d.json"
