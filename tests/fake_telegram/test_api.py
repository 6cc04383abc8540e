"""The fake Bot API, driven by a real python-telegram-bot `Bot`, in process and over HTTP."""

import asyncio
import datetime as dtm
import struct
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from telegram.constants import ChatType, MessageEntityType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.fake_telegram import (
    DEFAULT_TOKEN,
    FakeBotAPI,
    FakeBotAPIServer,
    InProcessRequest,
    RateLimits,
    errors,
    in_process_bot,
    updates,
)

ADA = updates.user()
KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Done", callback_data="done"), InlineKeyboardButton("Skip", "skip")]]
)


class ManualClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=["inprocess", "http"])
async def any_bot(request, fake_api) -> AsyncIterator[Bot]:
    """Yield a Bot on the fake, in process or over HTTP with a short read timeout."""
    if request.param == "inprocess":
        async with in_process_bot(fake_api) as bot:
            yield bot
        return
    async with (
        FakeBotAPIServer(fake_api) as server,
        Bot(
            fake_api.token, base_url=server.bot_base_url, request=HTTPXRequest(read_timeout=0.5)
        ) as bot,
    ):
        yield bot


async def test_send_message_round_trips_into_a_message(fake_api, fake_bot):
    sent = await fake_bot.send_message(ADA["id"], "Squats today")

    assert isinstance(sent, Message)
    assert (sent.message_id, sent.text, sent.chat.type) == (1, "Squats today", ChatType.PRIVATE)
    assert sent.from_user is not None
    assert sent.from_user.id == fake_bot.id
    assert fake_api.calls("sendMessage")[0].params == {"chat_id": ADA["id"], "text": "Squats today"}
    assert fake_api.sent_texts(ADA["id"]) == ["Squats today"]


async def test_message_ids_increase_per_chat(fake_bot):
    first = await fake_bot.send_message(1, "a")
    second = await fake_bot.send_message(1, "b")
    other = await fake_bot.send_message(2, "c")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)


async def test_inline_keyboard_is_echoed_back(fake_api, fake_bot):
    sent = await fake_bot.send_message(ADA["id"], "Did you train?", reply_markup=KEYBOARD)

    assert sent.reply_markup == KEYBOARD
    assert fake_api.last_message(ADA["id"])["reply_markup"] == KEYBOARD.to_dict()


async def test_html_is_parsed_into_entities_and_bad_html_is_refused(fake_bot):
    sent = await fake_bot.send_message(1, "<b>3×8</b> squats", parse_mode=ParseMode.HTML)

    assert sent.text == "3×8 squats"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [(MessageEntityType.BOLD, 0, 3)]
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await fake_bot.send_message(1, "Hi <Ada>", parse_mode=ParseMode.HTML)


@pytest.mark.parametrize(
    ("markup", "shown"),
    [
        ("Zoë &lt;3 &amp; Co", "Zoë <3 & Co"),
        ("fish & chips; 3 > 2", "fish & chips; 3 > 2"),
        ("&nbsp;&copy;&amp", "&nbsp;&copy;&"),
        ("it&#x27;s &#39;ok&#39; &quot;x&quot;", "it's 'ok' \"x\""),
        ("&#0; &#xD800; &#x110000;", "&#0; &#xD800; &#x110000;"),
        ("<b>a</b > <i>b</>", "a b"),
    ],
)
async def test_html_text_is_decoded_as_telegram_decodes_it(fake_bot, markup, shown):
    sent = await fake_bot.send_message(1, markup, parse_mode=ParseMode.HTML)

    assert sent.text == shown


@pytest.mark.parametrize(
    "markup",
    ["Zoë <3 & Co", "a < b", "<>", "<!-- note -->", "<?x?>", "<b>bold", "</b>", "<b>x</i>", "<b"],
)
async def test_html_that_telegram_refuses_is_refused(fake_bot, markup):
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await fake_bot.send_message(1, markup, parse_mode=ParseMode.HTML)


