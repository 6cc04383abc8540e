"""The update builders produce dicts python-telegram-bot parses into the intended Updates."""

import pytest
from telegram import ChatMemberAdministrator
from telegram.constants import ChatType, MessageEntityType

from tests.fake_telegram import updates


def test_command_message_has_a_bot_command_entity(fake_bot):
    update = updates.to_update(updates.text_message(text="/plan 3 weeks"), fake_bot)

    assert update.message is not None
    assert update.message.text == "/plan 3 weeks"
    assert [(e.type, e.offset, e.length) for e in update.message.entities] == [
        (MessageEntityType.BOT_COMMAND, 0, 5)
    ]


def test_callback_query_presses_a_button_on_a_message(fake_bot):
    shown = updates.message(text="Done?", message_id=7)
    update = updates.to_update(updates.callback_query(message=shown, data="done"), fake_bot)

    assert update.callback_query is not None
    assert update.callback_query.data == "done"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == 7


def test_location_group_and_anonymous_admin_messages(fake_bot):
    location = updates.to_update(updates.location_message(latitude=1.5, longitude=2.5), fake_bot)
    club = updates.supergroup_chat()
    anonymous = updates.to_update(
        updates.text_message(chat=club, from_user=updates.group_anonymous_bot(), sender_chat=club),
        fake_bot,
    )

    assert location.message is not None
    assert location.message.location is not None
    assert (location.message.location.latitude, location.message.location.longitude) == (1.5, 2.5)
    assert anonymous.effective_chat is not None
    assert anonymous.effective_chat.type == ChatType.SUPERGROUP
    assert anonymous.effective_sender == anonymous.effective_chat


def test_my_chat_member_promotion_in_a_channel(fake_api, fake_bot):
    data = updates.my_chat_member(
        bot=fake_api.bot_user,
        chat=updates.channel_chat(),
        old_status="member",
        new_status="administrator",
    )
    change = updates.to_update(data, fake_bot).my_chat_member

    assert change is not None
    assert change.chat.type == ChatType.CHANNEL
    assert isinstance(change.new_chat_member, ChatMemberAdministrator)
    assert change.new_chat_member.user.id == fake_bot.id


def test_migration_and_channel_post(fake_bot):
    migrated = updates.to_update(updates.migrate_to_chat(to_chat_id=-1009), fake_bot)
    post = updates.to_update(updates.channel_post(text="Hill repeats"), fake_bot)

    assert migrated.message is not None
    assert migrated.message.migrate_to_chat_id == -1009
    assert post.channel_post is not None
    assert post.channel_post.text == "Hill repeats"
    assert post.channel_post.from_user is None


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "video_note", "contact", "dice"])
def test_media_messages_parse_without_text(fake_bot, kind):
    update = updates.to_update(updates.media_message(kind), fake_bot)
    assert update.message is not None
    assert update.message.text is None
    assert getattr(update.message, kind)


def test_an_edited_message_keeps_its_id_and_changes_its_text(fake_bot):
    original = updates.message(text="hmm not sure")
    update = updates.to_update(
        updates.edited_text_message(original=original, text="15 May"), fake_bot
    )
    assert update.edited_message is not None
    assert update.edited_message.message_id == original["message_id"]
    assert update.edited_message.text == "15 May"
    assert update.message is None
