"""Helpers shared by the forum, copyMessage and scoped-command tests of the Bot API emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from telegram import Bot, ForumTopic, Message

from tests.emulator import Chat, User
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture
from tests.emulator_helpers import Emulator, client_for
from tests.emulator_helpers import alice as alice  # the fixture, for the modules importing it
from tests.emulator_helpers import bot as bot  # the fixture, for the modules importing it

DEFAULT_ICON_COLOR = 0x6FB9F0  # what Telegram picks when createForumTopic has no icon_color


def new_kai(api: Emulator) -> User:
    return api.new_user("Kai", username="kai_kt")


def new_staff_forum(api: Emulator, kai: User) -> Chat:
    """The KT staff forum: the bot may manage topics and delete messages; Kai is an admin."""
    return api.new_forum("KT staff", chat_id=-1009876543210, admins=(kai,))


@pytest.fixture
def kai(bot_api: Emulator) -> User:  # noqa: F811
    return new_kai(bot_api)


@pytest.fixture
def sam(bot_api: Emulator) -> User:  # noqa: F811
    return bot_api.new_user("Sam")


@pytest.fixture
def staff(bot_api: Emulator, kai: User) -> Chat:  # noqa: F811
    return new_staff_forum(bot_api, kai)


async def messages_of(bot: Bot) -> list[Message]:
    """The messages of the pending updates, which are then confirmed."""
    updates = list(await bot.get_updates(timeout=0))
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    messages = [update.message for update in updates]
    assert all(message is not None for message in messages), updates
    return [message for message in messages if message is not None]


@dataclass(frozen=True)
class Kt:
    """Everyone a forum test plays: the bot (a PTB `Bot`), the emulator, the staff forum, its
    admin Kai, staff member Sam and the user Alice."""

    bot: Bot
    api: Emulator
    staff: Chat
    kai: User
    sam: User
    alice: User

    async def enquiry(self) -> ForumTopic:
        """A fresh "Enquiry" topic in the staff forum, created by the bot."""
        return await self.bot.create_forum_topic(self.staff.id, "Enquiry")


@pytest_asyncio.fixture
async def kt(bot_api: Emulator) -> AsyncIterator[Kt]:  # noqa: F811
    """Kai, the staff forum, Sam and Alice on a fresh emulator, and the bot's client."""
    kai = new_kai(bot_api)
    staff = new_staff_forum(bot_api, kai)
    sam = bot_api.new_user("Sam")
    alice = bot_api.new_user("Alice", username="alice_w")
    async with client_for(bot_api) as bot:
        yield Kt(bot, bot_api, staff, kai, sam, alice)