async def test_the_length_limit_counts_the_text_shown(fake_bot):
    sent = await fake_bot.send_message(1, "&amp;" * 4096, parse_mode=ParseMode.HTML)
    assert sent.text == "&" * 4096
    with pytest.raises(BadRequest, match="Message text is empty"):
        await fake_bot.send_message(1, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_reply_parameters_quote_the_replied_message(fake_bot):
    question = await fake_bot.send_message(1, "How far?")
    answer = await fake_bot.send_message(
        1, "12 km", reply_parameters=ReplyParameters(question.message_id)
    )

    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "How far?"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await fake_bot.send_message(1, "?", reply_parameters=ReplyParameters(99))


async def test_edit_and_delete_messages(fake_api, fake_bot):
    sent = await fake_bot.send_message(1, "Plan", reply_markup=KEYBOARD)

    edited = await fake_bot.edit_message_text("Plan v2", chat_id=1, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert (edited.text, edited.reply_markup, edited.edit_date is not None) == (
        "Plan v2",
        None,
        True,
    )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await fake_bot.edit_message_text("Plan v2", chat_id=1, message_id=sent.message_id)
    await fake_bot.edit_message_reply_markup(1, sent.message_id, reply_markup=KEYBOARD)
    assert fake_api.last_message(1)["reply_markup"] == KEYBOARD.to_dict()

    assert await fake_bot.delete_message(1, sent.message_id)
    assert fake_api.sent_messages(1) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await fake_bot.delete_message(1, sent.message_id)


async def test_send_document_records_the_multipart_upload(fake_api, any_bot):
    sent = await any_bot.send_document(
        1, b"week 1: 3x8 squats", filename="plan.txt", caption="Your plan"
    )

    assert sent.document is not None
    assert (sent.document.file_name, sent.document.file_size) == ("plan.txt", 18)
    assert sent.caption == "Your plan"
    call = fake_api.calls("sendDocument")[0]
    assert call.files["document"].filename == "plan.txt"
    assert call.files["document"].content == b"week 1: 3x8 squats"
    assert call.params == {"chat_id": 1, "caption": "Your plan"}


def png_header(width: int, height: int) -> bytes:
    """The start of a PNG file: its signature and IHDR chunk, all the fake reads."""
    ihdr = struct.pack(">II5B", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0" * 4


async def test_send_photo_keeps_scaled_sizes_and_an_html_caption(fake_api, any_bot):
    sent = await any_bot.send_photo(
        1, png_header(1000, 620), filename="chart.png", caption="<b>4 of 5</b>", parse_mode="HTML"
    )

    assert [(size.width, size.height) for size in sent.photo] == [
        (90, 56),
        (320, 198),
        (800, 496),
        (1000, 620),
    ]
    assert sent.caption == "4 of 5"
    assert sent.caption_entities[0].type == "bold"
    assert fake_api.calls("sendPhoto")[0].files["photo"].filename == "chart.png"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"GIF89a not a png", "IMAGE_PROCESS_FAILED"),
        (png_header(2100, 100), "PHOTO_INVALID_DIMENSIONS"),
        (png_header(9000, 1001), "PHOTO_INVALID_DIMENSIONS"),
    ],
    ids=["not-an-image", "too-narrow", "too-big"],
)
async def test_send_photo_refuses_what_telegram_cannot_show(fake_api, any_bot, content, error):
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await any_bot.send_photo(1, content, filename="chart.png")


async def test_small_calls_answer_true(fake_api, fake_bot):
    assert await fake_bot.answer_callback_query("cbq-1", text="Saved")
    assert await fake_bot.send_chat_action(1, "typing")
    assert await fake_bot.close()
    assert await fake_bot.log_out()
    assert fake_api.calls("answerCallbackQuery")[0].params == {
        "callback_query_id": "cbq-1",
        "text": "Saved",
    }


async def test_commands_are_kept_per_scope_and_language(fake_bot):
    await fake_bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("plan", "Plan")])
    await fake_bot.set_my_commands([BotCommand("start", "Commencer")], language_code="fr")

    assert [c.command for c in await fake_bot.get_my_commands()] == ["start", "plan"]
    assert [c.description for c in await fake_bot.get_my_commands(language_code="fr")] == [
        "Commencer"
    ]
    await fake_bot.delete_my_commands()
    assert await fake_bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await fake_bot.set_my_commands([BotCommand("Start!", "no")])


