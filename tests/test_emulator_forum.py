"""The emulator's forum topics, copyMessage, deleteMessage rights and scoped commands, specified
through python-telegram-bot's own Bot (the staff hand-off of issue 13 builds on these)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeChatMember,
    ChatMemberAdministrator,
    Message,
    MessageEntity,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from tests.emulator import ApiError, BotApiEmulator, Chat, User
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture

Emulator = BotApiEmulator
DEFAULT_ICON_COLOR = 0x6FB9F0  # what Telegram picks when createForumTopic has no icon_color


@pytest_asyncio.fixture
async def bot(bot_api: Emulator) -> AsyncIterator[Bot]:  # noqa: F811
    async with Bot(bot_api.token, base_url=bot_api.api_url, base_file_url=bot_api.file_url) as b:
        yield b


@pytest.fixture
def kai(bot_api: Emulator) -> User:  # noqa: F811
    return bot_api.new_user("Kai", username="kai_kt")


@pytest.fixture
def sam(bot_api: Emulator) -> User:  # noqa: F811
    return bot_api.new_user("Sam")


@pytest.fixture
def alice(bot_api: Emulator) -> User:  # noqa: F811
    return bot_api.new_user("Alice", username="alice_w")


@pytest.fixture
def staff(bot_api: Emulator, kai: User) -> Chat:  # noqa: F811
    """The KT staff forum: the bot may manage topics and delete messages; Kai is an admin."""
    return bot_api.new_forum("KT staff", chat_id=-1009876543210, admins=(kai,))


def error_of(emulator: Emulator, method: str) -> str | None:
    """The exact description Telegram would have answered the last call of ``method``."""
    return emulator.calls(method)[-1].description


async def messages_of(bot: Bot) -> list[Message]:
    """The messages of the pending updates, which are then confirmed."""
    updates = list(await bot.get_updates(timeout=0))
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    messages = [update.message for update in updates]
    assert all(message is not None for message in messages), updates
    return [message for message in messages if message is not None]


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


# --- copyMessage -------------------------------------------------------------------------------


async def test_copy_message_copies_a_photo_with_its_caption_and_entities(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    sam: User,
    alice: User,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    update_id = bot_api.user_sends_photo(sam, staff, caption="see https://cern.ch", topic=topic)
    original = bot_api.message_for(update_id)

    copied = await bot.copy_message(alice.id, staff.id, original.message_id)

    copy = bot_api.message(alice, copied.message_id)
    assert copy.from_bot and copy.chat.id == alice.id and copy.thread_id is None
    assert copy.media["photo"] == original.media["photo"]
    assert copy.media["caption"] == "see https://cern.ch"
    assert copy.media["caption_entities"] == [{"type": "url", "offset": 4, "length": 15}]
    assert copy.reply_to is None


@pytest.mark.parametrize("kind", ["text", "document", "voice"])
async def test_copy_message_copies_text_documents_and_voice(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    sam: User,
    alice: User,
    kind: str,
) -> None:
    send: Callable[[], int] = {
        "text": lambda: bot_api.user_sends_text(sam, staff, "/close now, #beam"),
        "document": lambda: bot_api.user_sends_document(sam, staff, caption="quote"),
        "voice": lambda: bot_api.user_sends_voice(sam, staff),
    }[kind]
    original = bot_api.message_for(send())

    copied = await bot.copy_message(alice.id, staff.id, original.message_id)

    copy = bot_api.message(alice, copied.message_id)
    assert (copy.text, copy.entities, copy.media) == (
        original.text,
        original.entities,
        original.media,
    )


async def test_copy_message_can_replace_the_caption_and_target_a_topic(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    alice: User,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    original = bot_api.message_for(bot_api.user_sends_photo(alice, caption="my scan"))

    copied = await bot.copy_message(
        staff.id,
        alice.id,
        original.message_id,
        message_thread_id=topic.message_thread_id,
        caption="<b>From Alice:</b> my scan",
        parse_mode=ParseMode.HTML,
    )
    bare = await bot.copy_message(alice.id, alice.id, original.message_id, caption="")

    copy = bot_api.message(staff, copied.message_id)
    assert copy.thread_id == topic.message_thread_id
    assert copy.reply_to is not None and "forum_topic_created" in copy.reply_to.service
    assert copy.media["caption"] == "From Alice: my scan"
    assert copy.media["caption_entities"] == [{"type": "bold", "offset": 0, "length": 11}]
    assert "caption" not in bot_api.message(alice, bare.message_id).media


async def test_copy_message_errors_are_telegrams(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    sam: User,
    alice: User,
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    answer = bot_api.message_for(bot_api.user_sends_text(sam, staff, "answer", topic=topic))

    with pytest.raises(BadRequest):
        await bot.copy_message(alice.id, staff.id, 9999)
    assert error_of(bot_api, "copyMessage") == "Bad Request: message to copy not found"
    with pytest.raises(BadRequest):
        await bot.copy_message(alice.id, -100123, answer.message_id)
    assert error_of(bot_api, "copyMessage") == "Bad Request: chat not found"
    with pytest.raises(BadRequest):
        await bot.copy_message(alice.id, staff.id, topic.message_thread_id)  # a service message
    assert error_of(bot_api, "copyMessage") == "Bad Request: message can't be copied"
    bot_api.block(alice)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.copy_message(alice.id, staff.id, answer.message_id)
    assert bot_api.sent_messages(alice) == []


async def test_copy_messages_skips_what_cannot_be_copied(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    sam: User,
    alice: User,
) -> None:
    first = bot_api.message_for(bot_api.user_sends_text(sam, staff, "one"))
    second = bot_api.message_for(bot_api.user_sends_photo(sam, staff, caption="two"))

    ids = await bot.copy_messages(
        alice.id, staff.id, [first.message_id, 999, second.message_id], remove_caption=True
    )

    copies = [bot_api.message(alice, i.message_id) for i in ids]
    assert [c.text for c in copies] == ["one", None]
    assert "photo" in copies[1].media and "caption" not in copies[1].media
    with pytest.raises(BadRequest):
        await bot.copy_messages(alice.id, staff.id, [998, 999])
    assert error_of(bot_api, "copyMessages") == "Bad Request: messages can't be forwarded"


# --- deleteMessage rights ----------------------------------------------------------------------


async def test_delete_message_follows_telegrams_rights(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    sam: User,
    alice: User,
) -> None:
    plain = bot_api.new_group("Hospital colleagues")
    topic = await bot.create_forum_topic(staff.id, "Enquiry")
    in_staff = bot_api.message_for(bot_api.user_sends_text(sam, staff, "x", topic=topic))
    in_group = bot_api.message_for(bot_api.user_sends_text(alice, plain, "y"))
    in_private = bot_api.message_for(bot_api.user_sends_text(alice, None, "z"))

    assert await bot.delete_message(staff.id, in_staff.message_id) is True
    assert await bot.delete_message(alice.id, in_private.message_id) is True
    for chat_id, message_id in (
        (plain.id, in_group.message_id),
        (staff.id, topic.message_thread_id),
    ):
        with pytest.raises(BadRequest):
            await bot.delete_message(chat_id, message_id)
        assert error_of(bot_api, "deleteMessage") == "Bad Request: message can't be deleted"
    assert in_staff.deleted and in_private.deleted and not in_group.deleted


# --- scoped commands ---------------------------------------------------------------------------


def names(commands: list[dict[str, str]]) -> list[str]:
    return [command["command"] for command in commands]


async def test_commands_seen_follow_the_bot_api_scope_order(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    kai: User,
    sam: User,
    alice: User,
) -> None:
    customers = bot_api.new_group("Customers")
    await bot.set_my_commands([BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("hilfe", "Hilfe")], language_code="de")
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands([BotCommand("ask", "Ask")], scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        [BotCommand("stats", "Stats")], scope=BotCommandScopeAllChatAdministrators()
    )
    await bot.set_my_commands(
        [BotCommand("enquiries", "Open enquiries")], scope=BotCommandScopeChat(staff.id)
    )
    await bot.set_my_commands(
        [BotCommand("close", "Close")], scope=BotCommandScopeChatAdministrators(staff.id)
    )
    await bot.set_my_commands([BotCommand("reload", "Reload")], scope=BotCommandScopeChat(kai.id))
    await bot.set_my_commands(
        [BotCommand("digest", "Digest")], scope=BotCommandScopeChatMember(staff.id, sam.id)
    )

    assert names(bot_api.commands_seen_by(kai)) == ["reload"]
    assert names(bot_api.commands_seen_by(alice)) == ["start"]
    assert names(bot_api.commands_seen_by(kai, staff)) == ["close"]
    assert names(bot_api.commands_seen_by(sam, staff)) == ["digest"]
    assert names(bot_api.commands_seen_by(alice, staff)) == ["enquiries"]
    assert names(bot_api.commands_seen_by(alice, customers)) == ["ask"]
    bot_api.make_admin(customers, alice)
    assert names(bot_api.commands_seen_by(alice, customers)) == ["stats"]

    await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert names(bot_api.commands_seen_by(alice)) == ["help"]
    assert names(bot_api.commands_seen_by(alice, language_code="de")) == ["hilfe"]
    scope, found = bot_api.commands_scope_seen_by(alice, language_code="de")
    assert scope == ({"type": "default"}, "de") and names(found) == ["hilfe"]
    assert names(bot_api.commands_for({"type": "chat", "chat_id": staff.id})) == ["enquiries"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(kai.id))] == [
        "reload"
    ]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(alice.id)) == ()


async def test_language_specific_lists_win_within_a_scope(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(
        [BotCommand("demarrer", "Démarrer")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="fr",
    )
    await bot.set_my_commands([BotCommand("aide", "Aide")], language_code="fr")

    assert names(bot_api.commands_seen_by(alice, language_code="fr")) == ["demarrer"]
    assert names(bot_api.commands_seen_by(alice)) == ["start"]  # Alice's app is in English
    await bot.set_my_commands([], scope=BotCommandScopeAllPrivateChats(), language_code="fr")
    assert names(bot_api.commands_seen_by(alice, language_code="fr")) == ["start"]


async def test_command_scopes_are_validated_as_telegram_does(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    alice: User,
) -> None:
    commands = [BotCommand("help", "Help")]
    cases = [
        (
            {"scope": BotCommandScopeChatAdministrators(alice.id)},
            "Bad Request: can't use specified scope in private chats",
        ),
        (
            {"scope": BotCommandScopeChatMember(alice.id, alice.id)},
            "Bad Request: can't use specified scope in private chats",
        ),
        ({"scope": BotCommandScopeChat(-100555)}, "Bad Request: chat not found"),
        ({"language_code": "zh-hans"}, "Bad Request: invalid language code specified"),
    ]
    for kwargs, description in cases:
        with pytest.raises(BadRequest):
            await bot.set_my_commands(commands, **kwargs)  # type: ignore[arg-type]
        assert error_of(bot_api, "setMyCommands") == description

    url = f"{bot_api.api_url}{bot_api.token}/setMyCommands"
    body = {"commands": [{"command": "help", "description": "Help"}], "scope": {"type": "users"}}
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as response:
        assert response.status == 400
        assert (await response.json())["description"] == (
            "Bad Request: can't parse BotCommandScope: Unsupported type specified"
        )
    assert bot_api.commands_seen_by(alice, staff) == []


async def test_entities_survive_a_copy_through_ptb_objects(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    staff: Chat,
) -> None:
    """A copy keeps the original's formatting as PTB parses it (what staff see)."""
    sent = await bot.send_message(alice.id, "<i>note</i> for staff", parse_mode=ParseMode.HTML)

    copied = await bot.copy_message(staff.id, alice.id, sent.message_id)

    copy = bot_api.message(staff, copied.message_id)
    assert copy.text == "note for staff"
    assert copy.entities == [MessageEntity("italic", 0, 4).to_dict()]
