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
)
from telegram import (
    Message as TelegramMessage,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.services.presentation.replies import Button, Document, Message, Reply
from bot.services.presentation.text import Style, Text
from handlers.pieces import pieces

logger = logging.getLogger(__name__)

# Telegram counts characters once the markup is parsed; counting the markup too keeps every
# piece safely within the limits.
MAX_MESSAGE = 4096  # characters of a message's text
MAX_CAPTION = 1024  # characters of a photo's or document's caption
MAX_CALLBACK_BYTES = 64
_TAGS = {Style.BOLD: "b", Style.ITALIC: "i"}


def html(text: Text) -> str:
    """The text as Telegram HTML, every span escaped (a moment shows as it is worded)."""
    return "".join(
        f"<{tag}>{escape(span.text)}</{tag}>"
        if (tag := _TAGS.get(span.style))
        else escape(span.text)
        for span in text.spans
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


async def send(bot: Bot, chat_id: int | str, reply: Reply) -> list[TelegramMessage]:
    """Send every message of a reply to a chat, in order."""
    return [await send_one(bot, chat_id, message) for message in reply]


async def send_one(bot: Bot, chat_id: int | str, message: Message) -> TelegramMessage:
    """Send one message: text with its buttons (split if long, the buttons on the last
    piece), or a document or photo with the text as caption; returns the last one sent."""
    file = message.image or message.document
    if file is not None:
        return await _send_file(bot, chat_id, message, file)
    *first, last = pieces(message.text, limit=MAX_MESSAGE, render=html)
    for piece in first:
        await bot.send_message(chat_id, piece, parse_mode=ParseMode.HTML)
    return await bot.send_message(
        chat_id, last, parse_mode=ParseMode.HTML, reply_markup=keyboard(message, bot.username)
    )


async def _send_file(
    bot: Bot, chat_id: int | str, message: Message, file: Document
) -> TelegramMessage:
    """The image or document with the text as its caption (what does not fit follows)."""
    caption, *rest = pieces(message.text, limit=MAX_CAPTION, render=html)
    upload = InputFile(file.content, filename=file.filename)
    if file is message.image:
        sent = await bot.send_photo(chat_id, upload, caption=caption, parse_mode=ParseMode.HTML)
    else:
        sent = await bot.send_document(chat_id, upload, caption=caption, parse_mode=ParseMode.HTML)
    for piece in rest:
        sent = await bot.send_message(chat_id, piece, parse_mode=ParseMode.HTML)
    return sent


async def answer_button(query: CallbackQuery, reply: Reply) -> None:
    """Answer a pressed button: a toast for the presser, its message edited in place or
    settled (its buttons removed, the choice noted), and the rest of the reply sent. The
    three go out together: none waits for another's round trip to Telegram."""
    toast = str(reply[0].text) if reply and reply[0].toast else None
    reply = reply[1:] if toast is not None else reply
    pressed = query.message if isinstance(query.message, TelegramMessage) else None
    if pressed is None or not reply:
        await query.answer(toast)
        return
    first, *rest = reply
    text = html(first.text)
    editable = first.document is None and first.image is None and len(text) <= MAX_MESSAGE
    if first.replace and editable:
        settle = _edit(pressed, text, keyboard(first, pressed.get_bot().username))
        reply = tuple(rest)
    else:  # a stale press changed nothing: its buttons go, and no choice is marked
        settle = _settle(pressed, "" if first.stale else query.data or "")
    await asyncio.gather(
        query.answer(toast), settle, send(pressed.get_bot(), pressed.chat_id, reply)
    )


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