async def test_chats_and_members_are_configurable(fake_api, fake_bot):
    club = updates.supergroup_chat(title="Chamonix Trail")
    fake_api.add_chat(club)
    fake_api.set_chat_member(club["id"], of=ADA, status="creator")
    anonymous = updates.group_anonymous_bot()
    fake_api.set_chat_member(club["id"], of=anonymous, status="administrator", is_anonymous=True)

    chat = await fake_bot.get_chat(club["id"])
    assert (chat.title, chat.type) == ("Chamonix Trail", ChatType.SUPERGROUP)
    assert isinstance(await fake_bot.get_chat_member(club["id"], ADA["id"]), ChatMemberOwner)
    admin = await fake_bot.get_chat_member(club["id"], updates.GROUP_ANONYMOUS_BOT_ID)
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.is_anonymous
    admins = await fake_bot.get_chat_administrators(club["id"])
    assert [member.user.id for member in admins] == [ADA["id"], updates.GROUP_ANONYMOUS_BOT_ID]

    assert await fake_bot.leave_chat(club["id"])
    assert isinstance(await fake_bot.get_chat_member(club["id"], fake_bot.id), ChatMemberLeft)
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await fake_bot.get_chat_administrators(ADA["id"])


@pytest.mark.parametrize(
    ("failure", "expected", "message"),
    [
        (errors.too_many_requests(7), RetryAfter, "Retry in 0:00:07"),
        (errors.server_error(), NetworkError, "Bad Gateway"),
        (errors.blocked_by_user(), Forbidden, "bot was blocked by the user"),
        (errors.user_deactivated(), Forbidden, "user is deactivated"),
        (errors.chat_not_found(), BadRequest, "Chat not found"),
        (errors.chat_migrated(-1001234), ChatMigrated, "-1001234"),
        (errors.timed_out(), TimedOut, "Timed out"),
        (errors.connection_dropped(), NetworkError, "Connection dropped|Server disconnected"),
    ],
)
async def test_injected_failures_surface_as_ptb_errors(
    fake_api, any_bot, failure, expected, message
):
    fake_api.fail_next("sendMessage", failure)

    with pytest.raises(expected, match=message):
        await any_bot.send_message(1, "hi")
    assert (await any_bot.send_message(1, "again")).text == "again"


async def test_retry_after_carries_the_delay(fake_api, fake_bot):
    fake_api.fail_next("sendMessage", errors.too_many_requests(3))

    with pytest.raises(RetryAfter) as raised:
        await fake_bot.send_message(1, "hi")
    assert raised.value.retry_after == dtm.timedelta(seconds=3)


async def test_failures_can_target_one_chat_and_last_until_cleared(fake_api, fake_bot):
    fake_api.fail_next("sendMessage", errors.blocked_by_user(), times=None, chat_id=2)

    await fake_bot.send_message(1, "fine")
    for _ in range(3):
        with pytest.raises(Forbidden):
            await fake_bot.send_message(2, "blocked")
    fake_api.clear()
    await fake_bot.send_message(2, "unblocked")


async def test_rate_limit_refuses_a_second_message_to_a_chat_within_a_second():
    clock = ManualClock()
    api = FakeBotAPI(clock=clock)
    api.enforce_rate_limits()
    async with in_process_bot(api) as bot:
        await bot.send_message(1, "one")
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(1, "two")
        assert raised.value.retry_after == dtm.timedelta(seconds=1)
        await bot.send_message(2, "another chat is fine")
        clock.advance(1.0)
        await bot.send_message(1, "two, a second later")
    assert api.rate_limit_violations == 1


async def test_rate_limits_per_bot_and_per_group():
    clock = ManualClock()
    api = FakeBotAPI(clock=clock)
    api.enforce_rate_limits(RateLimits(per_bot_per_second=3, per_group_per_minute=2))
    async with in_process_bot(api) as bot:
        for chat_id in (1, 2, 3):
            await bot.send_message(chat_id, "hi")
        with pytest.raises(RetryAfter):
            await bot.send_message(4, "fourth in the same second")
        clock.advance(1.0)
        await bot.send_message(-4001, "group 1")
        clock.advance(1.0)
        await bot.send_message(-4001, "group 2")
        clock.advance(1.0)
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(-4001, "group 3 within the minute")
        assert raised.value.retry_after == dtm.timedelta(seconds=58)
    assert api.rate_limit_violations == 2


