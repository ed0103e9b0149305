"""The emulator's copyMessage and deleteMessage rights, specified through python-telegram-bot's
own Bot."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from telegram import MessageEntity
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from tests.emulator_forum_helpers import Kt
from tests.emulator_forum_helpers import kt as kt  # the fixture
from tests.emulator_helpers import error_of

# --- copyMessage -------------------------------------------------------------------------------


async def test_copy_message_copies_a_photo_with_its_caption_and_entities(kt: Kt) -> None:
    topic = await kt.enquiry()
    update_id = kt.api.user_sends_photo(
        kt.sam, kt.staff, caption="see https://cern.ch", topic=topic
    )
    original = kt.api.message_for(update_id)

    copied = await kt.bot.copy_message(kt.alice.id, kt.staff.id, original.message_id)

    copy = kt.api.message(kt.alice, copied.message_id)
    assert copy.from_bot and copy.chat.id == kt.alice.id and copy.thread_id is None
    assert copy.media["photo"] == original.media["photo"]
    assert copy.media["caption"] == "see https://cern.ch"
    assert copy.media["caption_entities"] == [{"type": "url", "offset": 4, "length": 15}]
    assert copy.reply_to is None


@pytest.mark.parametrize("kind", ["text", "document", "voice"])
async def test_copy_message_copies_text_documents_and_voice(kt: Kt, kind: str) -> None:
    send: Callable[[], int] = {
        "text": lambda: kt.api.user_sends_text(kt.sam, kt.staff, "/close now, #beam"),
        "document": lambda: kt.api.user_sends_document(kt.sam, kt.staff, caption="quote"),
        "voice": lambda: kt.api.user_sends_voice(kt.sam, kt.staff),
    }[kind]
    original = kt.api.message_for(send())

    copied = await kt.bot.copy_message(kt.alice.id, kt.staff.id, original.message_id)

    copy = kt.api.message(kt.alice, copied.message_id)
    assert (copy.text, copy.entities, copy.media) == (
        original.text,
        original.entities,
        original.media,
    )


async def test_copy_message_can_replace_the_caption_and_target_a_topic(kt: Kt) -> None:
    topic = await kt.enquiry()
    original = kt.api.message_for(kt.api.user_sends_photo(kt.alice, caption="my scan"))

    copied = await kt.bot.copy_message(
        kt.staff.id,
        kt.alice.id,
        original.message_id,
        message_thread_id=topic.message_thread_id,
        caption="<b>From Alice:</b> my scan",
        parse_mode=ParseMode.HTML,
    )
    bare = await kt.bot.copy_message(kt.alice.id, kt.alice.id, original.message_id, caption="")

    copy = kt.api.message(kt.staff, copied.message_id)
    assert copy.thread_id == topic.message_thread_id
    assert copy.reply_to is not None and "forum_topic_created" in copy.reply_to.service
    assert copy.media["caption"] == "From Alice: my scan"
    assert copy.media["caption_entities"] == [{"type": "bold", "offset": 0, "length": 11}]
    assert "caption" not in kt.api.message(kt.alice, bare.message_id).media


async def test_copy_message_errors_are_telegrams(kt: Kt) -> None:
    topic = await kt.enquiry()
    answer = kt.api.message_for(kt.api.user_sends_text(kt.sam, kt.staff, "answer", topic=topic))

    with pytest.raises(BadRequest):
        await kt.bot.copy_message(kt.alice.id, kt.staff.id, 9999)
    assert error_of(kt.api, "copyMessage") == "Bad Request: message to copy not found"
    with pytest.raises(BadRequest):
        await kt.bot.copy_message(kt.alice.id, -100123, answer.message_id)
    assert error_of(kt.api, "copyMessage") == "Bad Request: chat not found"
    with pytest.raises(BadRequest):
        await kt.bot.copy_message(
            kt.alice.id, kt.staff.id, topic.message_thread_id
        )  # a service message
    assert error_of(kt.api, "copyMessage") == "Bad Request: message can't be copied"
    kt.api.block(kt.alice)
    with pytest.raises(Forbidden, match="blocked"):
        await kt.bot.copy_message(kt.alice.id, kt.staff.id, answer.message_id)
    assert kt.api.sent_messages(kt.alice) == []


async def test_copy_messages_skips_what_cannot_be_copied(kt: Kt) -> None:
    first = kt.api.message_for(kt.api.user_sends_text(kt.sam, kt.staff, "one"))
    second = kt.api.message_for(kt.api.user_sends_photo(kt.sam, kt.staff, caption="two"))

    ids = await kt.bot.copy_messages(
        kt.alice.id, kt.staff.id, [first.message_id, 999, second.message_id], remove_caption=True
    )

    copies = [kt.api.message(kt.alice, i.message_id) for i in ids]
    assert [c.text for c in copies] == ["one", None]
    assert "photo" in copies[1].media and "caption" not in copies[1].media
    with pytest.raises(BadRequest):
        await kt.bot.copy_messages(kt.alice.id, kt.staff.id, [998, 999])
    assert error_of(kt.api, "copyMessages") == "Bad Request: messages can't be forwarded"


# --- deleteMessage rights ----------------------------------------------------------------------


async def test_delete_message_follows_telegrams_rights(kt: Kt) -> None:
    plain = kt.api.new_group("Hospital colleagues")
    topic = await kt.enquiry()
    in_staff = kt.api.message_for(kt.api.user_sends_text(kt.sam, kt.staff, "x", topic=topic))
    in_group = kt.api.message_for(kt.api.user_sends_text(kt.alice, plain, "y"))
    in_private = kt.api.message_for(kt.api.user_sends_text(kt.alice, None, "z"))

    assert await kt.bot.delete_message(kt.staff.id, in_staff.message_id) is True
    assert await kt.bot.delete_message(kt.alice.id, in_private.message_id) is True
    for chat_id, message_id in (
        (plain.id, in_group.message_id),
        (kt.staff.id, topic.message_thread_id),
    ):
        with pytest.raises(BadRequest):
            await kt.bot.delete_message(chat_id, message_id)
        assert error_of(kt.api, "deleteMessage") == "Bad Request: message can't be deleted"
    assert in_staff.deleted and in_private.deleted and not in_group.deleted


async def test_entities_survive_a_copy_through_ptb_objects(kt: Kt) -> None:
    """A copy keeps the original's formatting as PTB parses it (what staff see)."""
    sent = await kt.bot.send_message(
        kt.alice.id, "<i>note</i> for staff", parse_mode=ParseMode.HTML
    )

    copied = await kt.bot.copy_message(kt.staff.id, kt.alice.id, sent.message_id)

    copy = kt.api.message(kt.staff, copied.message_id)
    assert copy.text == "note for staff"
    assert copy.entities == [MessageEntity("italic", 0, 4).to_dict()]
