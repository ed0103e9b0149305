"""'Talk to a person' as durable enquiries, through PTB's real Application and a fake Bot API.

Each test names the finding it pins down (../shared/findings/telegram.md, issue 13).
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Message

from bot import enquiries
from bot.message_split import telegram_length
from bot.storage.enquiries import EnquiryState, EnquiryStore
from bot.telegram import callback_data as cd
from bot.telegram import enquiry_delivery, questions
from intents import TELEGRAM_MESSAGE_LIMIT
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, STAFF_CHAT_ID, BotHarness, running_bot
from tests.bot_harness import bot as bot  # the fixture
from tests.storage_fixtures import legacy_handoff

pytestmark = pytest.mark.asyncio

USER = 42
OTHER = 43
GROUP = -4242


def store(bot: BotHarness) -> EnquiryStore:
    return bot.storage.enquiries


def to_chat(bot: BotHarness, chat_id: int) -> list[str]:
    """The texts of the messages Telegram accepted for `chat_id`, in order."""
    return [text for method, chat, _, text in bot.api.delivered if chat == chat_id and text]


def buttons_of(bot: BotHarness, prefix: str) -> list[str]:
    return [d for _, d in bot.api.buttons() if d.split("|")[0] == prefix]


def later(bot: BotHarness, delta: timedelta) -> None:
    """Move the bot's clock on (the delivery back-off and the reminders read it)."""
    svc = bot.services
    now = svc.clock() + delta
    svc.clock = lambda: now


async def ask_and_get_prompt(bot: BotHarness, question: str, user_id: int = USER) -> str:
    """Ask a question the bot cannot answer, press 🙋; return the consent prompt's Yes."""
    await bot.send(tg.message(question, user_id=user_id))
    await bot.send(tg.press(buttons_of(bot, cd.HANDOFF)[0], user_id=user_id))
    return next(d for d in buttons_of(bot, cd.ENQUIRY_CONSENT) if d.endswith("|y"))


async def hand_off(bot: BotHarness, question: str, user_id: int = USER) -> int:
    """A consented enquiry; return its id."""
    yes = await ask_and_get_prompt(bot, question, user_id)
    await bot.send(tg.press(yes, user_id=user_id))
    return int(yes.split("|")[1])


async def staff_ids(bot: BotHarness, enquiry_id: int) -> list[int]:
    return [m.message_id for m in await store(bot).staff_messages(enquiry_id)]


def staff_reply(text: str | None, to_message: int, extra: dict | None = None) -> dict:
    return tg.message(
        text,
        user_id=ADMIN_ID,
        chat_id=STAFF_CHAT_ID,
        chat_type="supergroup",
        reply_to=tg.bot_message(STAFF_CHAT_ID, to_message),
        extra=extra,
    )


# --- 1. durable enquiries (B2, B8, issue item 2) ---------------------------------------------


async def test_b2_an_unreachable_staff_chat_loses_nothing_and_the_enquiry_is_retried(
    bot: BotHarness,
) -> None:
    yes = await ask_and_get_prompt(bot, "how much does a cyclotron cost")
    bot.api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await bot.send(tg.press(yes))

    # The press is answered (no spinning button) and the user is told, once, on the prompt.
    assert bot.api.sent("answerCallbackQuery")
    assert "We have your question" in bot.api.sent("editMessageText")[-1]["text"]
    [enquiry] = await store(bot).active()
    assert enquiry.question == "how much does a cyclotron cost"
    assert not enquiry.delivered and enquiry.attempts == 1
    assert "chat not found" in (enquiry.last_error or "").lower()
    # Admins hear about it once, with a way to look.
    assert any("could not be delivered" in t for t in to_chat(bot, ADMIN_ID))

    assert await enquiry_delivery.deliver_due(bot.app) == 0  # not due yet: back-off
    later(bot, enquiries.retry_delay(1))
    assert await enquiry_delivery.deliver_due(bot.app) == 1
    staff = to_chat(bot, STAFF_CHAT_ID)
    assert len(staff) == 1 and "how much does a cyclotron cost" in staff[0]
    assert len(bot.api.sent("editMessageText")) == 1, "the user is told once"
    assert await enquiry_delivery.deliver_due(bot.app) == 0  # and never sent twice


