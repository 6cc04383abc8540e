"""The update builders produce dicts python-telegram-bot parses into the intended Updates."""

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
