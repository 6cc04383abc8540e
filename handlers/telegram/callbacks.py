"""The Telegram callbacks: each parses an update, calls the coach and renders the reply."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services.coach import Coach
from bot.services.context import Person
from bot.services.replies import Link, say
from handlers.telegram.render import answer_button, send

PLATFORM = "telegram"


def person_of(update: Update) -> Person:
    """Who sent the update, and the chat to answer in."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        raise ValueError("an update without a user or chat reached a personal handler")
    return Person(PLATFORM, str(user.id), str(chat.id), user.first_name)


class Callbacks:
    """Every callback the Application registers, bound to one coach."""

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A slash command in a private chat."""
        message = update.effective_message
        if message is None or not message.text:
            return
        name = message.text.split()[0].removeprefix("/").split("@")[0]
        person = person_of(update)
        await send(context.bot, person.chat_id, await self.coach.command(person, name))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text in a private chat: an answer to the open question, or a pointer to /help."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        person = person_of(update)
        await send(context.bot, person.chat_id, await self.coach.text(person, message.text))

    async def location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location in a private chat: the answer to the timezone question."""
        message = update.effective_message
        if message is None or message.location is None:
            return
        person = person_of(update)
        reply = await self.coach.location(
            person, latitude=message.location.latitude, longitude=message.location.longitude
        )
        await send(context.bot, person.chat_id, reply)

    async def button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button."""
        query = update.callback_query
        if query is None:
            return
        await answer_button(query, await self.coach.button(person_of(update), query.data or ""))

    async def personal_in_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A personal command in a group: health and plans stay in a private chat."""
        chat = update.effective_chat
        if chat is None:
            return
        link = f"https://t.me/{context.bot.username}?start=private"
        reply = say(
            "Let's keep your plan and how your legs feel between us: continue in a private chat.",
            (Link("Continue in private", link),),
        )
        await send(context.bot, chat.id, reply)