async def test_b2_a_question_too_long_for_one_message_reaches_staff_in_parts(
    bot: BotHarness,
) -> None:
    question = "We would like to know whether " + "beam time " * 405 + "is possible?"
    assert len(question) > 4000
    enquiry_id = await hand_off(bot, question)
    parts = to_chat(bot, STAFF_CHAT_ID)
    assert len(parts) == 2
    assert all(telegram_length(p) <= TELEGRAM_MESSAGE_LIMIT for p in parts)
    assert " ".join(parts).count("beam time") == 405
    # A staff reply to the second part reaches the user too.
    second = (await staff_ids(bot, enquiry_id))[1]
    await bot.send(staff_reply("Yes, it is possible.", second))
    assert any("Yes, it is possible." in t for t in to_chat(bot, USER))


async def test_the_enquiry_is_a_row_before_anything_is_sent(bot: BotHarness) -> None:
    await bot.send(tg.message("how much does a cyclotron cost"))
    await bot.send(tg.press(buttons_of(bot, cd.HANDOFF)[0]))
    [draft] = await store(bot).of_user(bot.services.user_key(USER))
    assert draft.state is EnquiryState.DRAFT and draft.display_name is None  # no name yet
    assert to_chat(bot, STAFF_CHAT_ID) == []


async def test_killed_between_consent_and_delivery_the_enquiry_goes_once_after_restart(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as first:
        yes = await ask_and_get_prompt(first, "how much does a cyclotron cost")
        # The process dies right after committing the consent: nothing was sent yet.
        assert await store(first).consent(int(yes.split("|")[1]), "Ada (@ada)")
    async with running_bot(tmp_path) as second:
        assert await enquiry_delivery.deliver_due(second.app) == 1  # the start-up run
        assert await enquiry_delivery.deliver_due(second.app) == 0
        staff = to_chat(second, STAFF_CHAT_ID)
        assert len(staff) == 1 and "cyclotron" in staff[0]
        told = second.api.sent("editMessageText")
        assert len(told) == 1 and "We have your question" in told[0]["text"]


async def test_told_before_a_crash_the_user_is_not_told_twice(bot: BotHarness) -> None:
    yes = await ask_and_get_prompt(bot, "how much does a cyclotron cost")
    enquiry_id = int(yes.split("|")[1])
    await store(bot).consent(enquiry_id, "Ada")
    # The edit reached Telegram but the process died before recording it: Telegram now says
    # the message is not modified, which counts as told.
    bot.api.fail_next("editMessageText", 400, "Bad Request: message is not modified")
    await enquiry_delivery.deliver_due(bot.app)
    enquiry = await store(bot).get(enquiry_id)
    assert enquiry is not None and enquiry.user_told_at is not None and enquiry.delivered


async def test_killed_between_two_parts_only_the_missing_part_is_sent_after_restart(
    bot: BotHarness,
) -> None:
    yes = await ask_and_get_prompt(bot, "price " * 900)
    enquiry_id = int(yes.split("|")[1])
    await store(bot).consent(enquiry_id, "Ada")
    # Part 0 went out and was recorded, then the process died.
    await store(bot).record_message(enquiry_id, STAFF_CHAT_ID, 555, part=0)
    await enquiry_delivery.deliver_due(bot.app)
    [sent] = to_chat(bot, STAFF_CHAT_ID)
    assert "Enquiry #" not in sent and "price" in sent  # the second part only
    assert bot.api.sent()[-1]["reply_parameters"]["message_id"] == 555
    enquiry = await store(bot).get(enquiry_id)
    assert enquiry is not None and enquiry.delivered


async def test_staff_list_open_enquiries_oldest_first(bot: BotHarness) -> None:
    first = await hand_off(bot, "how much does a cyclotron cost")
    second = await hand_off(bot, "is there a job opening", user_id=OTHER)
    await bot.send(
        tg.message("/enquiries", user_id=7, chat_id=STAFF_CHAT_ID, chat_type="supergroup")
    )
    listing = bot.api.last_text()
    assert listing.index(f"#{first}") < listing.index(f"#{second}")
    assert "cyclotron" in listing and "job opening" in listing


async def test_enquiries_are_not_listed_in_a_customer_group(bot: BotHarness) -> None:
    await hand_off(bot, "how much does a cyclotron cost")
    await bot.send(tg.message("/enquiries", user_id=ADMIN_ID, chat_id=GROUP, chat_type="group"))
    assert all("cyclotron" not in t for t in to_chat(bot, GROUP))


async def test_staff_are_reminded_once_of_an_enquiry_left_unanswered(bot: BotHarness) -> None:
    enquiry_id = await hand_off(bot, "how much does a cyclotron cost")
    assert await enquiry_delivery.remind_staff(bot.app) == 0
    later(bot, timedelta(hours=bot.settings.enquiry_reminder_hours + 1))
    assert await enquiry_delivery.remind_staff(bot.app) == 1
    assert f"Enquiry #{enquiry_id} has waited" in to_chat(bot, STAFF_CHAT_ID)[-1]
    assert await enquiry_delivery.remind_staff(bot.app) == 0


async def test_retries_back_off_and_never_give_up() -> None:
    delays = [enquiries.retry_delay(n) for n in range(1, 12)]
    assert delays == sorted(delays) and delays[0] == enquiries.FIRST_RETRY
    assert delays[-1] == enquiries.MAX_RETRY == enquiries.retry_delay(10_000)


# --- 2. consent per question (B3, B4, R8, R9, item 3) ----------------------------------------


async def test_b3_yes_on_an_older_prompt_sends_that_prompts_question(bot: BotHarness) -> None:
    first_yes = await ask_and_get_prompt(bot, "do you have a price list for beam time")
    second_yes = await ask_and_get_prompt(bot, "is there a job opening")
    await bot.send(tg.press(first_yes))
    assert "price list for beam time" in to_chat(bot, STAFF_CHAT_ID)[-1]
    await bot.send(tg.press(second_yes))
    assert "job opening" in to_chat(bot, STAFF_CHAT_ID)[-1]


async def test_b4_a_pending_hand_off_never_captures_a_later_question(bot: BotHarness) -> None:
    await bot.send(tg.message("/contact"))
    await bot.send(tg.press(buttons_of(bot, cd.HANDOFF)[0]))
    assert "as a reply to this message" in bot.api.last_text()
    await bot.send(tg.message("/topics"))
    await bot.send(tg.message("what is medicis?"))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()
    assert buttons_of(bot, cd.ENQUIRY_CONSENT) == []


async def test_b4_the_question_typed_as_a_reply_to_the_prompt_is_the_one_offered(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message("/contact"))
    await bot.send(tg.press(buttons_of(bot, cd.HANDOFF)[0]))
    prompt_id = bot.api.delivered[-1][2]
    await bot.send(
        tg.message("Can we visit the MEDICIS lab?", reply_to=tg.bot_message(USER, prompt_id))
    )
    assert "Can we visit the MEDICIS lab?" in bot.api.last_text()
    await bot.send(
        tg.press(next(d for d in buttons_of(bot, cd.ENQUIRY_CONSENT) if d.endswith("|y")))
    )
    assert "Can we visit the MEDICIS lab?" in to_chat(bot, STAFF_CHAT_ID)[-1]


async def test_r8_the_same_question_is_not_sent_twice(bot: BotHarness) -> None:
    await bot.send(tg.message("how much does a cyclotron cost"))
    talk = buttons_of(bot, cd.HANDOFF)[0]
    await bot.send(tg.press(talk))
    await bot.send(
        tg.press(next(d for d in buttons_of(bot, cd.ENQUIRY_CONSENT) if d.endswith("|y")))
    )
    await bot.send(tg.press(talk))
    assert "already sent" in bot.api.sent("answerCallbackQuery")[-1]["text"]
    assert len(to_chat(bot, STAFF_CHAT_ID)) == 1


async def test_r9_a_consent_prompt_still_works_after_a_restart(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as first:
        yes = await ask_and_get_prompt(first, "how much does a cyclotron cost")
    async with running_bot(tmp_path) as second:
        await second.send(tg.press(yes))
        assert "cyclotron" in to_chat(second, STAFF_CHAT_ID)[-1]


async def test_old_style_consent_buttons_say_they_expired_on_the_prompt(bot: BotHarness) -> None:
    await bot.send(tg.press(cd.encode(cd.HANDOFF_CONSENT, 19, "y")))
    assert "expired" in bot.api.sent("editMessageText")[-1]["text"]
    assert to_chat(bot, STAFF_CHAT_ID) == []


# --- 3. a conversation (B1, B8, item 1) -------------------------------------------------------


async def test_b1_the_users_messages_while_an_enquiry_is_open_reach_staff(
    bot: BotHarness,
) -> None:
    enquiry_id = await hand_off(bot, "can CERN test our dosimeter in a beam next month")
    head = (await staff_ids(bot, enquiry_id))[0]
    exchanges_before = (await bot.storage.stats(None)).total
    await bot.send(tg.message("Monday works, 10:00?"))
    follow_up = [p for p in bot.api.sent() if p["chat_id"] == STAFF_CHAT_ID][-1]
    assert "Monday works, 10:00?" in follow_up["text"]
    assert follow_up["reply_parameters"]["message_id"] == head
    assert (await bot.storage.stats(None)).total == exchanges_before  # not sent to the matcher
    # Staff can answer the follow-up itself.
    await bot.send(staff_reply("Sure, 10:00 is fine.", (await staff_ids(bot, enquiry_id))[-1]))
    assert any("10:00 is fine" in t for t in to_chat(bot, USER))


@pytest.mark.parametrize(
    "media",
    [
        {"photo": tg.PHOTO["photo"], "caption": "here is the beam layout"},
        tg.DOCUMENT,
        tg.VOICE,
    ],
)
async def test_b8_staff_photos_documents_and_voice_reach_the_user(
    bot: BotHarness, media: dict
) -> None:
    enquiry_id = await hand_off(bot, "can CERN test our dosimeter in a beam next month")
    head = (await staff_ids(bot, enquiry_id))[0]
    await bot.send(staff_reply(None, head, extra=media))
    [copy] = bot.api.sent("copyMessage")
    assert copy["chat_id"] == USER and copy["from_chat_id"] == STAFF_CHAT_ID
    assert "Sent to the user" in bot.api.last_text()


async def test_b8_a_long_staff_reply_is_split_not_refused(bot: BotHarness) -> None:
    enquiry_id = await hand_off(bot, "can CERN test our dosimeter in a beam next month")
    head = (await staff_ids(bot, enquiry_id))[0]
    await bot.send(staff_reply("word " * 816, head))  # 4,080 characters
    to_user = [p["text"] for p in bot.api.sent() if p["chat_id"] == USER and "word" in p["text"]]
    assert len(to_user) == 2
    assert all(telegram_length(t) <= TELEGRAM_MESSAGE_LIMIT for t in to_user)
    assert "Sent to the user" in bot.api.last_text()


async def test_the_users_photo_while_an_enquiry_is_open_reaches_staff(bot: BotHarness) -> None:
    await hand_off(bot, "can CERN test our dosimeter in a beam next month")
    await bot.send(tg.message(None, extra=tg.PHOTO))
    [copy] = bot.api.sent("copyMessage")
    assert copy["chat_id"] == STAFF_CHAT_ID and copy["from_chat_id"] == USER


async def test_staff_close_with_a_reply_and_the_user_is_told_then_talks_to_the_bot_again(
    bot: BotHarness,
) -> None:
    enquiry_id = await hand_off(bot, "can CERN test our dosimeter in a beam next month")
    head = (await staff_ids(bot, enquiry_id))[0]
    await bot.send(staff_reply("/close", head))
    assert "closed your enquiry" in to_chat(bot, USER)[-1]
    assert f"Enquiry #{enquiry_id} closed" in bot.api.last_text()
    await bot.send(tg.message("what is medicis?"))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_staff_close_with_the_button(bot: BotHarness) -> None:
    enquiry_id = await hand_off(bot, "can CERN test our dosimeter in a beam next month")
    close = cd.encode(cd.ENQUIRY_CLOSE, enquiry_id)
    assert close in [d for _, d in bot.api.buttons(bot.api.sent()[-1])] or True
    # The line above passes whatever was sent: the button must be under a staff message.
    to_staff = [p for p in bot.api.sent() if p["chat_id"] == STAFF_CHAT_ID]
    assert close in [d for p in to_staff for _, d in bot.api.buttons(p)]
    await bot.send(tg.press(close, user_id=ADMIN_ID, chat_id=STAFF_CHAT_ID))
    enquiry = await store(bot).get(enquiry_id)
    assert enquiry is not None and enquiry.state is EnquiryState.CLOSED
    assert "closed your enquiry" in to_chat(bot, USER)[-1]
    assert f"Enquiry #{enquiry_id} closed" in to_chat(bot, STAFF_CHAT_ID)[-1]


async def test_r10_staff_can_ask_the_bot_a_question_in_the_staff_chat(bot: BotHarness) -> None:
    await bot.send(tg.mention("what is medicis?", chat_id=STAFF_CHAT_ID, user_id=ADMIN_ID))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


# --- 4. who may do what (B5, B6, R19, item 4) ------------------------------------------------


async def test_b6_only_the_asker_can_hand_off_a_question_in_a_group(bot: BotHarness) -> None:
    await bot.send(tg.mention("how much does a cyclotron cost", user_id=USER, chat_id=GROUP))
    talk = buttons_of(bot, cd.HANDOFF)[0]
    await bot.send(tg.press(talk, user_id=OTHER, chat_id=GROUP))
    assert "Only the person who asked" in bot.api.sent("answerCallbackQuery")[-1]["text"]
    assert await store(bot).of_user(bot.services.user_key(OTHER)) == []


async def test_b6_a_hand_off_from_a_group_is_answered_in_private(bot: BotHarness) -> None:
    await bot.send(tg.mention("how much does a cyclotron cost", user_id=USER, chat_id=GROUP))
    await bot.send(tg.press(buttons_of(bot, cd.HANDOFF)[0], user_id=USER, chat_id=GROUP))
    assert "private chat" in bot.api.last_text()
    yes = next(d for d in buttons_of(bot, cd.ENQUIRY_CONSENT) if d.endswith("|y"))
    await bot.send(tg.press(yes, user_id=USER, chat_id=GROUP))
    enquiry_id = int(yes.split("|")[1])
    assert "answered in private" in to_chat(bot, STAFF_CHAT_ID)[0]
    await bot.send(staff_reply("We will call you.", (await staff_ids(bot, enquiry_id))[0]))
    assert any("We will call you." in t for t in to_chat(bot, USER))
    assert all("We will call you." not in t for t in to_chat(bot, GROUP))


async def test_b5_admin_commands_do_not_answer_in_a_customer_group(bot: BotHarness) -> None:
    await bot.send(tg.message("how much does a cyclotron cost", user_id=OTHER))
    for command in ("/unanswered", "/stats", "/enquiries"):
        await bot.send(tg.message(command, user_id=ADMIN_ID, chat_id=GROUP, chat_type="group"))
    assert to_chat(bot, GROUP) == []
    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))  # in private: yes
    assert "cyclotron" in bot.api.last_text()


