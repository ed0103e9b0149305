"""The Bot API emulator's identity, routing, getUpdates, commands and webhook, specified through
python-telegram-bot's own Bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from telegram import Bot, BotCommand, Update
from telegram.error import BadRequest, Conflict, InvalidToken

from tests.emulator import SECRET_HEADER, User
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture
from tests.emulator_helpers import Emulator, client_for
from tests.emulator_helpers import alice as alice  # the fixture
from tests.emulator_helpers import bot as bot  # the fixture

# --- identity and routing ----------------------------------------------------------------------


async def test_get_me_describes_the_bot_as_a_bot(bot: Bot, bot_api: Emulator) -> None:  # noqa: F811
    me = await bot.get_me()

    assert me.is_bot is True
    assert me.id == bot_api.bot_user.id == int(bot_api.token.split(":")[0])
    assert me.username == "ktbot_test_bot"
    assert me.can_join_groups is True


async def test_a_wrong_token_is_unauthorized(bot_api: Emulator) -> None:  # noqa: F811
    stranger = client_for(bot_api, token="42:not-the-token")
    try:
        with pytest.raises(InvalidToken):
            await stranger.initialize()
    finally:
        await stranger.shutdown()

    assert bot_api.calls("getMe")[-1].status == 401


async def test_an_unknown_method_is_not_found(bot_api: Emulator) -> None:  # noqa: F811
    async with aiohttp.ClientSession() as http:
        url = f"{bot_api.api_url}{bot_api.token}/sendTelepathy"
        async with http.post(url, data={"chat_id": "1"}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }


async def test_form_and_json_bodies_and_any_method_case_are_accepted_alike(
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    base = f"{bot_api.api_url}{bot_api.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/SENDMESSAGE", json={"chat_id": alice.id, "text": "a"}) as r:
            assert r.status == 200
            assert (await r.json())["result"]["text"] == "a"
        form = {"chat_id": str(alice.id), "text": "b", "disable_notification": "true"}
        async with http.post(f"{base}/sendMessage", data=form) as r:
            assert r.status == 200

    as_json, as_form = bot_api.calls("sendMessage")
    assert as_json.params == {"chat_id": alice.id, "text": "a"}
    assert as_form.params == {"chat_id": alice.id, "text": "b", "disable_notification": True}


# --- getUpdates --------------------------------------------------------------------------------


async def test_get_updates_waits_until_an_update_arrives(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=5))
    await bot_api.wait_for_call("getUpdates", answered=False)
    sent_at = time.monotonic()

    update_id = bot_api.user_sends_text(alice, None, "hello")

    updates = await asyncio.wait_for(polling, 2)
    assert [u.update_id for u in updates] == [update_id]
    assert time.monotonic() - sent_at < 1


async def test_get_updates_answers_an_empty_list_when_the_timeout_expires(bot: Bot) -> None:
    started = time.monotonic()

    updates = await bot.get_updates(timeout=dtm.timedelta(seconds=0.2))

    assert updates == ()
    assert time.monotonic() - started >= 0.2


async def test_updates_are_redelivered_until_an_offset_confirms_them(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    for text in ("one", "two", "three"):
        bot_api.user_sends_text(alice, None, text)

    first = await bot.get_updates()
    again = await bot.get_updates()
    confirmed = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)

    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    assert again == first
    assert confirmed == ()
    assert bot_api.pending_updates() == []


async def test_update_dates_are_unix_seconds(bot: Bot, bot_api: Emulator, alice: User) -> None:  # noqa: F811
    bot_api.user_sends_text(alice, None, "what time is it?")

    (update,) = await bot.get_updates()

    assert update.message is not None
    age = dtm.datetime.now(dtm.UTC) - update.message.date
    assert abs(age.total_seconds()) < 60


async def test_a_second_get_updates_terminates_the_first_with_a_conflict(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await bot_api.wait_for_call("getUpdates", answered=False)

    async with client_for(bot_api) as other_instance:
        await other_instance.get_updates(timeout=0)

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)


async def test_allowed_updates_filters_updates_created_afterwards(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    await bot.get_updates(timeout=0, allowed_updates=[Update.CALLBACK_QUERY])

    bot_api.user_sends_text(alice, None, "not wanted")

    assert bot_api.pending_updates() == []


# --- commands ----------------------------------------------------------------------------------


async def test_set_my_commands_is_kept_per_scope_and_language(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("hilfe", "Hilfe")], language_code="de")

    assert bot_api.commands == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["hilfe"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "bad")])


# --- webhook -----------------------------------------------------------------------------------


class WebhookReceiver:
    """A local HTTP endpoint standing in for the bot's webhook server."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.deliveries: asyncio.Queue[tuple[dict[str, str], dict[str, Any]]] = asyncio.Queue()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        await self.deliveries.put((dict(request.headers), await request.json()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def next_delivery(self) -> tuple[dict[str, str], dict[str, Any]]:
        return await asyncio.wait_for(self.deliveries.get(), 2)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield receiver
    await runner.cleanup()


async def test_with_a_webhook_updates_are_posted_with_the_secret_and_polling_conflicts(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    receiver: WebhookReceiver,
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token="s3cret-Token") is True

    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    update_id = bot_api.user_sends_text(alice, None, "via webhook")
    headers, body = await receiver.next_delivery()

    assert headers[SECRET_HEADER] == "s3cret-Token"
    assert body == bot_api.update(update_id)
    await bot_api.wait_until_updates_confirmed()
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (receiver.url, 0)
    assert await bot.delete_webhook() is True
    assert await bot.get_updates(timeout=0) == ()


async def test_webhook_delivery_is_retried_until_the_receiver_accepts(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    receiver: WebhookReceiver,
) -> None:
    receiver.statuses = [500]
    await bot.set_webhook(receiver.url)

    bot_api.user_sends_text(alice, None, "retry me")
    _, refused = await receiver.next_delivery()
    _, accepted = await receiver.next_delivery()

    assert refused == accepted
    await bot_api.wait_until_updates_confirmed()
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_set_webhook_can_drop_pending_updates(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    receiver: WebhookReceiver,
) -> None:
    bot_api.user_sends_text(alice, None, "stale")

    await bot.set_webhook(receiver.url, drop_pending_updates=True)

    assert bot_api.pending_updates() == []
    assert receiver.deliveries.empty()
