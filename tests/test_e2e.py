"""End to end: `ktbot run` as a real subprocess, talking to a local Telegram Bot API emulator.

Each test plays a Telegram user (or an admin, or the KT staff chat) against the running
process, then checks what the bot sent through the Bot API and what it recorded in its
SQLite database. Nothing here imports the bot: it is configured by environment variables only.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.bot_harness import KNOWLEDGE, write_knowledge
from tests.bot_process import ADMIN_ID, STAFF_CHAT_ID, BotProcess, running_ktbot
from tests.emulator import SECRET_HEADER, ApiError, BotApiEmulator, Chat, StoredMessage, User

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

WAIT = 20.0  # generous: CI machines are shared; a healthy bot answers in milliseconds


@pytest_asyncio.fixture
async def ktbot(bot_api: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """`ktbot run` on a private copy of the shipped knowledge base."""
    async with running_ktbot(bot_api, tmp_path) as bot:
        yield bot


@pytest_asyncio.fixture
async def small_ktbot(bot_api: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """`ktbot run` on a small knowledge base with two deliberately close topics."""
    knowledge = write_knowledge(tmp_path / "knowledge", KNOWLEDGE)
    async with running_ktbot(bot_api, tmp_path, knowledge_dir=knowledge) as bot:
        yield bot


# --- helpers ------------------------------------------------------------------------------


def query(bot: BotProcess, sql: str, *params: object) -> list[sqlite3.Row]:
    """Read the bot's database as an operator would, while the bot keeps running."""
    connection = sqlite3.connect(f"file:{bot.db_path}?mode=ro", uri=True, timeout=5)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


