"""What happens when a handler fails: log it with context, reassure the person, keep going."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.services.coach import COMMANDS, SORRY
from bot.services.infrastructure.inbound import HandledElsewhere, Lapsed

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with the update's context, and tell the person their data is safe."""
    if not isinstance(update, Update):
        logger.error("background task failed", exc_info=context.error)
        return
    if isinstance(context.error, HandledElsewhere):  # the other instance answered it
        logger.warning(
            "update %s was handled by another instance while this one was held up; its "
            "effects here were rolled back",
            update.update_id,
        )
        return
    if isinstance(context.error, Lapsed):  # the instance that took it over answers it
        logger.warning(
            "update %s: this instance outlived its lease while answering it; whoever took its "
            "conversation over sends the reply",
            update.update_id,
        )
        return
    user = update.effective_user
    chat = update.effective_chat
    logger.error(
        "handler failed: update %s, user %s, chat %s, %s",
        update.update_id,
        user.id if user else None,
        chat.id if chat else None,
        _kind(update),
        exc_info=context.error,
    )
    if chat is None or isinstance(context.error, Forbidden):
        return
    try:
        await context.bot.send_message(chat.id, SORRY)
    except TelegramError as error:
        logger.warning("could not tell chat %s about the failure: %s", chat.id, error.message)


def _kind(update: Update) -> str:
    """What the update was, without anything the person typed: a command is named only if it
    is one of the coach's own."""
    if update.callback_query is not None:
        return f"button {update.callback_query.data!r}"
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        word = message.text[1:].partition(" ")[0].partition("@")[0].lower()
        return f"command '/{word}'" if word in _KNOWN else "an unknown command"
    return "message"


_KNOWN = frozenset({"start", "cancel", "club", *(name for name, _ in COMMANDS)})