async def test_r19_admins_see_the_admin_commands_in_their_menu(bot: BotHarness) -> None:
    scoped = {
        (c["scope"]["type"], c["scope"].get("user_id")): {x["command"] for x in c["commands"]}
        for c in bot.api.sent("setMyCommands")
        if "scope" in c
    }
    assert {"enquiries", "unanswered", "stats", "reload"} <= scoped[("chat", None)]
    assert {"enquiries", "unanswered"} <= scoped[("chat_member", ADMIN_ID)]
    default = next(c for c in bot.api.sent("setMyCommands") if "scope" not in c)
    assert "unanswered" not in {x["command"] for x in default["commands"]}


# --- 5. /forget (B7, item 5) -------------------------------------------------------------------


async def test_b7_forget_closes_enquiries_in_the_staff_chat_and_deletes_the_copies(
    bot: BotHarness,
) -> None:
    enquiry_id = await hand_off(bot, "how much does a cyclotron cost")
    head = (await staff_ids(bot, enquiry_id))[0]
    await bot.send(tg.message("/forget"))
    await bot.send(tg.press(cd.encode(cd.FORGET, "y")))
    assert [p["message_id"] for p in bot.api.sent("deleteMessage")] == [head]
    assert "asked the bot to forget them" in to_chat(bot, STAFF_CHAT_ID)[-1]
    enquiry = await store(bot).get(enquiry_id)
    assert enquiry is not None and enquiry.state is EnquiryState.CLOSED
    assert enquiry.user_chat_id is None and enquiry.display_name is None
    assert enquiry.question == ""
    # A staff reply to the old enquiry is told why it cannot be delivered.
    await bot.send(staff_reply("Hello?", head))
    assert "forget them" in bot.api.last_text()
    assert all("Hello?" not in t for t in to_chat(bot, USER))
    # And the forgotten question is not offered again (it was held in memory before).
    await bot.send(tg.message("/contact"))
    await bot.send(tg.press(buttons_of(bot, cd.HANDOFF)[0]))
    assert "cyclotron" not in bot.api.last_text()


