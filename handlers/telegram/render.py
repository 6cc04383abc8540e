"""Rendering the coach's platform-neutral replies as Telegram messages."""

from __future__ import annotations

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

from bot.services.replies import Button, Message, Reply

logger = logging.getLogger(__name__)


def keyboard(message: Message, bot_username: str) -> InlineKeyboardMarkup | None:
    """The message's buttons as an inline keyboard; deep links open a private chat."""
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, callback_data=b.data)
                if isinstance(b, Button)
                else InlineKeyboardButton(
                    b.label, url=f"https://t.me/{bot_username}?start={b.payload}"
                )
                for b in row
            ]
            for row in message.buttons
        ]
    )


async def send(bot: Bot, chat_id: int | str, reply: Reply) -> list[TelegramMessage]:
    """Send every message of a reply to a chat, in order."""
    return [await send_one(bot, chat_id, message) for message in reply]


async def send_one(bot: Bot, chat_id: int | str, message: Message) -> TelegramMessage:
    """Send one message: text with its buttons, or a document or photo with the text as caption."""
    if message.image is not None:
        return await bot.send_photo(
            chat_id,
            InputFile(message.image.content, filename=message.image.filename),
            caption=message.text,
            parse_mode=ParseMode.HTML,
        )
    if message.document is not None:
        document = message.document
        return await bot.send_document(
            chat_id,
            InputFile(document.content, filename=document.filename),
            caption=message.text,
        )
    return await bot.send_message(
        chat_id,
        message.text,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(message, bot.username),
    )


async def answer_button(query: CallbackQuery, reply: Reply) -> None:
    """Answer a pressed button: a toast for the presser, then edit its message in place, or
    settle it (remove its buttons, note the choice) and send the rest of the reply."""
    toast = reply[0].text if reply and reply[0].toast else None
    await query.answer(toast)
    reply = reply[1:] if toast is not None else reply
    pressed = query.message if isinstance(query.message, TelegramMessage) else None
    if pressed is None or not reply:
        return
    first, *rest = reply
    if first.replace and first.document is None and first.image is None:
        await _edit(pressed, first.text, keyboard(first, pressed.get_bot().username))
        reply = tuple(rest)
    else:  # a stale press changed nothing: its buttons go, and no choice is marked
        await _settle(pressed, "" if first.stale else query.data or "")
    await send(pressed.get_bot(), pressed.chat_id, reply)


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
