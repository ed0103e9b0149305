"""The emulator's copyMessage and deleteMessage rights, specified through python-telegram-bot's
own Bot."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from telegram import Bot, MessageEntity
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from tests.emulator import Chat, User
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture
from tests.emulator_forum_helpers import Emulator, error_of
from tests.emulator_forum_helpers import alice as alice  # the fixture
from tests.emulator_forum_helpers import bot as bot  # the fixture
from tests.emulator_forum_helpers import kai as kai  # the fixture
from tests.emulator_forum_helpers import sam as sam  # the fixture
from tests.emulator_forum_helpers import staff as staff  # the fixture

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