async def eventually_rows(
    bot: BotProcess, sql: str, *params: object, count: int = 1
) -> list[sqlite3.Row]:
    """The rows once at least `count` exist: the reply may reach the user before the commit."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        rows = query(bot, sql, *params) if bot.db_path.exists() else []
        if len(rows) >= count or asyncio.get_running_loop().time() > deadline:
            return rows
        await asyncio.sleep(0.05)


async def reply_to(
    api: BotApiEmulator,
    user: User,
    text: str,
    predicate: Callable[[StoredMessage], bool] | None = None,
) -> tuple[int, StoredMessage]:
    update_id = api.user_sends_text(user, None, text)
    return update_id, await api.wait_for_message(user, predicate, timeout=WAIT)


def admin_user(api: BotApiEmulator) -> User:
    """The user whose id is in KTBOT_ADMIN_IDS."""
    user = User(id=ADMIN_ID, first_name="Admin", username="kt_admin", language_code="en")
    api.add_chat(user.chat)
    return user


def staff_chat(api: BotApiEmulator) -> Chat:
    """The KT staff group of KTBOT_STAFF_CHAT_ID."""
    return api.add_chat(Chat.supergroup(STAFF_CHAT_ID, "KT staff", None))


def callback_data(message: StoredMessage, prefix: str) -> list[str]:
    return [
        b["callback_data"]
        for b in message.buttons
        if b.get("callback_data", "").split("|")[0] == prefix
    ]


async def press(api: BotApiEmulator, user: User, message: StoredMessage, data: str) -> dict:
    update_id = api.user_presses_button(user, message, data)
    return await api.wait_for_callback_answer(update_id, timeout=WAIT)


async def edited_in_place(api: BotApiEmulator, message: StoredMessage, before: str) -> str:
    """Wait until the bot has edited `message` away from its `before` text."""
    for _ in range(int(WAIT / 0.05)):
        current = api.message(message.chat, message.message_id)
        if current.text != before:
            return current.text or ""
        await asyncio.sleep(0.05)
    raise AssertionError(f"message {message.message_id} was not edited")


def has_link(message: StoredMessage, url_start: str) -> bool:
    return any(
        e["type"] == "text_link" and e["url"].startswith(url_start) for e in message.entities
    )


# --- a question and its answer ------------------------------------------------------------


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
    assert reply.text.startswith("CERN-MEDICIS")
    assert any(e["type"] == "bold" for e in reply.entities)  # the title is bold, not "**"
    assert "**" not in reply.text and "<b>" not in reply.text
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

    assert "FLASH" in reply.text.split("\n")[0]


async def test_start_help_and_contact_explain_the_bot_and_how_to_reach_a_person(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()

    bot_api.user_starts_bot(user)
    welcome = await bot_api.wait_for_message(user, timeout=WAIT)
    _, help_reply = await reply_to(bot_api, user, "/help")
    _, contact = await reply_to(bot_api, user, "/contact")

    assert callback_data(welcome, "cat")  # the topic browser starts right there
    assert "/topics" in help_reply.text
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

    assert "don’t have a reliable answer" in reply.text
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
    _, reply = await reply_to(bot_api, user, "can CERN test our dosimeter in a beam next month")
    talk = callback_data(reply, "h")[0]

    await press(bot_api, user, reply, talk)
    consent = await bot_api.wait_for_message(user, timeout=WAIT)
    assert not bot_api.sent_messages(staff)  # nothing shared before consent
    agree = next(d for d in callback_data(consent, "ek") if d.endswith("|y"))
    await press(bot_api, user, consent, agree)
    forwarded = await bot_api.wait_for_message(staff, timeout=WAIT)

    assert "dosimeter" in forwarded.text and "@grace_h" in forwarded.text
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
    _, reply = await reply_to(bot_api, user, "can CERN test our dosimeter in a beam next month")
    await press(bot_api, user, reply, callback_data(reply, "h")[0])
    consent = await bot_api.wait_for_message(user, timeout=WAIT)
    await press(bot_api, user, consent, next(d for d in callback_data(consent, "ek")))
    await bot_api.wait_for_message(staff, timeout=WAIT)  # the names are shared, and stored
    # Someone else keeps using the bot: the forgotten user's data must not hide among theirs.
    await reply_to(bot_api, bot_api.new_user("Bob"), "what is MEDICIS?")
    _, prompt = await reply_to(bot_api, user, "/forget")

    question = prompt.text
    await press(bot_api, user, prompt, "forget|y")
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


# --- what is not a question -----------------------------------------------------------------


async def test_stickers_photos_voice_files_and_locations_get_a_polite_text_only_notice(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()
    senders = [
        bot_api.user_sends_sticker,
        bot_api.user_sends_photo,
        bot_api.user_sends_voice,
        bot_api.user_sends_document,
        bot_api.user_sends_location,
    ]
    for send in senders:
        send(user)
        notice = await bot_api.wait_for_message(user, timeout=WAIT)
        assert "text" in notice.text.lower()

    await bot_api.wait_until_updates_confirmed(timeout=WAIT)
    assert query(ktbot, "SELECT COUNT(*) AS n FROM exchanges")[0]["n"] == 0


async def test_long_html_and_odd_unicode_questions_are_answered_safely(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()
    questions = [
        "<b>what</b> is <script>alert(1)</script> MEDICIS?",
        "ｗｈａｔ ｉｓ ＭＥＤＩＣＩＳ\u200b?",  # full-width letters and a zero-width space
        "medicis " * 600,  # 4,800 characters: more than Telegram's 4,096-character limit
        "'; DROP TABLE exchanges; --",
    ]
    for text in questions:
        _, reply = await reply_to(bot_api, user, text)
        # The emulator parses HTML like Telegram: raw user markup would be a 400 error, so any
        # reply at all proves the text was escaped; none of it is shown as a tag either.
        assert "<script>" not in (reply.raw_text or "")
        assert len(reply.text) <= 4096

    rows = await eventually_rows(ktbot, "SELECT question FROM exchanges", count=len(questions))
    assert len(rows) == len(questions)


async def test_an_edited_question_is_answered_once_per_text(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()
    update_id, first = await reply_to(bot_api, user, "waht is the weather on mars")
    assert "MEDICIS" not in first.text

    # A corrected question deserves its answer, like a new message.
    question = bot_api.message_for(update_id)
    bot_api.user_edits_message(user, question, "what is MEDICIS?")
    answer = await bot_api.wait_for_message(user, lambda m: "MEDICIS" in m.text, timeout=WAIT)
    assert "MEDICIS" in answer.text

    # An edit that leaves the text as answered is not answered again.
    bot_api.user_edits_message(user, question, "what is MEDICIS?")
    await bot_api.wait_until_updates_confirmed(timeout=WAIT)
    _, reply = await reply_to(bot_api, user, "what is FLASH?")

    assert "FLASH" in reply.text  # the next reply is the next question's, not the edit's
    assert len(bot_api.sent_messages(user)) == 3


async def test_in_groups_the_bot_answers_only_when_mentioned_or_replied_to(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    group = bot_api.new_group(title="Hospital physics team")
    member = bot_api.new_user()

    bot_api.user_sends_text(member, group, "what is MEDICIS?")
    await bot_api.wait_until_updates_confirmed(timeout=WAIT)
    assert not bot_api.sent_messages(group)

    bot_api.user_sends_text(member, group, "@ktbot_test_bot what is MEDICIS?")
    mentioned = await bot_api.wait_for_message(group, timeout=WAIT)
    assert mentioned.text.startswith("CERN-MEDICIS")

    bot_api.user_sends_text(member, group, "and FLASH?", reply_to=mentioned)
    replied = await bot_api.wait_for_message(group, timeout=WAIT)
    assert "FLASH" in replied.text


# --- KT staff: admin commands and knowledge reloads ------------------------------------------


async def test_admin_commands_refuse_other_users_without_revealing_anything(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()

    for command in ("/reload", "/unanswered", "/stats"):
        _, reply = await reply_to(bot_api, user, command)
        assert "don’t know that command" in reply.text


async def test_admin_reload_with_a_broken_file_reports_path_and_line_and_keeps_serving(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    admin = admin_user(bot_api)
    user = bot_api.new_user()
    broken = ktbot.knowledge_dir / "topics" / "zz-broken.yaml"

    broken.write_text("topics:\n  - id: x.y\n    title: [unclosed\n", encoding="utf-8")
    _, report = await reply_to(
        bot_api, admin, "/reload", lambda m: "zz-broken.yaml" in (m.text or "")
    )
    _, answer = await reply_to(bot_api, user, "what is MEDICIS?")

    assert "NOT reloaded" in report.text
    assert "zz-broken.yaml:3" in report.text or "zz-broken.yaml:4" in report.text
    assert answer.text.startswith("CERN-MEDICIS")  # the last good knowledge base


async def test_an_edited_answer_is_served_after_a_hot_reload_without_a_restart(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    admin = admin_user(bot_api)
    user = bot_api.new_user()
    new_topic = ktbot.knowledge_dir / "topics" / "zz-new.yaml"

    new_topic.write_text(
        "topics:\n"
        "  - id: other.e2e-marker\n"
        "    title: Quasar marker topic\n"
        "    category: other\n"
        "    questions: [what is the quasar marker, quasar marker topic, tell me about quasars]\n"
        "    aliases: [quasar]\n"
        "    answer: The quasar marker topic exists only in this test.\n"
        "    contacts: [kt-group]\n",
        encoding="utf-8",
    )
    # The watcher reloads by itself and tells the admins how it went.
    await bot_api.wait_for_message(admin, lambda m: "reloaded" in (m.text or ""), WAIT)
    _, reply = await reply_to(bot_api, user, "what is the quasar marker?")

    assert "only in this test" in reply.text


async def test_a_broken_edit_is_reported_to_admins_by_the_watcher(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    admin = admin_user(bot_api)
    contacts = ktbot.knowledge_dir / "contacts.yaml"

    contacts.write_text(contacts.read_text(encoding="utf-8") + "\n  - id: [\n", encoding="utf-8")
    report = await bot_api.wait_for_message(
        admin, lambda m: "contacts.yaml" in (m.text or ""), WAIT
    )

    assert "NOT reloaded" in report.text
    assert "ktbot" in ktbot.log_text()  # and the process is still running
    assert ktbot.process is not None and ktbot.process.returncode is None


# --- process lifecycle and webhook mode -----------------------------------------------------


async def test_sigterm_stops_the_bot_cleanly(bot_api: BotApiEmulator, ktbot: BotProcess):
    user = bot_api.new_user()
    await reply_to(bot_api, user, "what is MEDICIS?")

    code = await ktbot.stop(signal.SIGTERM)

    assert code == 0
    assert "ktbot stopped" in ktbot.log_text()
    assert not bot_api.pending_updates()


DOCKER_STOP_TIMEOUT = 10.0
"""Seconds `docker stop` waits after SIGTERM before it kills the container."""


async def test_sigterm_stops_the_bot_before_docker_kills_it_even_during_a_polling_back_off(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()
    await reply_to(bot_api, user, "what is MEDICIS?")
    # Telegram stops answering getUpdates: python-telegram-bot backs off for retry_after
    # (after an outage its back-off reaches 30 s the same way).
    bot_api.fail_next("getUpdates", ApiError.too_many_requests(600), times=None)
    bot_api.user_sends_text(user, None, "what is FLASH?")  # ends a long poll in progress
    await bot_api.wait_for_call("getUpdates", lambda call: call.status == 429, WAIT)

    code = await ktbot.stop(signal.SIGTERM, timeout=DOCKER_STOP_TIMEOUT)

    assert code == 0
    assert "ktbot stopped" in ktbot.log_text()


async def test_webhook_mode_registers_the_secret_and_answers_delivered_updates(
    bot_api: BotApiEmulator, tmp_path: Path, unused_tcp_port: int
):
    url = f"http://127.0.0.1:{unused_tcp_port}"
    args = ("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(unused_tcp_port))
    env = {"KTBOT_WEBHOOK_SECRET": "s3cret-token_value"}
    # Telegram refuses the first registration: "running" must wait for the retry that works,
    # whatever the timing (a bot announced before registering fails here every time).
    bot_api.fail_next("setWebhook", ApiError.bad_gateway())
    async with running_ktbot(bot_api, tmp_path, env=env, args=args):
        webhook = bot_api.webhook
        assert webhook is not None
        assert webhook.url == f"{url}/telegram"
        assert webhook.secret_token == "s3cret-token_value"

        user = bot_api.new_user()
        _, reply = await reply_to(bot_api, user, "what is MEDICIS?")
        assert reply.text.startswith("CERN-MEDICIS")

        # A forged update without the secret header is refused and never processed.
        forged: dict[str, Any] = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user.id, "type": "private"},
                "from": {"id": user.id, "is_bot": False, "first_name": "Mallory"},
                "text": "what is FLASH?",
            },
        }
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{url}/telegram", json=forged) as response:
                assert response.status == 403
            wrong = {SECRET_HEADER: "guess"}
            async with session.post(f"{url}/telegram", json=forged, headers=wrong) as response:
                assert response.status == 403
        await asyncio.sleep(0.5)
        assert len(bot_api.sent_messages(user)) == 1


async def test_a_question_taken_by_a_killed_bot_is_answered_after_the_restart(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()
    # The reply hangs, so the bot is killed after taking (and confirming) the update but
    # before answering it: python-telegram-bot alone would lose this question.
    bot_api.delay_next("sendMessage", 60, error=ApiError.bad_gateway())
    update_id = bot_api.user_sends_text(user, None, "what is MEDICIS?")
    await bot_api.wait_until_updates_confirmed(timeout=WAIT)
    await bot_api.wait_for_call("sendMessage", timeout=WAIT, answered=False)

    await ktbot.kill()
    bot_api.clear_faults()
    await ktbot.start()
    reply = await bot_api.wait_for_message(user, timeout=WAIT)

    assert reply.text.startswith("CERN-MEDICIS")
    assert "replaying 1 update(s)" in ktbot.log_text()
    [row] = await eventually_rows(ktbot, "SELECT * FROM exchanges WHERE update_id = ?", update_id)
    assert row["outcome"] == "answer"


async def test_an_update_delivered_again_after_a_restart_is_not_answered_twice(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()
    update_id, _ = await reply_to(bot_api, user, "what is MEDICIS?")
    await ktbot.stop()

    # Telegram may deliver an update again when its confirmation was lost on the way.
    bot_api.state.pending.append(bot_api.update(update_id))
    await ktbot.start()
    await bot_api.wait_until_updates_confirmed(timeout=WAIT)
    _, second = await reply_to(bot_api, user, "what is FLASH?")

    assert "FLASH" in second.text
    assert len(bot_api.sent_messages(user)) == 2  # MEDICIS once, then FLASH
    assert "already handled" in ktbot.log_text()
