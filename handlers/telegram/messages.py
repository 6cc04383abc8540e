"""Rendering the coach's platform-neutral replies as Telegram messages."""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram import (
    Message as TelegramMessage,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.services.presentation.cues import Cue, Words
from bot.services.presentation.replies import Button, Document, Message, Place, Reply
from bot.services.presentation.text import Style, Text
from handlers.live_questions import LiveQuestions
from handlers.pieces import pieces

logger = logging.getLogger(__name__)

# Telegram counts characters once the markup is parsed; counting the markup too keeps every
# piece safely within the limits.
MAX_MESSAGE = 4096  # characters of a message's text
MAX_CAPTION = 1024  # characters of a photo's or document's caption
MAX_CALLBACK_BYTES = 64
_TAGS = {Style.BOLD: "b", Style.ITALIC: "i"}
WORDS: Words = {
    Cue.CHOOSE_MANY: "Tap all that apply, then Done.",
    Cue.CHOOSE_ONE: "Please tap one of the buttons below.",
    Cue.SHARE_LOCATION: " You can also share your location (📎, then Location).",
    Cue.TYPE_IN_CLUB_CHAT: " To type it, reply to this message.",
    Cue.PRIVATE_CHAT: "a private chat with me",
    Cue.THE_GROUP: "the group",
    Cue.THIS_GROUP: "this group",
    Cue.GROUP_ADMINS: "the group's admins",
    Cue.PRESS: "tap",
    Cue.NO_CALENDAR_LINK: (
        "\n\nA link your calendar app could follow by itself needs the bot to run on a public "
        "web address (webhook mode), and right now it doesn't, so the file is the way for now."
    ),
}
"""The coach's cues in Telegram's words."""


def html(text: Text) -> str:
    """The text as Telegram HTML in Telegram's words, every span escaped (a moment shows as
    it is worded)."""
    return "".join(
        f"<{tag}>{escape(span.text)}</{tag}>"
        if (tag := _TAGS.get(span.style))
        else escape(span.text)
        for span in text.worded(WORDS).spans
    )


def keyboard(message: Message, bot_username: str) -> InlineKeyboardMarkup | None:
    """The message's buttons as an inline keyboard; deep links open a private chat."""
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, callback_data=callback_data(b))
                if isinstance(b, Button)
                else InlineKeyboardButton(
                    b.label, url=f"https://t.me/{bot_username}?start={b.payload}"
                )
                for b in row
            ]
            for row in message.buttons
        ]
    )


def callback_data(button: Button) -> str:
    """The button's data, which Telegram keeps only up to 64 bytes."""
    if not 0 < len(button.data.encode()) <= MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data must be 1-{MAX_CALLBACK_BYTES} bytes: {button.data!r}")
    return button.data


async def deliver(bot: Bot, update: Update, reply: Reply, questions: LiveQuestions) -> None:
    """Answer ``update`` with ``reply``: a pressed button's answer (``answer_button``), else
    messages to the update's chat."""
    if update.callback_query is not None:
        await answer_button(update.callback_query, reply, questions)
    elif update.effective_chat is not None and reply:
        await send(bot, update.effective_chat.id, reply, questions)


async def send(
    bot: Bot, chat_id: int | str, reply: Reply, questions: LiveQuestions
) -> list[TelegramMessage]:
    """Send every message of a reply to a chat, in order."""
    return [await send_one(bot, chat_id, message, questions) for message in reply]


async def send_one(
    bot: Bot, chat_id: int | str, message: Message, questions: LiveQuestions
) -> TelegramMessage:
    """Send one message: text with its buttons (split if long, the buttons on the last
    piece), or a document or photo with the text as caption; returns the last one sent. A
    dialog's question sent below takes the buttons off the one it leaves behind."""
    file = message.image or message.document
    if file is not None:
        sent = await _send_file(bot, chat_id, message, file)
    else:
        *first, last = pieces(message.shown.worded(WORDS), limit=MAX_MESSAGE, render=html)
        for piece in first:
            await bot.send_message(chat_id, piece, parse_mode=ParseMode.HTML)
        markup = keyboard(message, bot.username)
        sent = await bot.send_message(chat_id, last, parse_mode=ParseMode.HTML, reply_markup=markup)
    await _moved_on(bot, sent, message, questions)
    return sent


