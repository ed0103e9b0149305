"""End to end: the staff chat as a forum (issue 13, item 1), `ktbot run` against the emulator.

Each enquiry gets its own topic, named after what it is about; the user's follow-ups land
in it; whatever staff write there (no reply needed) reaches the user; the close button and
/close close the topic and tell the user; /forget removes the topic. A forum where the bot
may not manage topics falls back to replies, with a notice to admins.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.bot_harness import KNOWLEDGE, write_knowledge
from tests.bot_process import ADMIN_ID, STAFF_CHAT_ID, BotProcess
from tests.e2e_helpers import WAIT, callback_data, kill_while_hanging, press
from tests.emulator import ApiError, BotApiEmulator, Chat, ForumTopic, StoredMessage, User

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

QUESTION = "how much does a cyclotron cost"


@pytest_asyncio.fixture
async def run_bot(bot_api: BotApiEmulator, tmp_path: Path) -> AsyncIterator[list[BotProcess]]:
    """Started bots (the staff chat is set up first, since the bot looks at it at start)."""
    started: list[BotProcess] = []
    yield started
    for bot in started:
        await bot.stop()
        print(bot.log_text()[-6000:])  # shown if the test fails


async def start(bot_api: BotApiEmulator, tmp_path: Path, started: list[BotProcess]) -> BotProcess:
    knowledge = write_knowledge(tmp_path / "knowledge", KNOWLEDGE)
    bot = BotProcess(bot_api, tmp_path, knowledge)
    started.append(bot)
    await bot.start()
    return bot


async def hand_off(api: BotApiEmulator, user: User, staff: Chat) -> StoredMessage:
    """The user asks, presses 🙋 and Yes; the enquiry as it arrives in the staff chat."""
    api.user_sends_text(user, None, QUESTION)
    answer = await api.wait_for_message(user, timeout=WAIT)
    await press(api, user, answer, callback_data(answer, "h")[0])
    prompt = await api.wait_for_message(user, lambda m: bool(callback_data(m, "ek")), WAIT)
    await press(api, user, prompt, next(d for d in callback_data(prompt, "ek") if d.endswith("|y")))
    return await api.wait_for_message(staff, lambda m: QUESTION in (m.text or ""), WAIT)


async def forum_enquiry(
    api: BotApiEmulator, tmp_path: Path, started: list[BotProcess]
) -> tuple[Chat, User, User, ForumTopic, StoredMessage]:
    kai = api.new_user("Kai", username="kai_kt")
    staff = api.new_forum("KT staff", chat_id=STAFF_CHAT_ID, admins=(kai,))
    await start(api, tmp_path, started)
    user = api.new_user("Grace", last_name="Hopper", username="grace_h")
    enquiry = await hand_off(api, user, staff)
    (topic,) = api.topics(staff)
    return staff, kai, user, topic, enquiry


async def user_gets(api: BotApiEmulator, user: User, needle: str) -> StoredMessage:
    return await api.wait_for_message(user, lambda m: needle in (m.text or ""), WAIT)


async def test_an_enquiry_gets_its_own_topic_named_after_it_not_after_the_user(
    bot_api: BotApiEmulator, tmp_path: Path, run_bot: list[BotProcess]
) -> None:
    _, _, user, topic, enquiry = await forum_enquiry(bot_api, tmp_path, run_bot)

    assert enquiry.thread_id == topic.message_thread_id
    assert topic.name.startswith("#1 ") and "cyclotron" in topic.name
    for private in (str(user.id), "Grace", "Hopper", "grace_h"):
        assert private not in topic.name
    assert "Grace" in (enquiry.text or "")  # shared with consent, inside the topic
    assert callback_data(enquiry, "ex")  # the close button
    assert any("We have your question" in (m.text or "") for m in bot_api.sent_messages(user))


async def test_a_user_follow_up_lands_in_the_topic(
    bot_api: BotApiEmulator, tmp_path: Path, run_bot: list[BotProcess]
) -> None:
    """Finding B1 (findings/telegram.md), in a forum staff chat."""
    staff, _, user, topic, _ = await forum_enquiry(bot_api, tmp_path, run_bot)

    bot_api.user_sends_text(user, None, "Monday works for a call?")
    follow_up = await bot_api.wait_for_message(
        staff, lambda m: "Monday works" in (m.text or ""), WAIT
    )
    bot_api.user_sends_photo(user, None, caption="our dosimeter")
    media = await bot_api.wait_for_message(staff, lambda m: "photo" in m.media, WAIT)

    assert follow_up.thread_id == topic.message_thread_id
    assert media.thread_id == topic.message_thread_id


async def test_staff_text_and_photo_in_the_topic_reach_the_user_without_a_reply(
    bot_api: BotApiEmulator, tmp_path: Path, run_bot: list[BotProcess]
) -> None:
    """Finding B8 (findings/telegram.md), in a forum staff chat."""
    staff, _, user, topic, _ = await forum_enquiry(bot_api, tmp_path, run_bot)
    sam = bot_api.new_user("Sam")

    bot_api.user_sends_text(sam, staff, "We can test it at CLEAR.", topic=topic)
    answer = await user_gets(bot_api, user, "We can test it at CLEAR.")
    bot_api.user_sends_photo(sam, staff, caption="the beam line", topic=topic)
    photo = await bot_api.wait_for_message(user, lambda m: "photo" in m.media, WAIT)
    bot_api.user_sends_document(sam, staff, file_name="quote.pdf", topic=topic)
    document = await bot_api.wait_for_message(user, lambda m: "document" in m.media, WAIT)

    assert "Knowledge Transfer team" in (answer.text or "")
    assert "photo" in photo.media
    assert document.media["document"]["file_name"] == "quote.pdf"
    sent = await bot_api.wait_for_message(
        staff, lambda m: "Sent to the user" in (m.text or ""), WAIT
    )
    assert sent.thread_id == topic.message_thread_id


@pytest.mark.parametrize("how", ["button", "/close"])
async def test_closing_closes_the_topic_and_tells_the_user(
    bot_api: BotApiEmulator, tmp_path: Path, run_bot: list[BotProcess], how: str
) -> None:
    staff, kai, user, topic, enquiry = await forum_enquiry(bot_api, tmp_path, run_bot)

    if how == "button":
        await press(bot_api, kai, enquiry, callback_data(enquiry, "ex")[0])
    else:
        bot_api.user_sends_text(kai, staff, "/close", topic=topic)  # no reply: in the topic

    await user_gets(bot_api, user, "has closed your enquiry #1")
    note = await bot_api.wait_for_message(staff, lambda m: "closed by Kai" in (m.text or ""), WAIT)
    assert note.thread_id == topic.message_thread_id
    await bot_api.wait_for_call("closeForumTopic", timeout=WAIT)
    assert bot_api.topic(staff, topic).closed


async def test_a_forum_without_the_manage_topics_right_falls_back_to_replies(
    bot_api: BotApiEmulator, tmp_path: Path, run_bot: list[BotProcess]
) -> None:
    kai = bot_api.new_user("Kai")
    bot_api.add_chat(User(id=ADMIN_ID, first_name="Admin", language_code="en").chat)
    staff = bot_api.new_forum(
        "KT staff", chat_id=STAFF_CHAT_ID, bot_can_manage_topics=False, admins=(kai,)
    )
    bot = await start(bot_api, tmp_path, run_bot)
    user = bot_api.new_user("Grace")

    enquiry = await hand_off(bot_api, user, staff)
    bot_api.user_sends_text(kai, staff, "Yes, at CLEAR.", reply_to=enquiry.message_id)

    await user_gets(bot_api, user, "Yes, at CLEAR.")
    assert enquiry.thread_id is None and bot_api.topics(staff) == []
    assert "may not manage them" in bot.log_text()
    notice = await bot_api.wait_for_message(
        ADMIN_ID, lambda m: "Manage topics" in (m.text or ""), WAIT
    )
    assert "General" in (notice.text or "")


async def test_forget_deletes_the_topic_and_notes_it_in_general(
    bot_api: BotApiEmulator, tmp_path: Path, run_bot: list[BotProcess]
) -> None:
    """Finding B7 (findings/telegram.md), in a forum staff chat."""
    staff, _, user, topic, _ = await forum_enquiry(bot_api, tmp_path, run_bot)

    bot_api.user_sends_text(user, None, "/forget")
    prompt = await bot_api.wait_for_message(user, lambda m: bool(callback_data(m, "forget")), WAIT)
    await press(
        bot_api, user, prompt, next(d for d in callback_data(prompt, "forget") if "|y" in d)
    )

    note = await bot_api.wait_for_message(
        staff, lambda m: "asked the bot to forget" in (m.text or ""), WAIT
    )
    assert note.thread_id is None  # in General: the topic is gone
    assert bot_api.topics(staff) == [] and bot_api.topic(staff, topic).deleted


async def test_forget_closes_and_renames_a_topic_it_cannot_delete(
    bot_api: BotApiEmulator, tmp_path: Path, run_bot: list[BotProcess]
) -> None:
    staff, _, user, topic, _ = await forum_enquiry(bot_api, tmp_path, run_bot)
    bot_api.fail_next(
        "deleteForumTopic", ApiError.bad_request("not enough rights to delete the topic")
    )

    bot_api.user_sends_text(user, None, "/forget")
    prompt = await bot_api.wait_for_message(user, lambda m: bool(callback_data(m, "forget")), WAIT)
    await press(
        bot_api, user, prompt, next(d for d in callback_data(prompt, "forget") if "|y" in d)
    )

    note = await bot_api.wait_for_message(
        staff, lambda m: "asked the bot to forget" in (m.text or ""), WAIT
    )
    assert note.thread_id == topic.message_thread_id
    assert bot_api.topic(staff, topic).closed
    assert bot_api.topic(staff, topic).name == "#1 (forgotten)"


@pytest.mark.parametrize("method", ["createForumTopic", "sendMessage"])
async def test_killed_during_a_forum_hand_off_one_topic_and_one_enquiry_arrive(
    bot_api: BotApiEmulator, tmp_path: Path, run_bot: list[BotProcess], method: str
) -> None:
    staff = bot_api.new_forum("KT staff", chat_id=STAFF_CHAT_ID)
    bot = await start(bot_api, tmp_path, run_bot)
    user = bot_api.new_user("Grace")
    bot_api.user_sends_text(user, None, QUESTION)
    answer = await bot_api.wait_for_message(user, timeout=WAIT)
    await press(bot_api, user, answer, callback_data(answer, "h")[0])
    prompt = await bot_api.wait_for_message(user, lambda m: bool(callback_data(m, "ek")), WAIT)

    bot_api.user_presses_button(
        user, prompt, next(d for d in callback_data(prompt, "ek") if d.endswith("|y"))
    )
    await kill_while_hanging(bot_api, bot, method, STAFF_CHAT_ID)
    assert [m for m in bot_api.sent_messages(staff) if QUESTION in (m.text or "")] == []

    await bot.start()
    await bot_api.wait_for_message(staff, lambda m: QUESTION in (m.text or ""), WAIT)
    await bot.wait_for_log("delivered to the staff chat", timeout=WAIT)
    (topic,) = bot_api.topics(staff)
    at_staff = [m for m in bot_api.sent_messages(staff) if QUESTION in (m.text or "")]
    assert len(at_staff) == 1 and at_staff[0].thread_id == topic.message_thread_id
    told = [m for m in bot_api.sent_messages(user) if "We have your question" in (m.text or "")]
    assert len(told) == 1
