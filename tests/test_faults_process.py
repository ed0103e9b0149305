"""Faults against the real `ktbot run` process and the Bot API emulator: Telegram answering
429, 403 or 502 or not at all, a flood from one user, a rejected token, the token kept out
of the logs, and webhook calls without the secret. Each is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.rendering import RATE_LIMITED
from tests.bot_process import BotProcess, copy_knowledge, running_ktbot
from tests.e2e_helpers import text_of
from tests.emulator import BotApiEmulator
from tests.emulator.errors import ApiError
from tests.emulator.webhook import SECRET_HEADER
from tests.emulator_helpers import free_port
from tests.fault_helpers import wait_until

# --- the real process against the Bot API emulator -----------------------------------------


def bot_messages(emulator: BotApiEmulator, chat: Any) -> list[str]:
    return [m.text or "" for m in emulator.sent_messages(chat)]


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked into the log:\n{text[-3000:]}"
        _, _, tail = secret.partition(":")
        if tail:
            assert tail not in text, f"a token's secret part leaked into the log:\n{text[-3000:]}"


@pytest.mark.e2e
async def test_telegram_429_403_and_502_are_logged_and_the_bot_carries_on(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    async with running_ktbot(bot_api, tmp_path) as bot:
        alice, bob = bot_api.new_user("Alice"), bot_api.new_user("Bob")

        # 429: the reply waits out retry_after, then arrives.
        bot_api.flood_next("sendMessage", retry_after=1)
        bot_api.user_sends_text(alice, None, "what is MEDICIS?")
        reply = await bot_api.wait_for_message(alice, timeout=10)
        assert "MEDICIS" in text_of(reply)
        await bot.wait_for_log("Rate limit hit. Retrying after")

        # 403: Bob blocked the bot; logged, and Alice is still served.
        bot_api.block(bob)
        bot_api.user_sends_text(bob, None, "what is MEDICIS?")
        await bot.wait_for_log("blocked the bot or left the chat", timeout=10)
        bot_api.user_sends_text(alice, None, "what is MEDICIS?")
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(alice, timeout=10))
        bot_api.unblock(bob)

        # 502 on a reply: logged in one line, without PTB's traceback about the proxy's HTML
        # page, and sent again.
        bot_api.bad_gateway_next("sendMessage")
        bot_api.user_sends_text(alice, None, "what is MEDICIS?")
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(alice, timeout=10))
        assert "sending it again" in bot.log_text()
        assert "Can not load invalid JSON data" not in bot.log_text()

        # 502 while polling (the update just sent ends the current long poll, the next two
        # polls fail): logged, polled again with a back-off, and questions still answered.
        bot_api.bad_gateway_next("getUpdates", times=2)
        bot_api.user_sends_text(bob, None, "what is MEDICIS?")
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(bob, timeout=10))
        await bot.wait_for_log("update None: network problem talking to Telegram", occurrence=2)
        bot_api.user_sends_text(alice, None, "what is MEDICIS?")
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(alice, timeout=10))
        assert bot.process is not None and bot.process.returncode is None
        assert "Traceback" not in bot.log_text()


@pytest.mark.e2e
async def test_a_flood_from_one_user_gets_one_slow_down_and_others_are_still_served(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    env = {"KTBOT_RATE_LIMIT_PER_MINUTE": "6"}  # bursts of 3
    async with running_ktbot(bot_api, tmp_path, env=env) as bot:
        flooder, other = bot_api.new_user("Mallory"), bot_api.new_user("Alice")
        for n in range(40):
            bot_api.user_sends_text(flooder, None, f"what is MEDICIS? {n}")
        await bot_api.wait_until_updates_confirmed(timeout=10)
        bot_api.user_sends_text(other, None, "what is MEDICIS?")
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(other, timeout=10))
        await asyncio.sleep(0.5)  # anything still in flight for the flooder
        texts = bot_messages(bot_api, flooder)
        assert sum(RATE_LIMITED in t for t in texts) == 1
        assert len(texts) == 4  # three answers, one polite slow-down, then silence
        with contextlib.closing(sqlite3.connect(bot.db_path)) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM exchanges").fetchone()
        assert count == 4  # the flooder's three and the other user's one


@pytest.mark.e2e
async def test_bot_started_before_telegram_is_reachable_comes_up_when_it_is(
    tmp_path: Path,
) -> None:
    emulator = BotApiEmulator(port=free_port())  # not started yet: connection refused
    bot = BotProcess(emulator, tmp_path, copy_knowledge(tmp_path / "knowledge"))
    await bot.start(wait_ready=False)
    try:
        await asyncio.sleep(2)  # a few refused attempts (PTB retries after 1s, 1.5s, ...)
        assert bot.process is not None and bot.process.returncode is None, bot.log_text()
        assert "ktbot is running" not in bot.log_text()
        async with emulator:
            await bot.wait_for_log("ktbot is running", timeout=15)
            user = emulator.new_user()
            emulator.user_sends_text(user, None, "what is MEDICIS?")
            assert "MEDICIS" in text_of(await emulator.wait_for_message(user, timeout=10))
            await bot.stop()
    finally:
        await bot.stop()


@pytest.mark.e2e
async def test_a_502_while_registering_the_command_menu_does_not_stop_the_bot(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    bot_api.bad_gateway_next("setMyCommands")
    async with running_ktbot(bot_api, tmp_path) as bot:
        user = bot_api.new_user()
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(user, timeout=10))
        assert bot.process is not None and bot.process.returncode is None
        assert "could not register the command menu" in bot.log_text()


@pytest.mark.e2e
async def test_a_rejected_token_exits_with_advice_and_never_prints_the_token(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    wrong = "123456789:WRONG-but-well-formed_token_0123456"
    bot = BotProcess(
        bot_api,
        tmp_path,
        copy_knowledge(tmp_path / "knowledge"),
        {"TELEGRAM_BOT_TOKEN": wrong, "KTBOT_LOG_LEVEL": "DEBUG"},
    )
    await bot.start(wait_ready=False)
    assert bot.process is not None
    code = await asyncio.wait_for(bot.process.wait(), 60)  # a guard, not a speed check
    log = bot.log_text()
    assert code == 2, log[-3000:]
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in log
    assert_no_secret(log, wrong)


@pytest.mark.e2e
async def test_the_token_never_appears_in_a_debug_log_full_of_errors(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    env = {"KTBOT_LOG_LEVEL": "DEBUG"}
    async with running_ktbot(bot_api, tmp_path, env=env) as bot:
        user = bot_api.new_user()
        bot_api.bad_gateway_next("getUpdates")
        bot_api.bad_gateway_next("sendMessage")
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        await bot.wait_for_log("Bad Gateway", timeout=10)
        await bot_api.wait_for_message(user, timeout=10)  # the reply, sent again
        # A reply Telegram refuses: the handler fails, logged with its traceback.
        bot_api.fail_next("sendMessage", ApiError.bad_request("can't parse entities"))
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        await bot.wait_for_log("failed", timeout=10)
        bot_api.flood_next("sendMessage", retry_after=1)
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(user, timeout=10))
        # Input the bot does not expect: an unknown command, a sticker, a button press.
        bot_api.user_sends_text(user, None, "/frobnicate now")
        await bot_api.wait_for_message(user, timeout=10)
        bot_api.user_sends_sticker(user)
        await bot_api.wait_for_message(user, timeout=10)
        bot_api.user_sends_text(user, None, "/topics")
        menu = await bot_api.wait_for_message(user, timeout=10)
        press = bot_api.user_presses_button(user, menu, callback_data=_first_button(menu))
        await bot_api.wait_for_callback_answer(press, timeout=10)
    log = bot.log_text()
    assert "Calling Bot API endpoint" in log  # DEBUG really was on
    assert_no_secret(log, bot_api.token)


def _first_button(message: Any) -> str:
    markup = message.reply_markup or {}
    return str(markup["inline_keyboard"][0][0]["callback_data"])


# --- the webhook --------------------------------------------------------------------------

WEBHOOK_SECRET = "webhook-secret-for-tests_0123456789"


def private_update(update_id: int, user: Any, text: str) -> dict[str, Any]:
    sender = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": sender,
            "text": text,
        },
    }


@pytest.mark.e2e
async def test_webhook_rejects_requests_without_the_secret_token(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"KTBOT_WEBHOOK_SECRET": WEBHOOK_SECRET, "KTBOT_LOG_LEVEL": "DEBUG"}
    args = ("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port))
    async with running_ktbot(bot_api, tmp_path, env=env, args=args) as bot:
        webhook = await wait_until(lambda: bot_api.webhook, within=10, what="setWebhook")
        assert webhook.url == f"{url}/telegram" and webhook.secret_token == WEBHOOK_SECRET
        user = bot_api.new_user()
        endpoint = f"{url}/telegram"
        async with aiohttp.ClientSession() as session:
            for n, headers in enumerate(({}, {SECRET_HEADER: "guessed-wrong"})):
                body = json.dumps(private_update(900_000 + n, user, "what is MEDICIS?"))
                async with session.post(
                    endpoint, data=body, headers={"Content-Type": "application/json", **headers}
                ) as response:
                    assert response.status == 403
            await asyncio.sleep(0.5)
            assert bot_messages(bot_api, user) == []  # not processed

            body = json.dumps(private_update(900_010, user, "what is MEDICIS?"))
            headers = {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET}
            async with session.post(endpoint, data=body, headers=headers) as response:
                assert response.status == 200
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(user, timeout=10))
        # Telegram's own deliveries carry the secret and are answered as usual.
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        assert "MEDICIS" in text_of(await bot_api.wait_for_message(user, timeout=10))
    assert_no_secret(bot.log_text(), bot_api.token, WEBHOOK_SECRET)
