"""End to end: `ktbot run` as a real subprocess, talking to a local Telegram Bot API emulator.

What is not a question, KT staff's admin commands and reloads, the process lifecycle and
webhook mode. Nothing here imports the bot: it is configured by environment variables only.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.bot_process import BotProcess, running_ktbot
from tests.e2e_helpers import WAIT, admin_user, eventually_rows, query, reply_to, text_of
from tests.e2e_helpers import ktbot as ktbot  # the fixture
from tests.e2e_helpers import small_ktbot as small_ktbot  # the fixture
from tests.emulator import SECRET_HEADER, ApiError, BotApiEmulator, User
from tests.fault_helpers import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

# --- what is not a question -----------------------------------------------------------------


async def test_stickers_photos_voice_files_and_locations_get_a_polite_text_only_notice(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()
    senders: list[Callable[[User], int]] = [
        bot_api.user_sends_sticker,
        bot_api.user_sends_photo,
        bot_api.user_sends_voice,
        bot_api.user_sends_document,
        bot_api.user_sends_location,
    ]
    for send in senders:
        send(user)
        notice = await bot_api.wait_for_message(user, timeout=WAIT)
        assert "text" in text_of(notice).lower()

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
        assert len(text_of(reply)) <= 4096

    rows = await eventually_rows(ktbot, "SELECT question FROM exchanges", count=len(questions))
    assert len(rows) == len(questions)


async def test_an_edited_question_is_answered_once_per_text(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    """Finding R13 (findings/telegram.md): an edited question is read."""
    user = bot_api.new_user()
    update_id, first = await reply_to(bot_api, user, "waht is the weather on mars")
    assert "MEDICIS" not in text_of(first)

    # A corrected question deserves its answer, like a new message.
    question = bot_api.message_for(update_id)
    bot_api.user_edits_message(user, question, "what is MEDICIS?")
    answer = await bot_api.wait_for_message(user, lambda m: "MEDICIS" in text_of(m), timeout=WAIT)
    assert "MEDICIS" in text_of(answer)

    # An edit that leaves the text as answered is not answered again.
    bot_api.user_edits_message(user, question, "what is MEDICIS?")
    await bot_api.wait_until_updates_confirmed(timeout=WAIT)
    _, reply = await reply_to(bot_api, user, "what is FLASH?")

    assert "FLASH" in text_of(reply)  # the next reply is the next question's, not the edit's
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
    assert text_of(mentioned).startswith("CERN-MEDICIS")

    bot_api.user_sends_text(member, group, "and FLASH?", reply_to=mentioned)
    replied = await bot_api.wait_for_message(group, timeout=WAIT)
    assert "FLASH" in text_of(replied)


# --- KT staff: admin commands and knowledge reloads ------------------------------------------


async def test_admin_commands_refuse_other_users_without_revealing_anything(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    user = bot_api.new_user()

    for command in ("/reload", "/unanswered", "/stats"):
        _, reply = await reply_to(bot_api, user, command)
        assert "don’t know that command" in text_of(reply)


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

    assert "NOT reloaded" in text_of(report)
    assert "zz-broken.yaml:3" in text_of(report) or "zz-broken.yaml:4" in text_of(report)
    assert text_of(answer).startswith("CERN-MEDICIS")  # the last good knowledge base


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

    assert "only in this test" in text_of(reply)


async def test_a_broken_edit_is_reported_to_admins_by_the_watcher(
    bot_api: BotApiEmulator, ktbot: BotProcess
):
    """Finding R18 (findings/telegram.md): a broken edit reaches admins."""
    admin = admin_user(bot_api)
    contacts = ktbot.knowledge_dir / "contacts.yaml"

    contacts.write_text(contacts.read_text(encoding="utf-8") + "\n  - id: [\n", encoding="utf-8")
    report = await bot_api.wait_for_message(
        admin, lambda m: "contacts.yaml" in (m.text or ""), WAIT
    )

    assert "NOT reloaded" in text_of(report)
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
    log = ktbot.log_text()
    assert "ktbot stopped" in log
    # Telegram refuses the last getUpdates too: an expected event, one line, no traceback.
    assert "stopped without telling Telegram which updates were fetched" in log
    assert " ERROR " not in log and "Traceback" not in log, log


async def test_the_first_heartbeat_is_written_at_start_up_even_when_start_up_was_slow(
    bot_api: BotApiEmulator, tmp_path: Path
):
    # Telegram refuses the first deleteWebhook: python-telegram-bot retries after a pause, so
    # the job queue starts seconds after the jobs were scheduled. A first run counted as
    # missed would leave `ktbot health` unhealthy until the next one, 30 s later.
    bot_api.fail_next("deleteWebhook", ApiError.bad_gateway())
    async with running_ktbot(bot_api, tmp_path) as ktbot:
        heartbeat = ktbot.db_path.parent / "heartbeat"

        # Well before the second run, 30 s after the first.
        await wait_until(heartbeat.exists, within=10, what="the first heartbeat")


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
        assert text_of(reply).startswith("CERN-MEDICIS")

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

    assert text_of(reply).startswith("CERN-MEDICIS")
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

    assert "FLASH" in text_of(second)
    assert len(bot_api.sent_messages(user)) == 2  # MEDICIS once, then FLASH
    assert "already handled" in ktbot.log_text()
