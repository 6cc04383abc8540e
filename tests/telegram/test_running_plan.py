"""/plan on Telegram (issue 31): the link typed after the command, one question a message
with buttons, none left live once answered, and the link never shown back."""

from __future__ import annotations

from tests.fake_telegram import FakeBotAPI
from tests.plan_feed.adapters import ANSWERS, coach, feed
from tests.plan_feed.calendars import SECRET
from tests.plan_feed.server import FeedServer
from tests.telegram.conftest import TelegramUser

__all__ = ["coach", "feed"]


async def test_linking_a_plan_and_confirming_its_events(
    ada: TelegramUser, feed: FeedServer, fake_api: FakeBotAPI
) -> None:
    await ada.onboard()
    await ada.send(f"/plan link {feed.url(SECRET)}")
    assert any("Tue 24 Nov: Hill reps 8 × 1 min → hard run" in text for text in ada.texts)
    assert ada.last_text.startswith("Is “Hill reps 8 × 1 min” (Tue 24 Nov) a hard run?")
    assert len(ada.live) == 1
    for label in ANSWERS:
        await ada.press(label)
        assert len(ada.live) <= 1  # one live question at a time
    assert ada.live == []  # no buttons left once answered
    assert any("from now on I read" in text for text in ada.texts)
    assert not any(SECRET in text for text in ada.texts)
    await ada.send("/plan unlink")
    assert "I no longer follow your running plan" in ada.last_text
