"""Helpers shared by the forum, copyMessage and scoped-command tests of the Bot API emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot, Message

from tests.emulator import BotApiEmulator, Chat, User
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
