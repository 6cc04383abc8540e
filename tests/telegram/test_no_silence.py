"""No silence on Telegram: a command addressed to another bot in the private chat, and one
addressed to this bot in a group, get an answer (issue 27)."""

from __future__ import annotations

from tests.telegram.conftest import TelegramUser
from tests.telegram.test_clubs import MEMBER, SUPERGROUP, bot_joins, say_in


async def test_a_command_for_another_bot_in_the_private_chat_is_answered(
    ada: TelegramUser,
) -> None:
    await ada.send("/today@OtherBot")
    assert (
        ada.last_text == "That command is addressed to @OtherBot, not to me. Send /today to ask me."
    )


async def test_in_a_group_only_a_command_addressed_to_this_bot_is_answered(
    ada: TelegramUser,
) -> None:
    await bot_joins(ada, SUPERGROUP)
    shown = len(ada.api.sent_texts(SUPERGROUP["id"]))
    await say_in(ada, SUPERGROUP, "/moonwalk", by=MEMBER)  # perhaps another bot's
    await say_in(ada, SUPERGROUP, "/moonwalk@OtherBot", by=MEMBER)
    assert len(ada.api.sent_texts(SUPERGROUP["id"])) == shown
    await say_in(ada, SUPERGROUP, "/moonwalk@TrailCoachTestBot", by=MEMBER)
    assert ada.api.sent_texts(SUPERGROUP["id"])[-1].startswith("I don't know /moonwalk.")
