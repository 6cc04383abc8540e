"""Club mode end to end over loopback HTTP: an admin sets the club up, the tick posts the
club session, members press "I did it". The bot polls the fake server like the real one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.delivery.rate_limit import RateLimiter
from bot.delivery.route import Route
from bot.services.coach import Coach
from handlers.live_questions import LiveQuestions
from handlers.telegram.application import CoachApplication
from handlers.telegram.notifier import TelegramNotifier
from schedules.dispatch import Dispatcher
from schedules.tick import Tick
from tests.conftest import FakeClock
from tests.fake_telegram import FakeBotAPI, updates

JSONDict = dict[str, Any]
GROUP = updates.supergroup_chat(chat_id=-1001000000042, title="Valley Trail Club")
ADMIN = updates.user(user_id=5001, first_name="Ana")
MEMBERS = [
    updates.user(user_id=5002, first_name="Ben"),
    updates.user(user_id=5003, first_name="Cy"),
]


class Group:
    """People acting in the club's group; every update travels over HTTP to the bot."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    def last(self) -> JSONDict:
        return self.api.last_message(GROUP["id"])

    def labels(self) -> list[str]:
        markup = self.last().get("reply_markup") or {}
        return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]

    def _answers(self) -> int:
        return sum(len(self.api.calls(method)) for method in ("sendMessage", "editMessageText"))

    async def push(self, update: JSONDict) -> None:
        """Push an update and wait for the bot's answer (a message sent, or one edited)."""
        before = self._answers()
        self.api.push_update(update)
        await self.api.wait_until(lambda: self._answers() > before or None, within=10)

    async def say(self, text: str, *, by: JSONDict, reply: bool = False) -> None:
        extra = {"reply_to_message": self.last()} if reply else {}
        await self.push(updates.text_message(text=text, chat=GROUP, from_user=by, **extra))

    async def press(self, label: str, *, by: JSONDict) -> None:
        """Press the button with this label on the last message, once it offers it."""
        message, data = await self.api.wait_until(lambda: self._offering(label), within=10)
        await self.push(updates.callback_query(message=message, data=data, from_user=by))

    def _offering(self, label: str) -> tuple[JSONDict, str] | None:
        message = self.last()
        markup = message.get("reply_markup") or {}
        return next(
            (
                (message, str(b["callback_data"]))
                for row in markup.get("inline_keyboard", [])
                for b in row
                if b["text"].removeprefix("✓ ") == label
            ),
            None,
        )


async def test_admin_setup_then_club_post_then_i_did_it(
    http_app: CoachApplication, fake_api: FakeBotAPI, coach: Coach, clock: FakeClock
) -> None:
    group = Group(fake_api)
    clock.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday

    await group.push(
        updates.my_chat_member(
            bot=fake_api.bot_user,
            chat=GROUP,
            old_status="left",
            new_status="member",
            from_user=ADMIN,
        )
    )
    assert "Hello, Valley Trail Club!" in group.last()["text"]

    fake_api.set_chat_member(GROUP["id"], of=ADMIN, status="administrator")
    await group.say("/club", by=ADMIN)
    for day in ("Tuesday", "Thursday"):
        await group.press(day, by=ADMIN)
    await group.press("Done", by=ADMIN)
    await group.say("18:30", by=ADMIN, reply=True)
    await group.press("Europe/Berlin", by=ADMIN)
    await group.press("Starting out", by=ADMIN)
    await group.press("Yes", by=ADMIN)
    assert "Club sessions: Tuesday, Thursday, posted at 18:30" in group.last()["text"]

    route = Route(TelegramNotifier(http_app.bot, LiveQuestions()), RateLimiter(30))
    tick = Tick(coach.ctx, Dispatcher(coach.ctx, {"telegram": route}))
    clock.now = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    await tick.run(clock.now)  # ticking all along, it has had the post in view for a day
    clock.now = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # Tuesday, 18:30 in Berlin
    counts = await tick.run(clock.now)
    assert counts["sent"] >= 1
    post = group.last()
    assert post["text"].startswith("Club session")
    assert group.labels() == ["💪 I did it", "My personal plan"]

    await group.press("💪 I did it", by=MEMBERS[0])
    await group.press("💪 I did it (1)", by=MEMBERS[1])
    assert group.labels()[0] == "💪 I did it (2)"
    await group.press("💪 I did it (2)", by=MEMBERS[1])
    assert group.labels()[0] == "💪 I did it (1)"
    assert fake_api.calls("answerCallbackQuery")[-1].params["text"].startswith("Taken back")
