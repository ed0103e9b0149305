"""The emulator's forum topics, specified through python-telegram-bot's own Bot (the staff
hand-off of issue 13 builds on these)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import ChatMemberAdministrator
from telegram.error import BadRequest

from tests.emulator import ApiError
from tests.emulator_forum_helpers import DEFAULT_ICON_COLOR, Kt, messages_of
from tests.emulator_forum_helpers import kt as kt  # the fixture
from tests.emulator_helpers import error_of

# --- forum topics ------------------------------------------------------------------------------


async def test_a_forum_is_a_supergroup_with_is_forum_and_the_bot_rights(kt: Kt) -> None:
    chat = await kt.bot.get_chat(kt.staff.id)
    me = await kt.bot.get_chat_member(kt.staff.id, kt.api.bot_user.id)

    assert chat.type == "supergroup" and chat.is_forum is True
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_manage_topics is True and me.can_delete_messages is True


async def test_create_forum_topic_returns_the_topic_and_leaves_its_service_message(kt: Kt) -> None:
    topic = await kt.bot.create_forum_topic(kt.staff.id, "  Beam time at CLEAR  ")

    assert topic.name == "Beam time at CLEAR"
    assert topic.icon_color == DEFAULT_ICON_COLOR
    created = kt.api.message(kt.staff, topic.message_thread_id)
    assert created.from_bot and created.thread_id == topic.message_thread_id
    assert created.service == {
        "forum_topic_created": {"name": "Beam time at CLEAR", "icon_color": DEFAULT_ICON_COLOR}
    }
    assert kt.api.topic_named(kt.staff, "Beam time at CLEAR").message_thread_id == (
        topic.message_thread_id
    )


async def test_a_message_sent_to_a_topic_is_a_topic_message_replying_to_its_creation(
    kt: Kt,
) -> None:
    topic = await kt.bot.create_forum_topic(kt.staff.id, "Enquiry", icon_color=0xFB6F5F)

    sent = await kt.bot.send_message(
        kt.staff.id, "📨 New enquiry", message_thread_id=topic.message_thread_id
    )
    in_general = await kt.bot.send_message(kt.staff.id, "hello all")

    assert sent.message_thread_id == topic.message_thread_id
    assert sent.is_topic_message is True
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.forum_topic_created is not None
    assert sent.reply_to_message.forum_topic_created.icon_color == 0xFB6F5F
    assert in_general.message_thread_id is None and in_general.reply_to_message is None
    assert [m.text for m in kt.api.sent_messages(kt.staff, topic=topic.message_thread_id)] == [
        None,
        "📨 New enquiry",
    ]


async def test_a_reply_to_a_topic_message_lands_in_that_topic(kt: Kt) -> None:
    topic = await kt.enquiry()
    first = await kt.bot.send_message(
        kt.staff.id, "question", message_thread_id=topic.message_thread_id
    )

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
    kt: Kt, forum_kwargs: dict[str, Any], reason: str
) -> None:
    forum = kt.api.new_forum("No rights", **forum_kwargs)

    with pytest.raises(BadRequest, match=r"(?i)not enough rights to create a topic"):
        await kt.bot.create_forum_topic(forum.id, "Enquiry")

    assert error_of(kt.api, "createForumTopic") == f"Bad Request: {reason}"
    assert kt.api.topics(forum) == []


async def test_topics_exist_only_in_forums_and_need_a_name(kt: Kt) -> None:
    plain = kt.api.new_group("Hospital colleagues")

    for chat_id in (plain.id, kt.alice.id):
        with pytest.raises(BadRequest):
            await kt.bot.create_forum_topic(chat_id, "Enquiry")
        assert error_of(kt.api, "createForumTopic") == "Bad Request: the chat is not a forum"
    with pytest.raises(BadRequest):
        await kt.bot.create_forum_topic(kt.staff.id, "   ")
    assert error_of(kt.api, "createForumTopic") == "Bad Request: title must be non-empty"


async def test_message_thread_id_must_name_a_live_topic_and_is_ignored_outside_forums(
    kt: Kt,
) -> None:
    plain = kt.api.new_group("Hospital colleagues")

    for thread_id in (999, 1):  # an unknown topic, and General (which takes no thread id)
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await kt.bot.send_message(kt.staff.id, "hi", message_thread_id=thread_id)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await kt.bot.send_message(kt.alice.id, "hi", message_thread_id=5)
    ignored = await kt.bot.send_message(plain.id, "hi", message_thread_id=5)

    assert error_of(kt.api, "sendMessage") is None
    assert ignored.message_thread_id is None and ignored.is_topic_message is None


async def test_a_closed_topic_refuses_non_admins_until_reopened(kt: Kt) -> None:
    topic = await kt.enquiry()
    thread = topic.message_thread_id

    assert await kt.bot.close_forum_topic(kt.staff.id, thread) is True

    closed = kt.api.sent_messages(kt.staff, topic=thread)[-1]
    assert closed.service == {"forum_topic_closed": {}}
    assert kt.api.topic(kt.staff, thread).closed
    with pytest.raises(ApiError, match="TOPIC_CLOSED"):
        kt.api.user_sends_text(kt.sam, kt.staff, "one more thing", topic=thread)
    kt.api.user_sends_text(kt.kai, kt.staff, "admins may still write", topic=thread)
    await kt.bot.send_message(
        kt.staff.id, "so may a bot that manages topics", message_thread_id=thread
    )
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await kt.bot.close_forum_topic(kt.staff.id, thread)

    assert await kt.bot.reopen_forum_topic(kt.staff.id, thread) is True
    assert kt.api.sent_messages(kt.staff, topic=thread)[-1].service == {"forum_topic_reopened": {}}
    kt.api.user_sends_text(kt.sam, kt.staff, "one more thing", topic=thread)


async def test_a_bot_without_the_right_cannot_write_in_a_closed_topic(kt: Kt) -> None:
    forum = kt.api.new_forum("Member bot", bot_can_manage_topics=False, admins=(kt.kai,))
    kt.api.user_creates_topic(kt.kai, forum, "Kai's topic")
    topic = kt.api.topic_named(forum, "Kai's topic")
    kt.api.user_closes_topic(kt.kai, forum, topic)

    with pytest.raises(BadRequest):
        await kt.bot.send_message(forum.id, "hi", message_thread_id=topic.message_thread_id)
    assert error_of(kt.api, "sendMessage") == "Bad Request: TOPIC_CLOSED"
    with pytest.raises(BadRequest):
        await kt.bot.reopen_forum_topic(forum.id, topic.message_thread_id)
    assert error_of(kt.api, "reopenForumTopic") == (
        "Bad Request: not enough rights to close or open the topic"
    )
    with pytest.raises(BadRequest):
        await kt.bot.edit_forum_topic(forum.id, topic.message_thread_id, name="Renamed")
    assert error_of(kt.api, "editForumTopic") == "Bad Request: not enough rights to edit the topic"


async def test_edit_forum_topic_renames_and_reports_no_change(kt: Kt) -> None:
    topic = await kt.enquiry()
    thread = topic.message_thread_id

    assert await kt.bot.edit_forum_topic(kt.staff.id, thread, name="Enquiry — answered") is True

    assert kt.api.topic(kt.staff, thread).name == "Enquiry — answered"
    edited = kt.api.sent_messages(kt.staff, topic=thread)[-1]
    assert edited.service == {"forum_topic_edited": {"name": "Enquiry — answered"}}
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await kt.bot.edit_forum_topic(kt.staff.id, thread, name="Enquiry — answered")
    with pytest.raises(BadRequest):
        await kt.bot.edit_forum_topic(kt.staff.id, 4242, name="x")
    assert error_of(kt.api, "editForumTopic") == "Bad Request: TOPIC_ID_INVALID"


async def test_delete_forum_topic_deletes_every_message_in_it(kt: Kt) -> None:
    topic = await kt.enquiry()
    thread = topic.message_thread_id
    await kt.bot.send_message(kt.staff.id, "question", message_thread_id=thread)
    kt.api.user_sends_text(kt.sam, kt.staff, "answer", topic=thread)
    kept = await kt.bot.send_message(kt.staff.id, "in General")

    assert await kt.bot.delete_forum_topic(kt.staff.id, thread) is True

    assert kt.api.history(kt.staff, topic=thread) != []
    assert all(m.deleted for m in kt.api.history(kt.staff, topic=thread))
    assert not kt.api.message(kt.staff, kept.message_id).deleted
    assert kt.api.topics(kt.staff) == [] and kt.api.topic(kt.staff, thread).deleted
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await kt.bot.send_message(kt.staff.id, "late reply", message_thread_id=thread)


async def test_deleting_someone_elses_topic_needs_the_delete_messages_right(kt: Kt) -> None:
    forum = kt.api.new_forum("No delete", bot_can_delete_messages=False, admins=(kt.kai,))
    kt.api.user_creates_topic(kt.kai, forum, "Kai's")
    own = await kt.bot.create_forum_topic(forum.id, "Bot's")

    with pytest.raises(BadRequest):
        await kt.bot.delete_forum_topic(
            forum.id, kt.api.topic_named(forum, "Kai's").message_thread_id
        )
    assert error_of(kt.api, "deleteForumTopic") == (
        "Bad Request: not enough rights to delete the topic"
    )
    assert await kt.bot.delete_forum_topic(forum.id, own.message_thread_id) is True


async def test_staff_posts_in_a_topic_reach_the_bot_with_the_thread_id(kt: Kt) -> None:
    topic = await kt.enquiry()
    thread = topic.message_thread_id
    enquiry = await kt.bot.send_message(kt.staff.id, "📨 Enquiry", message_thread_id=thread)

    kt.api.user_sends_text(kt.sam, kt.staff, "We can test it at CLEAR", topic=topic)
    kt.api.user_sends_photo(kt.sam, kt.staff, caption="the beam line", topic=thread)
    kt.api.user_sends_document(kt.sam, kt.staff, file_name="quote.pdf", topic=thread)
    kt.api.user_sends_voice(kt.sam, kt.staff, topic=thread)
    kt.api.user_sends_text(kt.sam, kt.staff, "see above", reply_to=enquiry.message_id)
    kt.api.user_sends_text(kt.sam, kt.staff, "lunch?")

    text, photo, document, voice, reply, general = await messages_of(kt.bot)
    for message in (text, photo, document, voice, reply):
        assert message.message_thread_id == thread and message.is_topic_message is True
    assert text.text == "We can test it at CLEAR"
    assert text.reply_to_message is not None
    assert text.reply_to_message.message_id == thread  # the topic's creation
    assert text.reply_to_message.forum_topic_created is not None
    assert text.reply_to_message.forum_topic_created.name == "Enquiry"
    assert photo.photo and photo.caption == "the beam line"
    assert document.document is not None and document.document.file_name == "quote.pdf"
    assert voice.voice is not None
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == enquiry.message_id
    assert general.message_thread_id is None and general.reply_to_message is None


async def test_topics_made_closed_and_renamed_by_staff_arrive_as_service_messages(kt: Kt) -> None:
    kt.api.user_creates_topic(kt.kai, kt.staff, "Kai's enquiry")
    topic = kt.api.topic_named(kt.staff, "Kai's enquiry")
    kt.api.user_closes_topic(kt.kai, kt.staff, topic)
    kt.api.user_reopens_topic(kt.kai, kt.staff, topic)
    kt.api.user_renames_topic(kt.kai, kt.staff, topic, "Done")
    with pytest.raises(ApiError, match="not enough rights"):
        kt.api.user_closes_topic(kt.sam, kt.staff, topic)

    created, closed, reopened, edited = await messages_of(kt.bot)
    assert created.forum_topic_created is not None
    assert created.forum_topic_created.name == "Kai's enquiry"
    assert created.message_thread_id == created.message_id == topic.message_thread_id
    assert closed.forum_topic_closed is not None
    assert closed.message_thread_id == topic.message_thread_id
    assert reopened.forum_topic_reopened is not None
    assert edited.forum_topic_edited is not None
    assert edited.forum_topic_edited.name == "Done"