async def test_b7_copies_too_old_to_delete_are_named_to_staff(bot: BotHarness) -> None:
    await hand_off(bot, "how much does a cyclotron cost")
    bot.api.fail_next("deleteMessage", 400, "Bad Request: message can't be deleted")
    await bot.send(tg.message("/forget"))
    await bot.send(tg.press(cd.encode(cd.FORGET, "y")))
    assert "delete them by hand" in to_chat(bot, STAFF_CHAT_ID)[-1]


async def test_r11_the_forget_prompt_says_what_cannot_be_deleted(bot: BotHarness) -> None:
    await bot.send(tg.message("/forget"))
    assert "48 hours" in bot.api.last_text() and "cannot delete" in bot.api.last_text()


async def test_hand_offs_made_before_the_upgrade_still_route_staff_replies(
    tmp_path: Path,
) -> None:
    from bot.storage import Storage

    path = tmp_path / "ktbot.sqlite3"
    async with await Storage.open(path) as storage:
        await legacy_handoff(
            storage,
            77,
            user_key="k-ada",
            user_chat_id=USER,
            display_name="Ada (@ada)",
            question="price of isotopes",
            staff_chat_id=STAFF_CHAT_ID,
        )
    with sqlite3.connect(path) as raw:  # as a bot released before migration 7 left it
        raw.execute("DROP TABLE visits")  # migration 9
        raw.execute("DROP TABLE enquiry_messages")
        raw.execute("DROP TABLE enquiries")
        raw.execute("PRAGMA user_version = 6")
    async with await Storage.open(path) as storage:
        enquiry = await storage.enquiries.for_staff_message(STAFF_CHAT_ID, 77)
    assert enquiry is not None and enquiry.active and enquiry.delivered
    assert (enquiry.user_chat_id, enquiry.question) == (USER, "price of isotopes")


# --- 6. no dead ends (B10 step 3, item 6) ------------------------------------------------------


async def test_b10_a_mention_in_capitals_is_removed_before_matching(bot: BotHarness) -> None:
    handle = "@KTBOT_TEST_BOT"
    update = tg.message(
        f"what is medicis? {handle}",
        chat_type="group",
        chat_id=GROUP,
        entities=[{"type": "mention", "offset": 17, "length": len(handle)}],
    )
    message = Message.de_json(update["message"], bot.app.bot)
    assert questions.addressed_text(message, "ktbot_test_bot", 777000) == "what is medicis?"


async def test_the_reminder_delay_comes_from_the_environment() -> None:
    from bot.settings import Settings, SettingsError

    assert Settings.from_env({"KTBOT_ENQUIRY_REMINDER_HOURS": "6"}).enquiry_reminder_hours == 6
    with pytest.raises(SettingsError, match="KTBOT_ENQUIRY_REMINDER_HOURS"):
        Settings.from_env({"KTBOT_ENQUIRY_REMINDER_HOURS": "soon"})
