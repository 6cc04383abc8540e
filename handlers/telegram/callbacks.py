"""The Telegram callbacks: each parses an update, calls the coach and renders the reply."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ContextTypes

from bot.services.coach import Coach
from bot.services.context import ChatKind, IsAdmin, Person, Platform
from bot.services.presentation.replies import say
from handlers.live_questions import LiveQuestions
from handlers.telegram.admins import AdminCheck
from handlers.telegram.messages import deliver, send

PLATFORM = Platform.TELEGRAM
ANOTHER_BOT = "That command is addressed to @{bot}, not to me. Send /{name} to ask me."
PRESENT = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
KINDS = {Chat.PRIVATE: ChatKind.PRIVATE, Chat.CHANNEL: ChatKind.CHANNEL}


def kind_of(chat: Chat) -> ChatKind:
    """The chat in the coach's words: private, a channel, or else a group (a supergroup)."""
    return KINDS.get(chat.type, ChatKind.GROUP)


def person_of(update: Update) -> Person:
    """Who sent the update, and the chat to answer in (a channel speaks as itself)."""
    user, chat = update.effective_user, update.effective_chat
    if chat is None:
        raise ValueError("an update without a chat reached a chat handler")
    if user is None:
        return Person(PLATFORM, str(chat.id), str(chat.id), chat.title, kind_of(chat))
    return Person(PLATFORM, str(user.id), str(chat.id), user.first_name, kind_of(chat))


class Callbacks:
    """Every callback the Application registers, bound to one coach."""

    def __init__(self, coach: Coach, admins: AdminCheck, questions: LiveQuestions) -> None:
        self.coach = coach
        self.admins = admins
        self.questions = questions

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A slash command, in a private chat, a group or a channel."""
        message = update.effective_message
        if message is None or not message.text:
            return
        word, _, payload = message.text.partition(" ")
        name, _, addressee = word.removeprefix("/").partition("@")
        person = person_of(update)
        if addressee and addressee.lower() != (context.bot.username or "").lower():
            if person.private:  # no other bot is here to answer it
                said = ANOTHER_BOT.format(bot=addressee, name=name)
                await send(context.bot, person.chat_id, say(said), self.questions)
            return  # in a group: a command for another bot there
        reply = await self.coach.command(
            person,
            name,
            payload.strip(),
            admin=self._admin_check(update, context),
            addressed=bool(addressee),
        )
        await deliver(context.bot, update, reply, self.questions)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text: an answer to the open question (in a group, a reply to the bot's)."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        person = person_of(update)
        replied = message.reply_to_message
        if not person.private and (replied is None or replied.from_user != context.bot.bot):
            return  # group chatter, or a reply to someone else: not for the coach
        reply = await self.coach.text(
            person, message.text, admin=self._admin_check(update, context)
        )
        await deliver(context.bot, update, reply, self.questions)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An earlier message edited, in a private chat: edits are not read, and it says so."""
        await deliver(
            context.bot, update, await self.coach.edited(person_of(update)), self.questions
        )

    async def location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location in a private chat: the answer to the timezone question."""
        message = update.effective_message
        if message is None or message.location is None:
            return
        person = person_of(update)
        reply = await self.coach.location(
            person, latitude=message.location.latitude, longitude=message.location.longitude
        )
        await deliver(context.bot, update, reply, self.questions)

    async def unreadable(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A private message the coach cannot read: a sticker, a photo, a voice note..."""
        await deliver(
            context.bot, update, await self.coach.unreadable(person_of(update)), self.questions
        )

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button."""
        query = update.callback_query
        if query is None:
            return
        reply = await self.coach.button(
            person_of(update), query.data or "", admin=self._admin_check(update, context)
        )
        await deliver(context.bot, update, reply, self.questions)

    async def membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was added to, promoted in or removed from a group or channel."""
        change = update.my_chat_member
        if change is None or change.chat.type == Chat.PRIVATE:
            return
        status = change.new_chat_member.status
        present = status in PRESENT
        if change.chat.type == Chat.CHANNEL and status == ChatMemberStatus.MEMBER:
            present = False  # a channel member bot cannot post; it counts once it is an admin
        chat = change.chat
        person = Person(PLATFORM, str(change.from_user.id), str(chat.id), None, kind_of(chat))
        reply = await self.coach.chat_membership(person, title=chat.title, present=present)
        await deliver(context.bot, update, reply, self.questions)

    async def migration(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: the club follows the new chat id."""
        message = update.effective_message
        if message is None or message.migrate_to_chat_id is None:
            return
        person = person_of(update)
        await self.coach.migrate(person, new_chat_id=str(message.migrate_to_chat_id))

    def _admin_check(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> IsAdmin:
        """Whether whoever sent the update is an admin of its group or channel, when asked."""

        async def is_admin() -> bool:
            chat = update.effective_chat
            if chat is None or chat.type == Chat.PRIVATE:
                return False
            posted = update.message or update.channel_post  # a new message, not a pressed one
            if posted is not None and (
                chat.type == Chat.CHANNEL
                or (posted.sender_chat is not None and posted.sender_chat.id == chat.id)
            ):
                return True  # only admins post in a channel; anonymous admins speak as the group
            user = update.effective_user
            return user is not None and await self.admins.is_admin(context.bot, chat.id, user.id)

        return is_admin
