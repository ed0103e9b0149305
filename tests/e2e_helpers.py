"""Fixtures and helpers shared by the end-to-end tests: `ktbot run` against the Bot API
emulator, and reading what it sent and recorded."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest_asyncio

from tests.bot_harness import KNOWLEDGE, write_knowledge
from tests.bot_process import ADMIN_ID, STAFF_CHAT_ID, BotProcess, running_ktbot
from tests.emulator import ApiError, BotApiEmulator, Chat, Fault, StoredMessage, User

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


def text_of(message: StoredMessage) -> str:
    """The text of a message the bot sent; fails the test if it has none (a photo, a sticker)."""
    assert message.text is not None, f"expected a text message, got {message}"
    return message.text


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


async def kill_while_hanging(
    api: BotApiEmulator, bot: BotProcess, method: str, chat_id: int
) -> None:
    """Make `method` about `chat_id` hang (then fail, so it never takes effect), wait until
    the bot is inside that call, and SIGKILL it there."""
    since = time.time()
    hang = api.inject(Fault(method, ApiError.bad_gateway(), delay=120, times=None, chat_id=chat_id))
    await api.wait_for_call(
        method,
        lambda call: call.at >= since and call.params.get("chat_id") == chat_id,
        answered=False,
        timeout=WAIT,
    )
    await bot.kill()
    api.remove_fault(hang)
