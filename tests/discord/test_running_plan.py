"""/plan on Discord (issue 31): the link as the slash command's option, one question a
message with components, none left live once answered, and unlink as an option."""

from __future__ import annotations

from tests.discord.conftest import DiscordUser
from tests.fake_discord import payloads
from tests.plan_feed.adapters import ANSWERS, coach, feed
from tests.plan_feed.calendars import SECRET
from tests.plan_feed.server import FeedServer

__all__ = ["coach", "feed"]


async def test_linking_a_plan_and_confirming_its_events(ada: DiscordUser, feed: FeedServer) -> None:
    await ada.onboard()
    await ada.harness.interact(payloads.slash("plan", ada.where(), link=feed.url(SECRET)))
    assert any("Tue 24 Nov: Hill reps 8 × 1 min → hard run" in text for text in ada.texts)
    assert "Is “Hill reps 8 × 1 min” (Tue 24 Nov) a hard run?" in ada.last_text
    assert len(ada.live) == 1
    for label in ANSWERS:
        await ada.press(label)
        assert len(ada.live) <= 1
    assert ada.live == []
    assert any("from now on I read" in text for text in ada.texts)
    assert not any(SECRET in text for text in ada.texts)
    await ada.command("plan", unlink=True)
    assert "I no longer follow your running plan" in ada.last_text
