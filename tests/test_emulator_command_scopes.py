"""The emulator's scoped bot commands, specified through python-telegram-bot's own Bot."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeChatMember,
)
from telegram.error import BadRequest

from tests.emulator import Chat, User
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture
from tests.emulator_forum_helpers import Emulator
from tests.emulator_forum_helpers import alice as alice  # the fixture
from tests.emulator_forum_helpers import bot as bot  # the fixture
from tests.emulator_forum_helpers import kai as kai  # the fixture
from tests.emulator_forum_helpers import sam as sam  # the fixture
from tests.emulator_forum_helpers import staff as staff  # the fixture
from tests.emulator_helpers import error_of

# --- scoped commands ---------------------------------------------------------------------------


def names(commands: list[dict[str, str]]) -> list[str]:
    return [command["command"] for command in commands]


async def test_commands_seen_follow_the_bot_api_scope_order(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    kai: User,
    sam: User,
    alice: User,
) -> None:
    customers = bot_api.new_group("Customers")
    await bot.set_my_commands([BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("hilfe", "Hilfe")], language_code="de")
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands([BotCommand("ask", "Ask")], scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        [BotCommand("stats", "Stats")], scope=BotCommandScopeAllChatAdministrators()
    )
    await bot.set_my_commands(
        [BotCommand("enquiries", "Open enquiries")], scope=BotCommandScopeChat(staff.id)
    )
    await bot.set_my_commands(
        [BotCommand("close", "Close")], scope=BotCommandScopeChatAdministrators(staff.id)
    )
    await bot.set_my_commands([BotCommand("reload", "Reload")], scope=BotCommandScopeChat(kai.id))
    await bot.set_my_commands(
        [BotCommand("digest", "Digest")], scope=BotCommandScopeChatMember(staff.id, sam.id)
    )

    assert names(bot_api.commands_seen_by(kai)) == ["reload"]
    assert names(bot_api.commands_seen_by(alice)) == ["start"]
    assert names(bot_api.commands_seen_by(kai, staff)) == ["close"]
    assert names(bot_api.commands_seen_by(sam, staff)) == ["digest"]
    assert names(bot_api.commands_seen_by(alice, staff)) == ["enquiries"]
    assert names(bot_api.commands_seen_by(alice, customers)) == ["ask"]
    bot_api.make_admin(customers, alice)
    assert names(bot_api.commands_seen_by(alice, customers)) == ["stats"]

    await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert names(bot_api.commands_seen_by(alice)) == ["help"]
    assert names(bot_api.commands_seen_by(alice, language_code="de")) == ["hilfe"]
    scope, found = bot_api.commands_scope_seen_by(alice, language_code="de")
    assert scope == ({"type": "default"}, "de") and names(found) == ["hilfe"]
    assert names(bot_api.commands_for({"type": "chat", "chat_id": staff.id})) == ["enquiries"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(kai.id))] == [
        "reload"
    ]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(alice.id)) == ()


async def test_language_specific_lists_win_within_a_scope(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(
        [BotCommand("demarrer", "Démarrer")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="fr",
    )
    await bot.set_my_commands([BotCommand("aide", "Aide")], language_code="fr")

    assert names(bot_api.commands_seen_by(alice, language_code="fr")) == ["demarrer"]
    assert names(bot_api.commands_seen_by(alice)) == ["start"]  # Alice's app is in English
    await bot.set_my_commands([], scope=BotCommandScopeAllPrivateChats(), language_code="fr")
    assert names(bot_api.commands_seen_by(alice, language_code="fr")) == ["start"]


async def test_command_scopes_are_validated_as_telegram_does(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    staff: Chat,
    alice: User,
) -> None:
    commands = [BotCommand("help", "Help")]
    cases = [
        (
            {"scope": BotCommandScopeChatAdministrators(alice.id)},
            "Bad Request: can't use specified scope in private chats",
        ),
        (
            {"scope": BotCommandScopeChatMember(alice.id, alice.id)},
            "Bad Request: can't use specified scope in private chats",
        ),
        ({"scope": BotCommandScopeChat(-100555)}, "Bad Request: chat not found"),
        ({"language_code": "zh-hans"}, "Bad Request: invalid language code specified"),
    ]
    for kwargs, description in cases:
        with pytest.raises(BadRequest):
            await bot.set_my_commands(commands, **kwargs)  # type: ignore[arg-type]
        assert error_of(bot_api, "setMyCommands") == description

    url = f"{bot_api.api_url}{bot_api.token}/setMyCommands"
    body = {"commands": [{"command": "help", "description": "Help"}], "scope": {"type": "users"}}
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as response:
        assert response.status == 400
        assert (await response.json())["description"] == (
            "Bad Request: can't parse BotCommandScope: Unsupported type specified"
        )
    assert bot_api.commands_seen_by(alice, staff) == []
