"""End to end: questions, answers, close calls, unknown questions, hand-offs and privacy,
through `ktbot run` as a real subprocess against a local Telegram Bot API emulator.

Each test plays a Telegram user against the running process, then checks what the bot sent
through the Bot API and what it recorded in its SQLite database.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bot_process import BotProcess
from tests.e2e_helpers import (
    WAIT,
    admin_user,
    callback_data,
    edited_in_place,
    eventually_rows,
    has_link,
    press,
    reply_to,
    staff_chat,
    text_of,
)
from tests.e2e_helpers import ktbot as ktbot  # the fixture
from tests.e2e_helpers import small_ktbot as small_ktbot  # the fixture
from tests.emulator import BotApiEmulator

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

# --- a question and its answer ------------------------------------------------------------


NO_ANSWER = "which parking should our delegation use when we visit next month"
"""A question no topic answers: the fallback offers the hand-off (🙋)."""


async def test_startup_registers_the_command_menu(bot_api: BotApiEmulator, ktbot: BotProcess):
    names = {command["command"] for command in bot_api.commands}

    assert {"start", "help", "topics", "contact", "forget"} <= names
    assert "reload" not in names  # admin commands are not advertised to everyone


async def test_a_question_gets_a_formatted_answer_links_related_topics_and_feedback_buttons(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user(first_name="Ada")

    update_id, reply = await reply_to(bot_api, user, "what is MEDICIS?")

    assert reply.parse_mode == "HTML"
    assert text_of(reply).startswith("CERN-MEDICIS")
    assert any(e["type"] == "bold" for e in reply.entities)  # the title is bold, not "**"
    assert "**" not in text_of(reply) and "<b>" not in text_of(reply)
    assert has_link(reply, "https://")
    assert len(callback_data(reply, "r")) >= 2  # related topics to navigate to
    assert len(callback_data(reply, "f")) == 2  # 👍 / 👎

    [row] = await eventually_rows(ktbot, "SELECT * FROM exchanges WHERE update_id = ?", update_id)
    assert row["channel"] == "telegram"
    assert row["outcome"] == "answer"
    assert row["intent"] == "project.medicis"
    assert row["question"] == "what is MEDICIS?"
    assert row["kb_version"]
    assert isinstance(json.loads(row["alternatives"]), list)
    # Pseudonymous: neither the Telegram id nor the name is stored with the exchange.
    assert str(user.id) not in row["user_key"] and "Ada" not in row["user_key"]


async def test_a_related_topic_button_opens_that_topic(bot_api: BotApiEmulator, ktbot: BotProcess):
    user = bot_api.new_user()
    _, reply = await reply_to(bot_api, user, "what is MEDICIS?")
    related = callback_data(reply, "r")[0]

    await press(bot_api, user, reply, related)
    opened = await bot_api.wait_for_message(user, timeout=WAIT)

    assert opened.message_id != reply.message_id  # the answer the user read stays in place
    assert opened.text and not opened.text.startswith("CERN-MEDICIS")
    assert bot_api.message(user, reply.message_id).text == reply.text
    assert callback_data(opened, "home")  # and the browser continues from there


async def test_feedback_is_recorded_with_the_exchange(bot_api: BotApiEmulator, ktbot: BotProcess):
    user = bot_api.new_user()
    update_id, reply = await reply_to(bot_api, user, "can we license CERN technology?")
    thumbs_up = next(d for d in callback_data(reply, "f") if d.endswith("|1"))

    answer = await press(bot_api, user, reply, thumbs_up)

    assert answer.get("text")  # a short "thanks" toast
    [row] = await eventually_rows(
        ktbot,
        "SELECT f.helpful FROM feedback f JOIN exchanges e ON e.id = f.exchange_id "
        "WHERE e.update_id = ?",
        update_id,
    )
    assert row["helpful"] == 1


async def test_a_deep_link_opens_its_topic_directly(bot_api: BotApiEmulator, ktbot: BotProcess):
    user = bot_api.new_user()

    bot_api.user_starts_bot(user, payload="project__flash")
    reply = await bot_api.wait_for_message(user, timeout=WAIT)

    assert "FLASH" in text_of(reply).split("\n")[0]


async def test_start_help_and_contact_explain_the_bot_and_how_to_reach_a_person(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()

    bot_api.user_starts_bot(user)
    welcome = await bot_api.wait_for_message(user, timeout=WAIT)
    _, help_reply = await reply_to(bot_api, user, "/help")
    _, contact = await reply_to(bot_api, user, "/contact")

    assert callback_data(welcome, "cat")  # the topic browser starts right there
    assert "/topics" in text_of(help_reply)
    assert has_link(contact, "https://")


async def test_the_topic_browser_edits_one_message_in_place(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()
    _, browser = await reply_to(bot_api, user, "/topics")
    before = browser.text or ""
    category = callback_data(browser, "cat")[0]

    await press(bot_api, user, browser, category)
    listing = await edited_in_place(bot_api, browser, before)
    current = bot_api.message(user, browser.message_id)
    topic = callback_data(current, "t")[0]
    await press(bot_api, user, current, topic)
    shown = await edited_in_place(bot_api, browser, listing)

    assert shown != listing
    assert len(bot_api.sent_messages(user)) == 1  # one message, edited twice
    assert callback_data(bot_api.message(user, browser.message_id), "home")


# --- when the bot is unsure or does not know -----------------------------------------------


async def test_a_close_call_offers_choices_and_records_the_one_chosen(
    bot_api: BotApiEmulator, small_ktbot: BotProcess
):
    user = bot_api.new_user()
    update_id, question = await reply_to(bot_api, user, "superconducting gantry")
    choices = callback_data(question, "c")
    assert len(choices) >= 2, question
    before = question.text or ""  # the emulator edits this very object in place

    await press(bot_api, user, question, choices[1])
    answer = await edited_in_place(bot_api, question, before)

    chosen = choices[1].split("|")[2]
    assert chosen in {"project.gantry-magnets", "project.gantry-collaboration"}
    [row] = await eventually_rows(
        small_ktbot,
        "SELECT c.intent, e.outcome FROM choices c JOIN exchanges e ON e.id = c.exchange_id "
        "WHERE e.update_id = ?",
        update_id,
    )
    assert row["outcome"] == "clarify" and row["intent"] == chosen
    assert "gantr" in answer.lower()


async def test_an_unknown_question_gets_an_honest_reply_and_is_logged_as_unanswered(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()

    update_id, reply = await reply_to(bot_api, user, "what will the weather be in Geneva")

    assert "don’t have a reliable answer" in text_of(reply)
    assert callback_data(reply, "h")  # talk to a person
    assert callback_data(reply, "home")  # browse the topics instead
    [row] = await eventually_rows(
        ktbot,
        "SELECT e.outcome, u.state FROM exchanges e JOIN unanswered u ON u.exchange_id = e.id "
        "WHERE e.update_id = ?",
        update_id,
    )
    assert row["outcome"] == "fallback" and row["state"] == "open"


async def test_talk_to_a_person_asks_consent_forwards_and_relays_the_staff_reply(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user(first_name="Grace", username="grace_h")
    staff = staff_chat(bot_api)
    officer = admin_user(bot_api)
    _, reply = await reply_to(bot_api, user, NO_ANSWER)
    talk = callback_data(reply, "h")[0]

    await press(bot_api, user, reply, talk)
    consent = await bot_api.wait_for_message(user, timeout=WAIT)
    assert not bot_api.sent_messages(staff)  # nothing shared before consent
    agree = next(d for d in callback_data(consent, "ek") if d.endswith("|y"))
    await press(bot_api, user, consent, agree)
    forwarded = await bot_api.wait_for_message(staff, timeout=WAIT)

    assert "parking" in text_of(forwarded) and "@grace_h" in text_of(forwarded)
    bot_api.user_sends_text(officer, staff, "Yes, we can: call us.", reply_to=forwarded)
    relayed = await bot_api.wait_for_message(user, lambda m: "call us" in (m.text or ""), WAIT)
    assert relayed.chat.id == user.id


def database_files(bot: BotProcess) -> list[Path]:
    """The database and the files SQLite keeps beside it (-wal, -shm)."""
    return sorted(bot.db_path.parent.glob(bot.db_path.name + "*"))


async def test_after_forget_no_database_file_holds_the_users_id_or_names(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user("Alicia", last_name="Privacyson", username="alicia_priv")
    identifiers = [str(user.id), "Alicia", "Privacyson", "alicia_priv"]
    staff = staff_chat(bot_api)
    _, reply = await reply_to(bot_api, user, NO_ANSWER)
    await press(bot_api, user, reply, callback_data(reply, "h")[0])
    consent = await bot_api.wait_for_message(user, timeout=WAIT)
    await press(bot_api, user, consent, next(d for d in callback_data(consent, "ek")))
    await bot_api.wait_for_message(staff, timeout=WAIT)  # the names are shared, and stored
    # Someone else keeps using the bot: the forgotten user's data must not hide among theirs.
    await reply_to(bot_api, bot_api.new_user("Bob"), "what is MEDICIS?")
    _, prompt = await reply_to(bot_api, user, "/forget")

    question = text_of(prompt)
    (yes,) = [d for d in callback_data(prompt, "forget") if d.startswith("forget|y")]
    await press(bot_api, user, prompt, yes)
    done = await edited_in_place(bot_api, prompt, question)

    assert done.startswith("Done")
    files = database_files(ktbot)
    assert ktbot.db_path in files
    found = {
        (path.name, name)
        for path in files
        for name in identifiers
        if name.encode() in path.read_bytes()
    }
    assert found == set()


async def test_names_never_reach_a_database_file_without_consent(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    # Every update is written to the inbox before it is handled, and its old bytes linger
    # in the -wal file: the inbox must keep only what a replay needs.
    user = bot_api.new_user("Alicia", last_name="Privacyson", username="alicia_priv")
    _, reply = await reply_to(bot_api, user, "what is MEDICIS?")
    await press(bot_api, user, reply, callback_data(reply, "f")[0])  # a button press too

    found = {
        (path.name, name)
        for path in database_files(ktbot)
        for name in ("Alicia", "Privacyson", "alicia_priv")
        if name.encode() in path.read_bytes()
    }
    assert found == set()


async def test_the_database_and_the_files_beside_it_are_readable_by_their_owner_only(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    await reply_to(bot_api, bot_api.new_user(), "what is MEDICIS?")  # the -wal file exists now

    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in database_files(ktbot)}

    assert len(modes) >= 2 and set(modes.values()) == {"0o600"}, modes