async def _send_file(
    bot: Bot, chat_id: int | str, message: Message, file: Document
) -> TelegramMessage:
    """The image or document with the text as its caption (what does not fit follows)."""
    caption, *rest = pieces(message.shown.worded(WORDS), limit=MAX_CAPTION, render=html)
    upload = InputFile(file.content, filename=file.filename)
    if file is message.image:
        sent = await bot.send_photo(chat_id, upload, caption=caption, parse_mode=ParseMode.HTML)
    else:
        sent = await bot.send_document(chat_id, upload, caption=caption, parse_mode=ParseMode.HTML)
    for piece in rest:
        sent = await bot.send_message(chat_id, piece, parse_mode=ParseMode.HTML)
    return sent


async def answer_button(query: CallbackQuery, reply: Reply, questions: LiveQuestions) -> None:
    """Answer a pressed button: a toast for the presser; the pressed message edited in place
    (a dialog's next question), or left behind without its buttons (marked with the choice,
    unless the press was out of date); and the rest of the reply sent. They go out together:
    none waits for another's round trip to Telegram."""
    toast = next((str(m.text.worded(WORDS)) for m in reply if m.toast), None)
    rest = [m for m in reply if not m.toast]
    pressed = query.message if isinstance(query.message, TelegramMessage) else None
    stale = any(m.stale for m in reply)
    if pressed is None or not (rest or stale):
        await _toast(query, toast)
        return
    first = rest[0] if rest else None
    if first is not None and first.place is Place.PRESSED and _editable(first):
        settle = _in_place(pressed, first, questions)
        rest = rest[1:]
    else:  # left behind; out of date, it changed nothing: its buttons go, no choice marked
        mark = first is not None and first.place is Place.BELOW and not stale
        settle = _settle(pressed, (query.data or "") if mark else "")
    bot = pressed.get_bot()
    await asyncio.gather(
        _toast(query, toast), settle, send(bot, pressed.chat_id, tuple(rest), questions)
    )


async def _toast(query: CallbackQuery, toast: str | None) -> None:
    """Answer the press (with a toast), unless Telegram no longer takes an answer to it (it
    came long ago: a reply sent again after a restart); the rest of the reply still goes."""
    try:
        await query.answer(toast)
    except BadRequest as error:
        logger.info("could not answer a pressed button: %s", error.message)


def _editable(message: Message) -> bool:
    """Whether a message can take the place of a text message: text only, short enough."""
    plain_text = message.document is None and message.image is None
    return plain_text and len(html(message.shown)) <= MAX_MESSAGE


async def _in_place(pressed: TelegramMessage, message: Message, questions: LiveQuestions) -> None:
    """The pressed message becomes ``message`` (or, if it can no longer be edited, loses its
    buttons and ``message`` goes below)."""
    bot = pressed.get_bot()
    try:
        await _edit(pressed, html(message.shown), keyboard(message, bot.username))
    except BadRequest as error:
        logger.warning("could not edit message %s: %s", pressed.message_id, error.message)
        await asyncio.gather(
            _settle(pressed, ""), send_one(bot, pressed.chat_id, message, questions)
        )
        return
    await _moved_on(bot, pressed, message, questions)


async def _moved_on(
    bot: Bot, sent: TelegramMessage, message: Message, questions: LiveQuestions
) -> None:
    """After a dialog's message: the question it leaves behind loses its buttons."""
    chat_id = sent.chat_id
    behind = questions.moved_on(str(chat_id), str(sent.message_id), message.part)
    if behind is None:
        return
    try:
        await bot.edit_message_reply_markup(chat_id, int(behind), reply_markup=None)
    except BadRequest as error:  # too old to edit, deleted, or already without buttons
        logger.info("could not take the buttons off message %s: %s", behind, error.message)


async def _settle(pressed: TelegramMessage, data: str) -> None:
    """Remove the pressed message's buttons, noting which one was chosen."""
    chosen = next(
        (
            button.text
            for row in (pressed.reply_markup.inline_keyboard if pressed.reply_markup else ())
            for button in row
            if button.callback_data == data
        ),
        None,
    )
    try:
        if pressed.text and chosen is not None:
            await _edit(pressed, f"{pressed.text_html}\n\n<b>→ {escape(chosen)}</b>", None)
        elif pressed.reply_markup is not None:
            await pressed.edit_reply_markup(None)
    except BadRequest as error:  # too old to edit, or already settled: the reply still goes out
        logger.warning("could not settle message %s: %s", pressed.message_id, error.message)


async def _edit(pressed: TelegramMessage, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await pressed.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
