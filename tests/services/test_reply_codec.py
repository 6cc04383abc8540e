"""A reply owed is written down until it is sent (issue 30): it reads back as it was."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.presentation.cues import Cue
from bot.services.presentation.replies import (
    Button,
    DeepLink,
    Document,
    Message,
    Part,
    Place,
    Typed,
    decode,
    encode,
    toast,
)
from bot.services.presentation.text import Span, Style, Text, bold, moment, plain


def test_every_part_of_a_reply_reads_back_as_it_was_written() -> None:
    at = datetime(2026, 12, 7, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))
    png = bytes(range(256)) * 4  # not text: written in base64
    reply = (
        Message(
            plain("Ta séance 💪 ")
            + bold("Ada")
            + moment("18:30", at)
            + Text((Span("tap", cue=Cue.PRESS),)),
            buttons=((Button("Done ✓", "d:2026-12-07"), DeepLink("Privately", "club7")),),
            image=Document("progress.png", png, "image/png"),
            place=Place.PRESSED,
            part=Part.ASKS,
            settled=Text((Span("Experience: None yet", Style.ITALIC),)),
            typed=Typed("Race date?", "Date", "2027-05-01"),
        ),
        Message(plain("export"), document=Document("data.json", b'{"a": 1}', "application/json")),
        *toast("Saved."),
    )

    back = decode(encode(reply))

    assert back == reply
    assert back[0].text.spans[2].at == at  # the same moment (its offset kept, not its zone's name)
