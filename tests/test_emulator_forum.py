"""The emulator's forum topics, specified through python-telegram-bot's own Bot (the staff
hand-off of issue 13 builds on these)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, ChatMemberAdministrator
from telegram.error import BadRequest

from tests.emulator import ApiError, Chat, User
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture
from tests.emulator_forum_helpers import DEFAULT_ICON_COLOR, Emulator, error_of, messages_of
from tests.emulator_forum_helpers import alice as alice  # the fixture
from tests.emulator_forum_helpers import bot as bot  # the fixture
from tests.emulator_forum_helpers import kai as kai  # the fixture
from tests.emulator_forum_helpers import sam as sam  # the fixture
from tests.emulator_forum_helpers import staff as staff  # the fixture

# --- forum topics ------------------------------------------------------------------------------


async def test_a_forum_is_a_supergroup_with_is_forum_and_the_bot_rights(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
) -> None:
    chat = await bot.get_chat(staff.id)
    me = await bot.get_chat_member(staff.id, bot_api.bot_user.id)

    assert chat.type == "supergroup" and chat.is_forum is True
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_manage_topics is True and me.can_delete_messages is True


async def test_create_forum_topic_returns_the_topic_and_leaves_its_service_message(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "  Beam time at CLEAR  ")

    assert topic.name == "Beam time at CLEAR"
    assert topic.icon_color == DEFAULT_ICON_COLOR
    created = bot_api.message(staff, topic.message_thread_id)
    assert created.from_bot and created.thread_id == topic.message_thread_id
    assert created.service == {
        "forum_topic_created": {"name": "Beam time at CLEAR", "icon_color": DEFAULT_ICON_COLOR}
    }
    assert bot_api.topic_named(staff, "Beam time at CLEAR").message_thread_id == (
        topic.message_thread_id
    )


async def test_a_message_sent_to_a_topic_is_a_topic_message_replying_to_its_creation(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry", icon_color=0xFB6F5F)

    sent = await bot.send_message(
        staff.id, "📨 New enquiry", message_thread_id=topic.message_thread_id
    )
    in_general = await bot.send_message(staff.id, "hello all")

    assert sent.message_thread_id == topic.message_thread_id
    assert sent.is_topic_message is True
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.forum_topic_created is not None
    assert sent.reply_to_message.forum_topic_created.icon_color == 0xFB6F5F
    assert in_general.message_thread_id is None and in_general.reply_to_message is None
    assert [m.text for m in bot_api.sent_messages(staff, topic=topic.message_thread_id)] == [
        None,
        "📨 New enquiry",
    ]


async def test_a_reply_to_a_topic_message_lands_in_that_topic(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    first = await bot.send_message(staff.id, "question", message_thread_id=topic.message_thread_id)

    reply = await first.reply_text("follow-up")

    assert reply.message_thread_id == topic.message_thread_id
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == first.message_id


@pytest.mark.parametrize(
    ("forum_kwargs", "reason"),
    [
        ({"bot_can_manage_topics": False}, "not enough rights to create a topic"),
        ({"bot_is_admin": False}, "not enough rights to create a topic"),
    ],
)
async def test_create_forum_topic_needs_the_manage_topics_right(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    forum_kwargs: dict[str, Any],
    reason: str,
) -> None:
    forum = bot_api.new_forum("No rights", **forum_kwargs)

    with pytest.raises(BadRequest, match=r"(?i)not enough rights to create a topic"):
        await bot.create_forum_topic(forum.id, "Enquiry")

    assert error_of(bot_api, "createForumTopic") == f"Bad Request: {reason}"
    assert bot_api.topics(forum) == []


async def test_topics_exist_only_in_forums_and_need_a_name(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    alice: User,
) -> None:
    plain = bot_api.new_group("Hospital colleagues")

    for chat_id in (plain.id, alice.id):
        with pytest.raises(BadRequest):
            await bot.create_forum_topic(chat_id, "Enquiry")
        assert error_of(bot_api, "createForumTopic") == "Bad Request: the chat is not a forum"
    with pytest.raises(BadRequest):
        await bot.create_forum_topic(staff.id, "   ")
    assert error_of(bot_api, "createForumTopic") == "Bad Request: title must be non-empty"


async def test_message_thread_id_must_name_a_live_topic_and_is_ignored_outside_forums(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    alice: User,
) -> None:
    plain = bot_api.new_group("Hospital colleagues")

    for thread_id in (999, 1):  # an unknown topic, and General (which takes no thread id)
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await bot.send_message(staff.id, "hi", message_thread_id=thread_id)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(alice.id, "hi", message_thread_id=5)
    ignored = await bot.send_message(plain.id, "hi", message_thread_id=5)

    assert error_of(bot_api, "sendMessage") is None
    assert ignored.message_thread_id is None and ignored.is_topic_message is None


async def test_a_closed_topic_refuses_non_admins_until_reopened(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    kai: User,
    sam: User,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    thread = topic.message_thread_id

    assert await bot.close_forum_topic(staff.id, thread) is True

    closed = bot_api.sent_messages(staff, topic=thread)[-1]
    assert closed.service == {"forum_topic_closed": {}}
    assert bot_api.topic(staff, thread).closed
    with pytest.raises(ApiError, match="TOPIC_CLOSED"):
        bot_api.user_sends_text(sam, staff, "one more thing", topic=thread)
    bot_api.user_sends_text(kai, staff, "admins may still write", topic=thread)
    await bot.send_message(staff.id, "so may a bot that manages topics", message_thread_id=thread)
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await bot.close_forum_topic(staff.id, thread)

    assert await bot.reopen_forum_topic(staff.id, thread) is True
    assert bot_api.sent_messages(staff, topic=thread)[-1].service == {"forum_topic_reopened": {}}
    bot_api.user_sends_text(sam, staff, "one more thing", topic=thread)


async def test_a_bot_without_the_right_cannot_write_in_a_closed_topic(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    kai: User,
) -> None:
    forum = bot_api.new_forum("Member bot", bot_can_manage_topics=False, admins=(kai,))
    bot_api.user_creates_topic(kai, forum, "Kai's topic")
    topic = bot_api.topic_named(forum, "Kai's topic")
    bot_api.user_closes_topic(kai, forum, topic)

    with pytest.raises(BadRequest):
        await bot.send_message(forum.id, "hi", message_thread_id=topic.message_thread_id)
    assert error_of(bot_api, "sendMessage") == "Bad Request: TOPIC_CLOSED"
    with pytest.raises(BadRequest):
        await bot.reopen_forum_topic(forum.id, topic.message_thread_id)
    assert error_of(bot_api, "reopenForumTopic") == (
        "Bad Request: not enough rights to close or open the topic"
    )
    with pytest.raises(BadRequest):
        await bot.edit_forum_topic(forum.id, topic.message_thread_id, name="Renamed")
    assert error_of(bot_api, "editForumTopic") == "Bad Request: not enough rights to edit the topic"


async def test_edit_forum_topic_renames_and_reports_no_change(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    thread = topic.message_thread_id

    assert await bot.edit_forum_topic(staff.id, thread, name="Enquiry — answered") is True

    assert bot_api.topic(staff, thread).name == "Enquiry — answered"
    edited = bot_api.sent_messages(staff, topic=thread)[-1]
    assert edited.service == {"forum_topic_edited": {"name": "Enquiry — answered"}}
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await bot.edit_forum_topic(staff.id, thread, name="Enquiry — answered")
    with pytest.raises(BadRequest):
        await bot.edit_forum_topic(staff.id, 4242, name="x")
    assert error_of(bot_api, "editForumTopic") == "Bad Request: TOPIC_ID_INVALID"


async def test_delete_forum_topic_deletes_every_message_in_it(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    sam: User,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    thread = topic.message_thread_id
    await bot.send_message(staff.id, "question", message_thread_id=thread)
    bot_api.user_sends_text(sam, staff, "answer", topic=thread)
    kept = await bot.send_message(staff.id, "in General")

    assert await bot.delete_forum_topic(staff.id, thread) is True

    assert bot_api.history(staff, topic=thread) != []
    assert all(m.deleted for m in bot_api.history(staff, topic=thread))
    assert not bot_api.message(staff, kept.message_id).deleted
    assert bot_api.topics(staff) == [] and bot_api.topic(staff, thread).deleted
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(staff.id, "late reply", message_thread_id=thread)


async def test_deleting_someone_elses_topic_needs_the_delete_messages_right(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    kai: User,
) -> None:
    forum = bot_api.new_forum("No delete", bot_can_delete_messages=False, admins=(kai,))
    bot_api.user_creates_topic(kai, forum, "Kai's")
    own = await bot.create_forum_topic(forum.id, "Bot's")

    with pytest.raises(BadRequest):
        await bot.delete_forum_topic(
            forum.id, bot_api.topic_named(forum, "Kai's").message_thread_id
        )
    assert error_of(bot_api, "deleteForumTopic") == (
        "Bad Request: not enough rights to delete the topic"
    )
    assert await bot.delete_forum_topic(forum.id, own.message_thread_id) is True


async def test_staff_posts_in_a_topic_reach_the_bot_with_the_thread_id(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    sam: User,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    thread = topic.message_thread_id
    enquiry = await bot.send_message(staff.id, "📨 Enquiry", message_thread_id=thread)

    bot_api.user_sends_text(sam, staff, "We can test it at CLEAR", topic=topic)
    bot_api.user_sends_photo(sam, staff, caption="the beam line", topic=thread)
    bot_api.user_sends_document(sam, staff, file_name="quote.pdf", topic=thread)
    bot_api.user_sends_voice(sam, staff, topic=thread)
    bot_api.user_sends_text(sam, staff, "see above", reply_to=enquiry.message_id)
    bot_api.user_sends_text(sam, staff, "lunch?")

    text, photo, document, voice, reply, general = await messages_of(bot)
    for message in (text, photo, document, voice, reply):
        assert message.message_thread_id == thread and message.is_topic_message is True
    assert text.reply_to_message is not None
    assert text.reply_to_message.forum_topic_created is not None
    assert photo.photo and photo.caption == "the beam line"
    assert document.document is not None and document.document.file_name == "quote.pdf"
    assert voice.voice is not None
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == enquiry.message_id
    assert general.message_thread_id is None and general.reply_to_message is None


async def test_topics_made_closed_and_renamed_by_staff_arrive_as_service_messages(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    kai: User,
    sam: User,
) -> None:
    bot_api.user_creates_topic(kai, staff, "Kai's enquiry")
    topic = bot_api.topic_named(staff, "Kai's enquiry")
    bot_api.user_closes_topic(kai, staff, topic)
    bot_api.user_reopens_topic(kai, staff, topic)
    bot_api.user_renames_topic(kai, staff, topic, "Done")
    with pytest.raises(ApiError, match="not enough rights"):
        bot_api.user_closes_topic(sam, staff, topic)

    created, closed, reopened, edited = await messages_of(bot)
    assert created.forum_topic_created is not None
    assert created.forum_topic_created.name == "Kai's enquiry"
    assert created.message_thread_id == created.message_id == topic.message_thread_id
    assert closed.forum_topic_closed is not None
    assert closed.message_thread_id == topic.message_thread_id
    assert reopened.forum_topic_reopened is not None
    assert edited.forum_topic_edited is not None
    assert edited.forum_topic_edited.name == "Done"