async def test_unknown_method_and_wrong_token(fake_api, fake_bot):
    with pytest.raises(EndPointNotFound, match="sendTelepathy"):
        await fake_bot.do_api_request("sendTelepathy")
    assert fake_api.calls("sendTelepathy")
    wrong = Bot("42:WRONG", request=InProcessRequest(fake_api))  # never polls
    with pytest.raises(InvalidToken):
        await wrong.initialize()


async def test_get_updates_confirms_by_offset(fake_api, fake_bot):
    first = fake_api.push_update(updates.text_message(text="one"))
    second = fake_api.push_update(updates.text_message(text="two"))

    got = await fake_bot.get_updates()
    assert [u.update_id for u in got] == [first["update_id"], second["update_id"]]
    assert [u.update_id for u in await fake_bot.get_updates(offset=second["update_id"])] == [
        second["update_id"]
    ]
    assert await fake_bot.get_updates(offset=second["update_id"] + 1) == ()


async def test_get_updates_long_polls_until_an_update_arrives(fake_api, any_bot):
    poll = asyncio.create_task(any_bot.get_updates(timeout=5))
    await fake_api.wait_for_call("getUpdates")
    assert not poll.done()

    pushed = fake_api.push_update(updates.text_message(text="/start"))
    async with asyncio.timeout(5):
        got = await poll
    assert [u.update_id for u in got] == [pushed["update_id"]]
    assert got[0].message is not None
    assert got[0].message.text == "/start"


async def test_webhook_info_and_conflict_with_get_updates(fake_api, fake_bot):
    await fake_bot.set_webhook("https://coach.example/hook", secret_token="s3cret")
    fake_api.push_update(updates.text_message())

    info = await fake_bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://coach.example/hook", 1)
    with pytest.raises(Conflict, match="webhook is active"):
        await fake_bot.get_updates()
    with pytest.raises(BadRequest, match="Secret token contains unallowed characters"):
        await fake_bot.set_webhook("https://coach.example/hook", secret_token="not ok!")
    await fake_bot.delete_webhook(drop_pending_updates=True)
    assert (await fake_bot.get_webhook_info()).url == ""
    assert await fake_bot.get_updates() == ()


async def test_latency_is_applied_per_call():
    api = FakeBotAPI(latency=0.05)
    async with in_process_bot(api) as bot:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await bot.send_message(1, "slow")
        assert loop.time() - started >= 0.05


async def test_real_telegram_is_never_reached(no_real_telegram):
    with pytest.raises(NetworkError, match=r"tried to reach https://api\.telegram\.org"):
        async with Bot(DEFAULT_TOKEN):
            pass

    assert no_real_telegram == [f"https://api.telegram.org/bot{DEFAULT_TOKEN}/getMe"]
    no_real_telegram.clear()


async def test_pushed_messages_take_the_chats_next_id_and_never_overwrite_the_bots(
    fake_api, fake_bot
):
    ada = updates.user()
    sent = await fake_bot.send_message(ada["id"], "Welcome")
    pushed = fake_api.push_update(
        updates.text_message(text="hi", from_user=ada, message_id=sent.message_id)
    )
    assert pushed["message"]["message_id"] == sent.message_id + 1
    assert fake_api.sent_texts(ada["id"]) == ["Welcome"]


async def test_a_pressed_button_does_not_restore_an_old_copy_of_its_message(fake_api, fake_bot):
    ada = updates.user()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="d")]])
    sent = await fake_bot.send_message(ada["id"], "Pick", reply_markup=keyboard)
    old_copy = fake_api.last_message(ada["id"])
    await fake_bot.edit_message_text("Picked", chat_id=ada["id"], message_id=sent.message_id)
    fake_api.push_update(updates.callback_query(message=old_copy, data="d", from_user=ada))
    assert fake_api.sent_texts(ada["id"]) == ["Picked"]
